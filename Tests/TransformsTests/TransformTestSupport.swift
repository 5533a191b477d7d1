// Helpers shared by the transform tests: compile a PolyBench kernel with a
// backend and explicit transform options, and inspect the resulting tree.

import PolycDependences
import PolycDriver
import Foundation
import PolycISL
import PolycScheduler
import TestSupport
import PolycTransforms

enum TransformFixture {
  /// A strategy that uses `backend` and no transforms of its own.
  static func strategy(_ backend: Backend) -> Strategy {
    var s = Strategy()
    s.name = backend.rawValue
    s.backend = backend
    return s
  }

  static func compile(_ kernel: String, backend: Backend = .isl, options: TransformOptions) throws -> Compilation {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
    return try Pipeline.compile(kernel: k, strategy: strategy(backend), transforms: options)
  }

  /// `kernel` under a preset of Configs/ (its scheduler and its transforms).
  static func compile(_ kernel: String, preset: String) throws -> Compilation {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
    return try Pipeline.compile(kernel: k, strategy: try Pipeline.loadStrategy(path: Fixtures.configPath(preset)))
  }

  /// Names of the marks in the tree, outermost first (depth-first order).
  static func marks(_ schedule: Schedule) throws -> [String] {
    var out: [String] = []
    func walk(_ n: ScheduleNode) throws {
      if try n.kind() == .mark { out.append(try n.markId().name) }
      for i in 0..<(try n.childCount()) { try walk(try n.child(i)) }
    }
    try walk(try schedule.root())
    return out
  }

  /// Every band node of the tree.
  static func bands(_ schedule: Schedule) throws -> [ScheduleNode] {
    var out: [ScheduleNode] = []
    func walk(_ n: ScheduleNode) throws {
      if try n.kind() == .band { out.append(n) }
      for i in 0..<(try n.childCount()) { try walk(try n.child(i)) }
    }
    try walk(try schedule.root())
    return out
  }

  /// The band right below each mark named `name`.
  static func bandsBelowMarks(_ schedule: Schedule, named name: String) throws -> [ScheduleNode] {
    var out: [ScheduleNode] = []
    func walk(_ n: ScheduleNode) throws {
      if try n.kind() == .mark, try n.markId().name == name {
        var c = try n.child(0)
        while try c.kind() == .mark { c = try c.child(0) }
        if try c.kind() == .band { out.append(c) }
      }
      for i in 0..<(try n.childCount()) { try walk(try n.child(i)) }
    }
    try walk(try schedule.root())
    return out
  }
}
