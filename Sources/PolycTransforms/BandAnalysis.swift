//===- BandAnalysis.swift - What the dependences allow at a band node -----===//
//
// Every transform asks the dependences, never the scheduler's flags, whether
// a band may be tiled or a loop run in parallel:
//
//   live(B)  = { s -> t in validity : s, t reach B and prefix(s) = prefix(t) }
//   dist(B)  = { partial(t) - partial(s) : s -> t in live(B) }
//
// The band is permutable when every distance vector is non-negative in every
// member (Pluto's tiling condition). Member k is parallel when no distance
// vector is zero in members 0..k-1 and non-zero in member k: a loop at
// schedule depth d is parallel iff every dependence whose source and sink
// share the outer d schedule dimensions has distance 0 at d. Dependences
// between different children of a sequence below the prefix are not live:
// the sequence orders them.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import PolycISL
import PolycModel

/// What the dependences allow at one band node.
package struct BandProperties: Sendable, Equatable, CustomStringConvertible {
  package var memberCount: Int
  /// Every live dependence has a non-negative distance in every member.
  package var permutable: Bool
  /// Per member: no live dependence is carried by this member's loop.
  package var parallel: [Bool]

  package var firstParallelMember: Int? { parallel.firstIndex(of: true) }
  package var description: String {
    "\(memberCount) member(s), \(permutable ? "permutable" : "not permutable"), parallel \(parallel)"
  }
}

