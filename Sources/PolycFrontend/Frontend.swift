//===- Frontend.swift - Public entry points of the frontend ---------------===//
//
// Reading a `.loop` file: `parse` builds the syntax tree, `check` runs the
// semantic analysis, `load` does both. Every error is a `Diagnostic`.
//
//===----------------------------------------------------------------------===//

import Foundation

/// Reads `.loop` kernels: parses and checks them into a `CheckedKernel`.
public enum Frontend {
  /// Parses `text` (the contents of `path`) into a syntax tree.
  package static func parse(text: String, path: String) throws -> SourceFile {
    try Parser.parse(text: text, path: path)
  }

  /// Checks a parsed file; `text` is its source, for the diagnostics.
  package static func check(_ file: SourceFile, text: String) throws -> CheckedKernel {
    try Sema.check(file, text: text)
  }

  /// Parses and checks `text`.
  public static func load(text: String, path: String) throws -> CheckedKernel {
    try check(parse(text: text, path: path), text: text)
  }

  /// Reads, parses and checks the file at `path`.
  public static func load(path: String) throws -> CheckedKernel {
    try load(text: read(path: path), path: path)
  }

  /// The text of the file at `path`; a directory, a missing or unreadable
  /// file and a binary file are diagnostics saying which.
  public static func read(path: String) throws -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw Diagnostic(path: path, location: .unknown, message: Message.cannotReadFile("no such file"))
    }
    guard !isDirectory.boolValue else {
      throw Diagnostic(path: path, location: .unknown, message: Message.cannotReadFile("is a directory"))
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Diagnostic(path: path, location: .unknown, message: Message.cannotReadFile("permission denied"))
    }
    guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
      throw Diagnostic(path: path, location: .unknown, message: Message.cannotReadFile("is not UTF-8 text (binary file?)"))
    }
    return text
  }
}
