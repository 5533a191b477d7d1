//===- TreeWalk.swift - Rewriting every node of a schedule tree -----------===//
//
// isl schedule nodes are positions in an immutable tree: each edit returns a
// node of a new tree. A rewrite callback receives a node and returns the node
// at the *same position* (tree depth) of the edited tree, so the walk can go
// back to the parent. Transforms that insert nodes (tiling, marks, splits)
// return the topmost inserted node.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum TreeWalk {
  /// Whether the walks stop at `node`: a subtree a pass has finished (`MatmulOptimizer`'s mark),
  /// which the later passes must leave as it is.
  static func isSealed(_ node: ScheduleNode) throws -> Bool {
    try node.kind() == .mark && node.markId().name == MatmulOptimizer.markName
  }

  /// Children first, then `body` on the node itself. Sealed subtrees are skipped.
  static func bottomUp(_ node: ScheduleNode, _ body: (ScheduleNode) throws -> ScheduleNode) throws -> ScheduleNode {
    if try isSealed(node) { return node }
    var n = node
    let count = try n.childCount()
    for i in 0..<count {
      n = try bottomUp(try n.child(i), body).parent()
    }
    return try body(n)
  }

  /// `body` on the node first; when it answers `descend`, the walk continues
  /// into the children of the node it returned. Sealed subtrees are skipped.
  static func topDown(_ node: ScheduleNode, _ body: (ScheduleNode) throws -> (ScheduleNode, descend: Bool)) throws -> ScheduleNode {
    if try isSealed(node) { return node }
    var (n, descend) = try body(node)
    guard descend else { return n }
    let count = try n.childCount()
    for i in 0..<count {
      n = try topDown(try n.child(i), body).parent()
    }
    return n
  }

  /// Whether any band node lies strictly below `node`.
  static func hasBandBelow(_ node: ScheduleNode) throws -> Bool {
    for i in 0..<(try node.childCount()) {
      let c = try node.child(i)
      if try c.kind() == .band || hasBandBelow(c) { return true }
    }
    return false
  }

  /// The number of band members (loops) on the longest path below `node`, `node` excluded.
  static func loopDepthBelow(_ node: ScheduleNode) throws -> Int {
    var best = 0
    for i in 0..<(try node.childCount()) {
      let c = try node.child(i)
      let own = try c.kind() == .band ? try c.bandMemberCount() : 0
      best = max(best, own + (try loopDepthBelow(c)))
    }
    return best
  }

  /// The number of band members above `node` (its loop depth).
  static func loopDepthAbove(_ node: ScheduleNode) throws -> Int {
    var depth = 0
    var n = node
    while try n.hasParent() {
      n = try n.parent()
      if try n.kind() == .band { depth += try n.bandMemberCount() }
    }
    return depth
  }

  /// Replaces a band by a band with the partial schedule `partial`, keeping its subtree.
  /// Returns the new band (at the same position).
  static func replaceBand(_ band: ScheduleNode, partial: UnionMap) throws -> ScheduleNode {
    let mupa = try partial.toMultiUnionPwAff()
    return try band.delete().insertPartialSchedule(mupa)
  }
}
