//===- Strategy.swift - The JSON strategy file ----------------------------===//
//
// A strategy is a versioned JSON document that chooses how polyc schedules a
// kernel. Unknown keys are errors naming their JSON key path. See
// docs/strategies.md for every key.
//
//===----------------------------------------------------------------------===//

import Foundation

/// An error in a strategy file: the file, the JSON key path and what is wrong.
public struct StrategyError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var keyPath: String
  public var message: String
  public init(path: String, keyPath: String, message: String) {
    self.path = path
    self.keyPath = keyPath
    self.message = message
  }
  public var description: String {
    keyPath.isEmpty ? "\(path): error: \(message)" : "\(path): error: at '\(keyPath)': \(message)"
  }
}

public enum Backend: String, Codable, Sendable, CaseIterable {
  /// Keep the original (textual) schedule.
  case identity
}

public struct Strategy: Sendable {
  public static let currentVersion = 1
  public var version: Int = Strategy.currentVersion
  public var name: String = "identity"
  public var description: String = ""
  public var backend: Backend = .identity

  public init() {}

  static let knownKeys: Swift.Set<String> = ["version", "name", "description", "backend"]

  /// Parses a strategy document; `path` is used in error messages.
  public static func parse(_ data: Data, path: String) throws -> Strategy {
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
      throw StrategyError(path: path, keyPath: "", message: "not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)")")
    }
    guard let obj = json as? [String: Any] else {
      throw StrategyError(path: path, keyPath: "", message: "a strategy must be a JSON object")
    }
    var s = Strategy()
    for key in obj.keys.sorted() where !knownKeys.contains(key) {
      throw StrategyError(path: path, keyPath: key, message: "unknown key")
    }
    if let v = obj["version"] {
      guard let i = v as? Int else { throw StrategyError(path: path, keyPath: "version", message: "expected an integer") }
      guard i == currentVersion else {
        throw StrategyError(path: path, keyPath: "version", message: "unsupported version \(i) (this polyc reads version \(currentVersion))")
      }
      s.version = i
    }
    if let v = obj["name"] {
      guard let t = v as? String else { throw StrategyError(path: path, keyPath: "name", message: "expected a string") }
      s.name = t
    }
    if let v = obj["description"] {
      guard let t = v as? String else { throw StrategyError(path: path, keyPath: "description", message: "expected a string") }
      s.description = t
    }
    if let v = obj["backend"] {
      guard let t = v as? String, let b = Backend(rawValue: t) else {
        throw StrategyError(path: path, keyPath: "backend", message: "expected one of \(Backend.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      s.backend = b
    }
    return s
  }

  public static func load(path: String) throws -> Strategy {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw StrategyError(path: path, keyPath: "", message: "cannot read strategy file")
    }
    return try parse(data, path: path)
  }
}
