//===- InnermostDistribution.swift - One innermost loop per statement -----===//
//
// In a fused, time-skewed stencil the innermost loop often carries a
// dependence only *between* statements (S0 writes B[i][j], S1 reads it one
// iteration later). Distributing that loop, one copy per statement in source
// order, lets the ordering come from the sequence and leaves each copy
// parallel, hence vectorizable (Pluto does the same for its point loops):
//
//   for i: for j: { S0(i, j); S1(i, j) }     for i: { for j: S0(i, j); for j: S1(i, j) }
//
// Applied to the last member of innermost bands that is not parallel, when
// every copy becomes parallel; otherwise the band is left alone.
//
//===----------------------------------------------------------------------===//

import ISL

enum InnermostDistribution {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band, !(try TreeWalk.hasBandBelow(node)), try node.childCount() == 1 else { return node }
      let below = try node.child(0).kind()
      guard below == .leaf || below == .sequence else { return node }
      let props = try cx.oracle.properties(of: node)
      let last = props.memberCount - 1
      guard !props.parallel[last] else { return node }
      let statements = try node.domain().sets().compactMap(\.tupleName)
      guard statements.count > 1 else { return node }
      let order = cx.scop.statements.map(\.name).filter { statements.contains($0) }
      return try distribute(node, last: last, order: order, cx) ?? node
    }
  }

  static func distribute(_ band: ScheduleNode, last: Int, order: [String], _ cx: TransformContext) throws -> ScheduleNode? {
    var inner = band
    if last > 0 { inner = try band.bandSplit(last).child(0) }
    if try inner.child(0).kind() == .leaf {
      let domain = try inner.domain()
      var parts: [UnionSet] = []
      for name in order {
        guard let s = try domain.set(named: name) else { return nil }
        parts.append(try s.toUnionSet().universe())
      }
      inner = try inner.child(0).insertSequence(parts).parent()
    }
    let sunk = try inner.bandSink()
    var seq = sunk
    guard try seq.kind() == .sequence else { return nil }
    for i in 0..<(try seq.childCount()) {
      let b = try seq.child(i).child(0)
      guard try b.kind() == .band else { continue }
      let p = try cx.oracle.properties(of: b)
      guard p.parallel[0] else { return nil }
      seq = try cx.annotate(b, p).parent().parent()
    }
    if let v = try cx.dependences.violation(of: try seq.schedule()) {
      cx.note("distribution: \(cx.describe(band)): would violate \(v), skipped")
      return nil
    }
    cx.note("distribution: \(cx.describe(band)): innermost loop distributed over \(order.joined(separator: ", ")), each copy parallel")
    var top = seq
    if last > 0 { top = try top.parent() }
    return top
  }
}
