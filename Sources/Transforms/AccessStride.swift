//===- AccessStride.swift - How array accesses move along one loop --------===//
//
// For a band member m and every access of every statement below the band:
// take two consecutive iterations of m (all outer loops and the other
// members fixed) and look at the difference of the accessed elements.
// An access is *contiguous* along m when that difference is 0 (invariant) or
// +1 in the last subscript and 0 elsewhere: a vector unit then loads or
// broadcasts it. The intra-tile reordering and the `simd` marks use the
// count of contiguous and non-contiguous accesses.
//
//===----------------------------------------------------------------------===//

import ISL
import Model

public struct StrideScore: Sendable, Equatable, Comparable {
  /// Accesses whose element does not change along the loop.
  public var invariant = 0
  /// Accesses that move by one element of their last subscript.
  public var unit = 0
  /// Every other access (strided, gathered or scattered).
  public var other = 0

  public var contiguous: Int { invariant + unit }
  public var allContiguous: Bool { other == 0 }
  public static func < (a: StrideScore, b: StrideScore) -> Bool {
    (a.other, -a.unit, -a.invariant) > (b.other, -b.unit, -b.invariant)
  }
}

public enum AccessStride {
  /// The stride score of band member `member` if it were the innermost loop.
  public static func score(band: ScheduleNode, member: Int, scop: Scop, writesOnly: Bool = false) throws -> StrideScore {
    let ctx = scop.ctx
    let n = try band.bandMemberCount()
    let loops = try band.prefixScheduleUnionMap().flatRangeProduct(try band.bandPartialScheduleUnionMap())
    var score = StrideScore()
    for schedule in try loops.maps() {
      guard let name = schedule.domainTupleName, let st = scop.statement(named: name) else { continue }
      let total = try schedule.outputDimensionCount()
      let next = try Map(ctx, nextIterationMap(dims: total, at: total - n + member))
      for access in st.accesses where access.isWrite || !writesOnly {
        let a = try Map(ctx, access.relation)
        let touched = try schedule.reverse().applyRange(a)
        let moves = try touched.reverse().applyRange(next).applyRange(touched)
        let delta = try moves.deltas()
        let k = try delta.dimensionCount()
        let empty = try delta.isEmpty()
        if k == 0 || empty { score.invariant += 1; continue }
        if try delta.isSubset(of: try Set(ctx, fixedDelta(delta.tupleName ?? "", dims: k, last: 0))) { score.invariant += 1; continue }
        if try delta.isSubset(of: try Set(ctx, unitDelta(delta.tupleName ?? "", dims: k))) { score.unit += 1; continue }
        score.other += 1
      }
    }
    return score
  }

  /// True when some statement below `band` writes one element across
  /// consecutive iterations of `member`: an accumulator (a reduction loop).
  public static func accumulates(band: ScheduleNode, member: Int, scop: Scop) throws -> Bool {
    try score(band: band, member: member, scop: scop, writesOnly: true).invariant > 0
  }

  static func nextIterationMap(dims: Int, at m: Int) -> String {
    let v = (0..<dims).map { "v\($0)" }
    var w = v
    w[m] = "v\(m) + 1"
    return "{ [\(v.joined(separator: ", "))] -> [\(w.joined(separator: ", "))] }"
  }

  static func fixedDelta(_ tuple: String, dims k: Int, last: Int) -> String {
    "{ \(tuple)[" + (Array(repeating: "0", count: k - 1) + ["\(last)"]).joined(separator: ", ") + "] }"
  }

  static func unitDelta(_ tuple: String, dims k: Int) -> String {
    "{ \(tuple)[" + (Array(repeating: "0", count: k - 1) + ["e"]).joined(separator: ", ") + "] : 0 <= e <= 1 }"
  }
}
