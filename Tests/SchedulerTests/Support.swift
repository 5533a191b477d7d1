//===- Support.swift - Helpers of the scheduler tests ---------------------===//

import PolycDriver
import Foundation
import PolycISL
import PolycScheduler

enum Repo {
  /// The repository root (this file is Tests/SchedulerTests/Support.swift).
  static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// All 30 with POLYC_FULL_TESTS set (`make test-full`), else a subset
  /// covering every shape of the suite.
  static var kernels: [String] {
    ProcessInfo.processInfo.environment["POLYC_FULL_TESTS"] != nil ? allKernels
      : ["gemm", "2mm", "atax", "durbin", "trisolv", "nussinov", "jacobi-1d", "seidel-2d"]
  }

  static let allKernels: [String] = [
    "2mm", "3mm", "adi", "atax", "bicg", "cholesky", "correlation", "covariance", "deriche", "doitgen",
    "durbin", "fdtd-2d", "floyd-warshall", "gemm", "gemver", "gesummv", "gramschmidt", "heat-3d",
    "jacobi-1d", "jacobi-2d", "lu", "ludcmp", "mvt", "nussinov", "seidel-2d", "symm", "syr2k", "syrk",
    "trisolv", "trmm",
  ]

  static let presets = ["pluto", "isl", "feautrier", "tensor", "identity", "cpu", "npu"]

  static func kernelPath(_ k: String) -> String { "\(root)/Kernels/polybench/\(k).loop" }
  static func configPath(_ p: String) -> String { "\(root)/Configs/\(p).json" }

  static func preset(_ p: String) throws -> Strategy { try Strategy.load(path: configPath(p)) }

  /// Compiles a PolyBench kernel under `strategy` (a fresh isl context per call).
  static func compile(_ kernel: String, _ strategy: Strategy) throws -> Compilation {
    try Pipeline.compile(kernel: try Pipeline.loadKernel(path: kernelPath(kernel)), strategy: strategy)
  }

  static func compile(_ kernel: String, preset: String) throws -> Compilation {
    try compile(kernel, try self.preset(preset))
  }

  /// A strategy from JSON text.
  static func strategy(_ json: String) throws -> Strategy {
    try Strategy.parse(Data(json.utf8), path: "test.json")
  }

  /// The error a strategy text produces, or nil when it parses.
  static func parseError(_ json: String) -> StrategyError? {
    do { _ = try strategy(json); return nil } catch let e as StrategyError { return e } catch { return nil }
  }
}

/// The properties every schedule must have.
struct ScheduleProperties {
  var complete: Bool
  var legal: Bool
  var injective: Bool

  init(_ c: Compilation) throws {
    let schedule = c.schedule
    complete = try schedule.domain().isEqual(c.scop.domain)
    let map = try schedule.map().intersectDomain(c.scop.domain)
    legal = try c.dependences.violation(of: map) == nil
    injective = try map.isInjective()
  }
}

/// The loop expression of a member text: `S1[i, k, j] -> [(j)]` -> `j`.
func loopOf(_ expression: String?) -> String? {
  guard let e = expression, let r = e.range(of: "-> [", options: .backwards) else { return nil }
  var body = String(e[r.upperBound...])
  if let close = body.lastIndex(of: "]") { body = String(body[..<close]) }
  if let colon = body.firstIndex(of: ":") { body = String(body[..<colon]) }
  return body.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
}

extension Compilation {
  var summary: ScheduleSummary { get throws { try result.summary(dependences: dependences) } }
}
