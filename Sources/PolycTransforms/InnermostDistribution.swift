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
      return try distribute(node, props, order: order, cx) ?? node
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

  static func distribute(_ band: ScheduleNode, _ props: BandProperties, order: [String], _ cx: TransformContext) throws -> ScheduleNode? {
    let last = props.memberCount - 1
    let loops = try cx.untiledLoops(of: band)
    var inner = band
    if last > 0 {
      let outer = try band.bandSplit(last)
      try cx.oracle.recordSplit(outer, of: props, at: last)
      inner = try outer.child(0)
    }
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
      // A copy sees a subset of the dependences live at the distributed loop: parallel when
      // that loop was (then its live distances are all zero, and it is permutable).
      if props.parallel[last] {
        try cx.oracle.record(derived: BandProperties(memberCount: 1, permutable: true, parallel: [true]), for: b)
      }
      let p = try cx.oracle.properties(of: b)
      guard p.parallel[0] else { return nil }
      // The copy's loop is the point band's last: the same untiled loop (AccessStride).
      if let loops { try cx.registerPointBand(b, untiledLoops: try loops.intersectDomain(try b.domain())) }
      seq = try cx.annotate(b, p).parent().parent()
    }
    if let (source, sink) = try reversedDependence(seq, cx) {
      cx.note("distribution: \(cx.describe(band)): a dependence from \(source) to \(sink) would run backwards, skipped")
      return nil
    }
    cx.note("distribution: \(cx.describe(band)): innermost loop distributed over \(order.joined(separator: ", ")), each copy parallel")
    var top = seq
    if last > 0 { top = try top.parent() }
    return top
  }

  /// The statements of a dependence that the distributed sequence `seq` would reverse, if any.
  /// Below the prefix of `seq` (the loops around the distributed one), the old innermost loop
  /// ordered the instances of different copies; now the sequence does. A dependence between
  /// instances with the same prefix from a later copy to an earlier one would run backwards.
  /// Within one copy nothing changes: the copy is parallel (checked by the caller), so its
  /// instances with the same prefix keep the order of the subtree below. This local test
  /// replaces a legality check of the whole tree (the pipeline checks its final result).
  static func reversedDependence(_ seq: ScheduleNode, _ cx: TransformContext) throws -> (String, String)? {
    let live = try cx.oracle.liveDependences(at: seq)
    if try live.isEmpty() { return nil }
    let copies = try (0..<(try seq.childCount())).map { try seq.child($0).filter() }
    for later in copies.indices {
      for earlier in 0..<later {
        let backwards = try live.intersectDomain(copies[later]).intersectRange(copies[earlier])
        if let m = try backwards.maps().first(where: { !(try $0.isEmpty()) }) {
          return (m.domainTupleName ?? "?", m.rangeTupleName ?? "?")
        }
      }
    }
    return nil
  }
}
