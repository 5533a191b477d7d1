//===- MarkAudit.swift - Re-checking every mark against the dependences ---===//
//
// The last pass: a `parallel` or `simd` mark must sit right above a band
// whose first member carries no live dependence, and a `parallel` mark must
// not sit below another one. A mark that fails is removed with a note, so
// the code generator never prints a pragma on a loop that carries a
// dependence, whatever an earlier pass did.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum MarkAudit {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try walk(root, insideParallel: false, cx)
  }

  static func walk(_ node: ScheduleNode, insideParallel: Bool, _ cx: TransformContext) throws -> ScheduleNode {
    var n = node
    var inside = insideParallel
    if try n.kind() == .mark {
      let name = try n.markId().name
      if name == ParallelMarks.name || name == VectorMarks.name {
        if let reason = try problem(n, name: name, insideParallel: insideParallel, cx) {
          cx.note("audit: removed '\(name)' mark: \(reason)")
          return try walk(try n.delete(), insideParallel: insideParallel, cx)
        }
        if name == ParallelMarks.name { inside = true }
      }
    }
    for i in 0..<(try n.childCount()) {
      n = try walk(try n.child(i), insideParallel: inside, cx).parent()
    }
    return n
  }

  static func problem(_ mark: ScheduleNode, name: String, insideParallel: Bool, _ cx: TransformContext) throws -> String? {
    if name == ParallelMarks.name && insideParallel { return "nested inside another parallel loop" }
    var band = try mark.child(0)
    while try band.kind() == .mark { band = try band.child(0) }
    guard try band.kind() == .band else { return "not above a band" }
    // Asked of isl, not of the properties the passes derived (DependenceOracle.record).
    guard try cx.oracle.firstMemberIsParallel(band) else { return "its loop carries a dependence" }
    return nil
  }
}
