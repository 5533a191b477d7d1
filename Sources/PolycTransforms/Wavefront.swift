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
// Skewing a permutable band keeps it permutable; the result is checked and
// the skew is dropped when the second loop is still not parallel.
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
    let after = try cx.oracle.properties(of: skewed)
    guard after.permutable, after.parallel.count > 1, after.parallel[1] else {
      cx.note("wavefront: \(cx.describe(tileBand)): skewing does not expose a parallel tile loop, skipped")
      return tileBand
    }
    cx.note("wavefront: \(cx.describe(tileBand)): outer two tile loops skewed, second tile loop parallel")
    return try cx.annotate(skewed, after).insertMark(ASTGenerator.jointBandMark(members: n))
  }

}
