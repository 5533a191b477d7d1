//===- UnrollAndJam.swift - Unroll-and-jam of point loops -----------------===//
//
// Register reuse for vectorized point loops, and independent accumulators
// for reduction loops: in an innermost permutable band, the members above the
// innermost one are unrolled and jammed by the factors of `unrollAndJam`
// (second-innermost first; default [4, 4]). The band is split so each such member has its own band, marked
// `jam:<u>`; the C printer replicates the innermost body (UnrollJam.swift):
//
//   for i, for k, for j: C[i][j] += A[i][k] * B[k][j]
//     ==>  for i step 4, for k step 4, for j: 16 statements, C[i][j] ..
//          C[i+3][j] stay in registers across the four k copies
//
// Skipped when the innermost loop carries a dependence other than a
// reduction's (jamming then only lengthens dependence chains).
//
// Legal because any order of the members of a permutable band is legal, and
// each statement instance still sees its own updates in source order.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum UnrollAndJam {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    let factors = cx.options.unrollAndJam.filter { $0 > 1 }
    guard !factors.isEmpty else { return root }
    return try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band, !(try TreeWalk.hasBandBelow(node)) else { return node }
      let props = try cx.oracle.properties(of: node)
      let n = props.memberCount
      guard n >= 2 else { return node }
      guard props.permutable else {
        cx.note("unroll-and-jam: \(cx.describe(node)): not permutable, skipped")
        return node
      }
      // Jamming pays for vector loops (register reuse) and for reductions
      // (independent accumulators); an innermost loop that carries any other
      // dependence (floyd-warshall) only gets longer dependence chains.
      let accumulates = try cx.strideScore(node, member: n - 1, writesOnly: true).invariant > 0
      guard props.parallel[n - 1] || accumulates else {
        cx.note("unroll-and-jam: \(cx.describe(node)): innermost loop carries a dependence and is no reduction, skipped")
        return node
      }
      let jammed = min(factors.count, n - 1)
      let start = n - 1 - jammed
      let depth = try node.treeDepth()
      var cur = node
      if start > 0 { cur = try cur.bandSplit(start).child(0) }
      var applied: [String] = []
      for m in start..<(n - 1) {
        let u = factors[(n - 2) - m]
        cur = try cur.bandSplit(1).insertMark("jam:\(u)").child(0).child(0)
        applied.append("member \(m) by \(u)")
      }
      while try cur.treeDepth() > depth { cur = try cur.parent() }
      cx.note("unroll-and-jam: \(cx.describe(node)): \(applied.joined(separator: ", "))")
      return cur
    }
  }
}