/// Answers dependence questions about the nodes of one schedule tree.
package struct DependenceOracle {
  package let scop: Scop
  let validity: UnionMap

  /// Results by band (its domain, prefix schedule and partial schedule as isl text): every pass
  /// asks about the same bands again, and each answer costs several isl projections.
  /// `properties` holds what isl computed; `derived`, what a transform derived from the
  /// properties of the band it rewrote (`record(derived:for:)`).
  final class Memo {
    var distances: [String: UnionSet] = [:]
    var properties: [String: BandProperties] = [:]
    var derived: [String: BandProperties] = [:]
    var live: [String: UnionMap] = [:]
  }
  let memo = Memo()

  package init(scop: Scop, dependences: Dependences) throws {
    self.scop = scop
    validity = try dependences.validity()
  }

  /// What the dependence facts of `band` depend on: its instances, the schedule above it and its
  /// own partial schedule.
  func key(_ band: ScheduleNode) throws -> String {
    "\(try band.domain())|\(try band.prefixScheduleUnionMap())|\(try band.bandPartialScheduleUnionMap())"
  }

  /// Dependences between instances that reach `node` with equal prefix schedules.
  /// The equal prefix is added on the instances (`eq_at`), which is much cheaper than composing
  /// the prefix with its inverse once the prefix has tile loops (floor divisions).
  package func liveDependences(at node: ScheduleNode) throws -> UnionMap {
    let domain = try node.domain()
    let prefix = try node.prefixScheduleUnionMap()
    let k = "\(domain)|\(prefix)"
    if let l = memo.live[k] { return l }
    var live = try validity.intersectDomain(domain).intersectRange(domain)
    var f: MultiUnionPwAff?
    do { f = try node.prefixScheduleMultiUnionPwAff() } catch let e as ISLError where !e.isQuota { f = nil }
    if let f {
      if try f.size() > 0 { live = try live.equalAt(f) }
    } else {
      live = try live.intersect(try prefix.applyRange(try prefix.reverse()))
    }
    memo.live[k] = live
    return live
  }

  /// The distance vectors of the live dependences in the band's members.
  package func distances(at band: ScheduleNode) throws -> UnionSet {
    let k = try key(band)
    if let d = memo.distances[k] { return d }
    let partial = try band.bandPartialScheduleUnionMap()
    let d = try liveDependences(at: band).applyDomain(partial).applyRange(partial).deltas()
    memo.distances[k] = d
    return d
  }

  /// Whether some member of the band has distance zero for every live dependence: then, the band
  /// being permutable, that member's tile loop carries nothing after tiling (with any sizes), and
  /// the tile band has a parallel loop. Asked before tiling, on the untiled band.
  package func someMemberHasOnlyZeroDistances(_ band: ScheduleNode) throws -> Bool {
    let live = try liveDependences(at: band)
    if try live.isEmpty() { return true }
    let partial = try band.bandPartialSchedule()
    for k in 0..<(try band.bandMemberCount()) {
      if try !Self.differ(live, at: try partial.memberFunction(k)) { return true }
    }
    return false
  }

  package func properties(of band: ScheduleNode) throws -> BandProperties {
    let k = try key(band)
    if let p = memo.properties[k] ?? memo.derived[k] { return p }
    let p = try computeProperties(of: band)
    memo.properties[k] = p
    return p
  }

  /// The properties of a band whose permutability the caller has proven (a rectangular tiling
  /// of a permutable band: see `Tiling`); only the parallel members are computed. Recorded as
  /// derived.
  package func properties(ofPermutable band: ScheduleNode) throws -> BandProperties {
    let k = try key(band)
    if let p = memo.properties[k] ?? memo.derived[k] { return p }
    let p = try computeProperties(of: band, knownPermutable: true)
    memo.derived[k] = p
    return p
  }

  /// Records properties of `band` that a transform derived, with its proof, from the band it
  /// rewrote instead of asking isl (a split band's halves, a skewed tile band). `properties(of:)`
  /// answers with them; `firstMemberIsParallel`, the question MarkAudit asks before a pragma is
  /// printed, does not trust them and asks isl.
  package func record(derived p: BandProperties, for band: ScheduleNode) throws {
    let k = try key(band)
    if memo.properties[k] == nil { memo.derived[k] = p }
  }

  /// The properties of the two halves of a band of properties `p` split after member `at`
  /// (`outer` has members 0..<at, its child the rest), derived when `p` is permutable:
  /// the outer half sees the same live dependences with fewer members; the inner half sees
  /// those equal in the outer members, and its member j is carried exactly when member
  /// `at + j` of the whole band is (the same members are equal before it). A subset of the
  /// dependences of a permutable band keeps non-negative distances.
  package func recordSplit(_ outer: ScheduleNode, of p: BandProperties, at: Int) throws {
    guard p.permutable, at > 0, at < p.memberCount else { return }
    try record(derived: BandProperties(memberCount: at, permutable: true, parallel: Array(p.parallel[..<at])), for: outer)
    try record(derived: BandProperties(memberCount: p.memberCount - at, permutable: true, parallel: Array(p.parallel[at...])),
               for: try outer.child(0))
  }

  /// Whether the band's first member carries no live dependence, always computed by isl (never
  /// from derived properties): MarkAudit's independent check of every mark.
  package func firstMemberIsParallel(_ band: ScheduleNode) throws -> Bool {
    if let p = memo.properties[try key(band)] { return p.parallel[0] }
    let live = try liveDependences(at: band)
    if try live.isEmpty() { return true }
    return try !Self.differ(live, at: try band.bandPartialSchedule().memberFunction(0))
  }

  /// Whether some pair of `pairs` takes different values of `f` at its source and its sink.
  static func differ(_ pairs: UnionMap, at f: MultiUnionPwAff) throws -> Bool {
    try !pairs.lexGreaterAt(f).isEmpty() || !pairs.lexLessAt(f).isEmpty()
  }

  /// The band's facts from the live dependence pairs themselves: member `k` is negative for a
  /// pair when `f_k(source) > f_k(sink)`, carries it when the members before `k` are equal and
  /// `f_k` differs. isl adds these constraints on the instances (`lex_gt_at`, `eq_at`), which is
  /// much cheaper than projecting the pairs onto distance vectors.
  func computeProperties(of band: ScheduleNode, knownPermutable: Bool = false) throws -> BandProperties {
    let n = try band.bandMemberCount()
    let live = try liveDependences(at: band)
    guard !(try live.isEmpty()) else {
      return BandProperties(memberCount: n, permutable: true, parallel: Array(repeating: true, count: n))
    }
    let partial = try band.bandPartialSchedule()
    var permutable = true
    var parallel: [Bool] = []
    var equalBefore = live
    for k in 0..<n {
      let f = try partial.memberFunction(k)
      if !knownPermutable, permutable, !(try live.lexGreaterAt(f).isEmpty()) { permutable = false }
      parallel.append(try !Self.differ(equalBefore, at: f))
      if k + 1 < n { equalBefore = try equalBefore.equalAt(f) }
    }
    return BandProperties(memberCount: n, permutable: permutable, parallel: parallel)
  }

}

/// Sets of distance vectors, as isl text.
enum DistanceSets {
  static func names(_ n: Int) -> [String] { (0..<n).map { "d\($0)" } }

  /// Vectors with at least one negative component.
  static func anyNegative(ctx: Context, dims n: Int) throws -> UnionSet {
    let d = names(n)
    return try UnionSet(ctx, "{ [\(d.joined(separator: ", "))] : \(d.map { "\($0) < 0" }.joined(separator: " or ")) }")
  }

  /// Vectors carried at member `k`: zero before `k`, non-zero at `k`.
  static func carried(ctx: Context, dims n: Int, at k: Int) throws -> UnionSet {
    let d = names(n)
    let zeros = d[..<k].map { "\($0) = 0" }
    let conds = zeros + ["(\(d[k]) < 0 or \(d[k]) > 0)"]
    return try UnionSet(ctx, "{ [\(d.joined(separator: ", "))] : \(conds.joined(separator: " and ")) }")
  }
}
