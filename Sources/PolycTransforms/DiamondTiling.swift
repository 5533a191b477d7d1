//===- DiamondTiling.swift - Concurrent start for time-tiled stencils -----===//
//
// A time-iterated stencil scheduled as Pluto does has a permutable band
// (t, a*t + i, a*t + j, ...): time, then space skewed by time. Tiled as it
// is, its tile loops all carry dependences and the tiles run as a wavefront
// that starts with one tile and needs as many waves as the tile grid is
// wide and high before every thread has work (pipelined start-up).
//
// Diamond tiling (Bandishti, Pananilath and Bondhugula, SC 2012; Pluto's
// default) replaces the first two hyperplanes by two whose sum is parallel to
// the time axis: the skewed space hyperplane h1 = a*t + i + c and its mirror
// h2 = a*t - i + c (the space coefficients negated, time, parameters and
// constants kept):
//
//   band (t, 2t + i, 2t + j)      ==>    band (2t + i, 2t - i, 2t + j)
//
// Tiles along h1 and h2 are diamonds in (t, i). A wavefront over the first
// two tile loops (`Wavefront`: T1 + T2) then advances along time, and all the
// tiles of one wave are independent from the first wave on: concurrent start.
//
// The mirror is a candidate, not a proof: the band with it must be
// permutable (every live dependence non-negative in every member, asked of
// the dependence oracle), else the band is left as it was with a note. The
// pipeline checks the whole tree again after the passes.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum DiamondTiling {
  /// `band` with its first two members replaced by the diamond hyperplanes, annotated, or nil
  /// (with a note) when the band is not a time-skewed stencil band or the diamond is illegal.
  static func apply(_ band: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode? {
    let n = try band.bandMemberCount()
    guard n >= 2 else { return nil }
    let partial = try band.bandPartialScheduleUnionMap()
    var pieces: [String] = []
    var parameters: [String]?
    for m in try partial.maps() {
      guard let name = m.domainTupleName, let f = try m.affineFunctions(), f.count == n else {
        cx.note("diamond: \(cx.describe(band)): members are not affine functions, not diamond-tiled")
        return nil
      }
      // Member 0 is time: a positive multiple of the statement's first loop (plus constants).
      // Member 1 is space skewed by time: a positive time coefficient and some space term.
      guard let t0 = f[0].inputs.first, t0 > 0, f[0].inputs.dropFirst().allSatisfy({ $0 == 0 }),
            let t1 = f[1].inputs.first, t1 > 0, f[1].inputs.dropFirst().contains(where: { $0 != 0 }) else {
        cx.note("diamond: \(cx.describe(band)): the band is not (time, time-skewed space, ...), not diamond-tiled")
        return nil
      }
      var mirror = f[1]
      for d in 1..<mirror.inputs.count { mirror.inputs[d] = -mirror.inputs[d] }
      let params = try m.parameterNames()
      if parameters == nil { parameters = params }
      guard parameters == params else { return nil }
      let vars = (0..<f[1].inputs.count).map { "x\($0)" }
      let members = [f[1], mirror] + f[2...]
      pieces.append("\(name)[\(vars.joined(separator: ", "))] -> [\(members.map { expression($0, vars, params) }.joined(separator: ", "))]")
    }
    guard !pieces.isEmpty else { return nil }
    let text = "[\((parameters ?? []).joined(separator: ", "))] -> { \(pieces.joined(separator: "; ")) }"
    let candidate = try TreeWalk.replaceBand(band, partial: try UnionMap(cx.scop.ctx, text))
    let props = try cx.oracle.properties(of: candidate)
    guard props.permutable else {
      cx.note("diamond: \(cx.describe(band)): the mirrored hyperplane violates a dependence, not diamond-tiled")
      return nil
    }
    cx.note("diamond: \(cx.describe(band)): members 0, 1 replaced by a skewed space hyperplane and its mirror")
    return try cx.annotate(candidate, props)
  }

  /// `f` as isl text over the input names `vars` and the parameter names `params`.
  static func expression(_ f: AffineFunction, _ vars: [String], _ params: [String]) -> String {
    var terms = f.inputs.enumerated().filter { $0.element != 0 }.map { "\($0.element)*\(vars[$0.offset])" }
    terms += f.parameters.enumerated().filter { $0.element != 0 }.map { "\($0.element)*\(params[$0.offset])" }
    terms.append("\(f.constant)")
    return terms.joined(separator: " + ")
  }
}
