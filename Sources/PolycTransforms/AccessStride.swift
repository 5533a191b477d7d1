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

import PolycISL
import PolycModel

package struct StrideScore: Sendable, Equatable, Comparable {
  /// Accesses whose element does not change along the loop.
  package var invariant = 0
  /// Accesses that move by one element of their last subscript.
  package var unit = 0
  /// Every other access (strided, gathered or scattered).
  package var other = 0

  package var contiguous: Int { invariant + unit }
  package var allContiguous: Bool { other == 0 }
  package static func < (a: StrideScore, b: StrideScore) -> Bool {
    (a.other, -a.unit, -a.invariant) > (b.other, -b.unit, -b.invariant)
  }
}

package enum AccessStride {
  /// The stride score of band member `member` if it were the innermost loop.
  /// Kinds already classified, by statement schedule, loop dimension and access: the passes
  /// ask about the same statements again (reordering, then `simd`, then unroll-and-jam).
  package final class Memo {
    var kinds: [String: Kind] = [:]
    package init() {}
  }

  /// `loops`: the loops to hold fixed and step, when not the band's prefix and partial
  /// schedule: the tiling passes the point band's untiled loops (see `TransformContext`).
  package static func score(band: ScheduleNode, member: Int, scop: Scop, writesOnly: Bool = false, memo: Memo? = nil,
                            loops given: UnionMap? = nil) throws -> StrideScore {
    let ctx = scop.ctx
    let n = try band.bandMemberCount()
    let loops = try given ?? band.prefixScheduleUnionMap().flatRangeProduct(try band.bandPartialScheduleUnionMap())
    var score = StrideScore()
    for schedule in try loops.maps() {
      guard let name = schedule.domainTupleName, let st = scop.statement(named: name) else { continue }
      let total = try schedule.outputDimensionCount()
      let dim = total - n + member
      let scheduleText = memo == nil ? "" : schedule.description
      // The step between consecutive iterations of the loop, on the statement's own
      // iterations (computed once per statement and loop, not once per access).
      var step: Map?
      for access in st.accesses where access.isWrite || !writesOnly {
        let key = "\(scheduleText)|\(dim)|\(access.relation)"
        let k: Kind
        if let known = memo?.kinds[key] {
          k = known
        } else {
          if step == nil {
            let next = try Map(ctx, nextIterationMap(dims: total, at: dim))
            step = try schedule.applyRange(next).applyRange(try schedule.reverse())
          }
          let f = try Map(ctx, access.relation)
          k = try kind(of: try step!.applyDomain(f).applyRange(f).deltas(), ctx)
          memo?.kinds[key] = k
        }
        switch k {
        case .invariant: score.invariant += 1
        case .unit: score.unit += 1
        case .other: score.other += 1
        }
      }
    }
    return score
  }

  /// How an access moves between consecutive iterations of a loop.
  enum Kind { case invariant, unit, other }

  /// The differences `f(step(i)) - f(i)` over the domain of `f` (a map from
  /// iterations to array elements; `step` advances one loop by one).
  static func moves(_ f: Map, step: Map) throws -> Set {
    try f.reverse().applyRange(step).applyRange(f).deltas()
  }

  /// Classifies the element differences `delta` of one access.
  static func kind(of delta: Set, _ ctx: Context) throws -> Kind {
    let k = try delta.dimensionCount()
    if try k == 0 || delta.isEmpty() { return .invariant }
    let tuple = delta.tupleName ?? ""
    if try delta.isSubset(of: try Set(ctx, fixedDelta(tuple, dims: k, last: 0))) { return .invariant }
    if try delta.isSubset(of: try Set(ctx, unitDelta(tuple, dims: k))) { return .unit }
    return .other
  }

  /// `{ T[v0, .., vm, ..] -> T[v0, .., vm + 1, ..] }` (`tuple` empty: anonymous).
  static func nextIterationMap(dims: Int, at m: Int, tuple: String = "") -> String {
    let v = (0..<dims).map { "v\($0)" }
    var w = v
    w[m] = "v\(m) + 1"
    return "{ \(tuple)[\(v.joined(separator: ", "))] -> \(tuple)[\(w.joined(separator: ", "))] }"
  }

  static func fixedDelta(_ tuple: String, dims k: Int, last: Int) -> String {
    "{ \(tuple)[" + (Array(repeating: "0", count: k - 1) + ["\(last)"]).joined(separator: ", ") + "] }"
  }

  static func unitDelta(_ tuple: String, dims k: Int) -> String {
    "{ \(tuple)[" + (Array(repeating: "0", count: k - 1) + ["e"]).joined(separator: ", ") + "] : 0 <= e <= 1 }"
  }
}
