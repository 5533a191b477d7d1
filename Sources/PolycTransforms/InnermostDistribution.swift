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
// every copy becomes parallel; otherwise the band is left alone. Also applied
// when the loop is already parallel but its statements run over different
// iteration ranges (a fused, shifted stencil such as heat-3d): the fused
// loop would need a guard per statement inside its body, which defeats
// vectorization, while each distributed copy gets plain bounds.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum InnermostDistribution {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band, !(try TreeWalk.hasBandBelow(node)), try node.childCount() == 1 else { return node }
      let below = try node.child(0).kind()
      guard below == .leaf || below == .sequence else { return node }
      let props = try cx.oracle.properties(of: node)
      let last = props.memberCount - 1
      let statements = try node.domain().sets().compactMap(\.tupleName)
      guard statements.count > 1 else { return node }
      if props.parallel[last] {
        guard try rangesDiffer(node, statements) else { return node }
      }
      let order = cx.scop.statements.map(\.name).filter { statements.contains($0) }
      return try distribute(node, last: last, order: order, cx) ?? node
    }
  }

  /// True when two statements below `node` run over different ranges of the
  /// band's innermost loop for some values of the loops around it: the fused
  /// innermost loop would carry a guard per statement. (A statement that only
  /// runs at some outer iterations, such as gemm's `C *= beta` at k = 0, is
  /// guarded outside the innermost loop and does not count.)
  static func rangesDiffer(_ node: ScheduleNode, _ statements: [String]) throws -> Bool {
    let schedule = try node.child(0).prefixScheduleUnionMap()
    let domain = try node.domain()
    let ctx = domain.ctx
    var first: UnionMap? = nil
    for name in statements {
      guard let s = try domain.set(named: name) else { continue }
      let m = try schedule.intersectDomain(try s.toUnionSet())
      guard let dims = try m.maps().first?.outputDimensionCount(), dims >= 1 else { return false }
      let v = (0..<dims).map { "c\($0)" }
      let outer = try UnionMap(ctx, "{ [\(v.joined(separator: ", "))] -> [\(v.dropLast().joined(separator: ", "))] }")
      let inner = try UnionMap(ctx, "{ [\(v.joined(separator: ", "))] -> [\(v[dims - 1])] }")
      let relation = try m.applyRange(outer).reverse().applyRange(try m.applyRange(inner))
      if let f = first {
        let a = try f.intersectDomain(try relation.domain())
        let b = try relation.intersectDomain(try f.domain())
        if !(try a.isEqual(b)) { return true }
      } else {
        first = relation
      }
    }
    return false
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
