//===- IntraTileReordering.swift - A stride-1 parallel innermost loop -----===//
//
// Any permutation of a permutable band is legal. For every innermost
// permutable band (a point band after tiling, or an untiled innermost band)
// the member that is best as the innermost loop moves last: a parallel member
// whose accesses are all invariant or stride-1 (vectorizable), else the
// member with the fewest strided accesses. The other members keep their order:
//
//   for i, for j, for k:                 for i, for k, for j:
//     C[i][j] += A[i][k] * B[k][j]  ==>    C[i][j] += A[i][k] * B[k][j]
//
//===----------------------------------------------------------------------===//

import PolycISL

enum IntraTileReordering {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band, try node.bandMemberCount() >= 2, !(try TreeWalk.hasBandBelow(node)) else { return node }
      return try reorder(node, cx)
    }
  }

  struct Candidate {
    var member: Int
    var parallel: Bool
    var stride: StrideScore
    /// Larger is better.
    var rank: (Int, Int, Int, Int) {
      (parallel && stride.allContiguous ? 1 : 0, -stride.other, parallel ? 1 : 0, stride.unit)
    }
  }

  static func reorder(_ band: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    let props = try cx.oracle.properties(of: band)
    guard props.permutable else { return band }
    let n = props.memberCount
    // The last member is parallel as innermost exactly when it is parallel in place; a member
    // parallel in place stays parallel with fewer loops outside it. The dependence question
    // (a projection onto distance vectors) is asked only of a member that could beat the best
    // so far if it were parallel.
    var best = Candidate(member: n - 1, parallel: props.parallel[n - 1], stride: try cx.strideScore(band, member: n - 1))
    for m in 0..<(n - 1) {
      var c = Candidate(member: m, parallel: true, stride: try cx.strideScore(band, member: m))
      guard c.rank > best.rank else { continue }
      if !props.parallel[m] { c.parallel = try parallelAsInnermost(band, member: m, cx) }
      if c.rank > best.rank { best = c }
    }
    guard best.member != n - 1 else { return band }
    var order = Array(0..<n).filter { $0 != best.member }
    order.append(best.member)
    let vars = (0..<n).map { "p\($0)" }
    let perm = try UnionMap(cx.scop.ctx, "{ [\(vars.joined(separator: ", "))] -> [\(order.map { vars[$0] }.joined(separator: ", "))] }")
    let rebuilt = try TreeWalk.replaceBand(band, partial: try band.bandPartialScheduleUnionMap().applyRange(perm))
    let after = try cx.oracle.properties(of: rebuilt)
    guard after.permutable else { return band }
    if let loops = try cx.untiledLoops(of: band) {
      // The same permutation of the band's (last n) untiled loops.
      let outer = (0..<(try loops.maps().first?.outputDimensionCount() ?? n) - n).map { "o\($0)" }
      let permuteLast = try UnionMap(cx.scop.ctx, "{ [\((outer + vars).joined(separator: ", "))] -> [\((outer + order.map { vars[$0] }).joined(separator: ", "))] }")
      try cx.registerPointBand(rebuilt, untiledLoops: try loops.applyRange(permuteLast))
    }
    cx.note("reorder: \(cx.describe(band)): member \(best.member) moved innermost (\(best.stride.unit) stride-1, \(best.stride.invariant) invariant, \(best.stride.other) other accesses\(best.parallel ? ", parallel" : ""))")
    return try cx.annotate(rebuilt, after)
  }

  /// Whether member `m` would carry no dependence as the innermost loop of the band:
  /// every live distance that is zero in the other members is zero in `m`.
  static func parallelAsInnermost(_ band: ScheduleNode, member m: Int, _ cx: TransformContext) throws -> Bool {
    let dist = try cx.oracle.distances(at: band)
    if try dist.isEmpty() { return true }
    let n = try band.bandMemberCount()
    let d = (0..<n).map { "d\($0)" }
    let others = (0..<n).filter { $0 != m }.map { "d\($0) = 0" }
    let conds = others + ["(d\(m) < 0 or d\(m) > 0)"]
    let carried = try UnionSet(cx.scop.ctx, "{ [\(d.joined(separator: ", "))] : \(conds.joined(separator: " and ")) }")
    return try dist.intersect(carried).isEmpty()
  }
}
