//===- Wavefront.swift - Wavefront parallelism for tiled bands ------------===//
//
// Time-tiled stencils have tile bands whose every loop carries a dependence.
// As Pluto does, the two outer tile loops are skewed so that the second one
// becomes parallel (tiles on one anti-diagonal are independent):
//
//   for T0, for T1: tile(T0, T1)        for W = T0/s0 + T1/s1:
//                                ==>      parallel for T1: tile(W - T1/s1, T1)
//
// Tile loops step by their size s, so the skew divides by the sizes first.
// Skewing a permutable band keeps it permutable and makes its second loop
// parallel (proof at the skew); MarkAudit checks the resulting mark.
//
// The skewed band gets a `joint-band` mark: the parallel mark splits it
// after W, and isl's AST generator, given W's band alone, can spend hours
// in stride detection on the image of `floor(t0/s0) + floor(t1/s1)`; with
// the mark, the AST generator joins the band again when isl cannot generate
// W alone within a small budget (ASTJoinedBands.swift).
//
//===----------------------------------------------------------------------===//

import PolycISL

enum Wavefront {
  static func apply(_ tileBand: ScheduleNode, sizes: [Int], _ cx: TransformContext) throws -> ScheduleNode {
    let props = try cx.oracle.properties(of: tileBand)
    let n = props.memberCount
    guard n >= 2, props.firstParallelMember == nil else { return tileBand }
    // One fork/join per wave: worth it only when a tile holds a lot of work,
    // i.e. the statements have at least three loops (time + 2-D space, or a
    // 3-D factorization), not for 2-D nests such as trisolv's.
    let depth = try tileBand.domain().sets().map { try $0.dimensionCount() }.max() ?? 0
    guard depth >= cx.options.wavefrontMinDepth else {
      cx.note("wavefront: \(cx.describe(tileBand)): statements have \(depth) loops (< \(cx.options.wavefrontMinDepth)), too little work per wave, skipped")
      return tileBand
    }
    guard props.permutable else {
      cx.note("wavefront: \(cx.describe(tileBand)): not permutable, skipped")
      return tileBand
    }
    let vars = (0..<n).map { "t\($0)" }
    var out = vars
    out[0] = "floor(t0/\(sizes[0])) + floor(t1/\(sizes[1]))"
    let skew = try UnionMap(cx.scop.ctx, "{ [\(vars.joined(separator: ", "))] -> [\(out.joined(separator: ", "))] }")
    let partial = try tileBand.bandPartialScheduleUnionMap().applyRange(skew)
    let skewed = try TreeWalk.replaceBand(tileBand, partial: partial)
    // The skewed band's properties follow from the tile band's: it stays permutable (the
    // wave's distance is a sum of non-negative tile distances), and its second member is
    // parallel: a live dependence within one wave has d(T0) + d(T1) = 0 with both terms
    // non-negative, so d(T1) = 0. The wave carries what T0 carried, and the members after
    // the second see the same dependences as before (the wave and T1 determine T0).
    // MarkAudit checks the parallel mark this leads to with isl.
    var parallel = props.parallel
    parallel[0] = false
    parallel[1] = true
    let after = BandProperties(memberCount: n, permutable: true, parallel: parallel)
    try cx.oracle.record(derived: after, for: skewed)
    cx.note("wavefront: \(cx.describe(tileBand)): outer two tile loops skewed, second tile loop parallel")
    return try cx.annotate(skewed, after).insertMark(ASTGenerator.jointBandMark(members: n))
  }

}
