//===- TransformContext.swift - State shared by the passes of one run -----===//

import PolycDependences
import PolycISL
import PolycModel
import PolycScheduler

/// The dependences, options and notes of one run of the transform pipeline.
final class TransformContext {
  let scop: Scop
  let oracle: DependenceOracle
  let dependences: Dependences
  let options: TransformOptions
  /// `serial` directives: loops of these iterators are never parallel.
  let serial: [Directive]
  private(set) var notes: [String] = []
  /// Bands tiled so far (a dropped tiling pass is not undone here: gains are a heuristic).
  var tiledBands = 0
  /// Access strides already classified (AccessStride).
  let strides = AccessStride.Memo()
  /// The untiled loops of the point bands the tiling made, by `bandKey`: the band's prefix and
  /// partial schedule before tiling. An access moves along a point loop (its tile fixed) as it
  /// moves along the loop before tiling, and the stride test on the untiled loops is much
  /// cheaper than inverting a schedule with the tile loops' floor divisions.
  private var untiledLoops: [String: UnionMap] = [:]

  func bandKey(_ band: ScheduleNode) throws -> String {
    "\(try band.domain())|\(try band.bandPartialScheduleUnionMap())"
  }

  /// Records that `point` is the point band of a band whose loops were `loops`.
  func registerPointBand(_ point: ScheduleNode, untiledLoops loops: UnionMap) throws {
    untiledLoops[try bandKey(point)] = loops
  }

  /// The untiled loops of `point`'s members when the tiling made it, else nil.
  func untiledLoops(of point: ScheduleNode) throws -> UnionMap? { untiledLoops[try bandKey(point)] }

  /// The stride score of `member` of `band` (AccessStride), on its untiled loops when it is a
  /// point band.
  func strideScore(_ band: ScheduleNode, member: Int, writesOnly: Bool = false) throws -> StrideScore {
    try AccessStride.score(band: band, member: member, scop: scop, writesOnly: writesOnly, memo: strides,
                           loops: try untiledLoops(of: band))
  }

  init(scop: Scop, dependences: Dependences, options: TransformOptions, serial: [Directive] = []) throws {
    self.serial = serial
    self.scop = scop
    self.oracle = try DependenceOracle(scop: scop, dependences: dependences)
    self.dependences = dependences
    self.options = options
  }

  func note(_ text: String) { notes.append(text) }

  /// Forgets what a discarded run of the passes noted and tiled (the caches stay: they are
  /// keyed by the trees they describe).
  func forgetRun() {
    notes = []
    tiledBands = 0
  }

  /// The `serial` directive that forbids running band member `member` in parallel, if any:
  /// one whose iterator the member's schedule depends on.
  func serialDirective(forbidding member: Int, of band: ScheduleNode) throws -> Directive? {
    guard !serial.isEmpty else { return nil }
    let partial = try band.bandPartialScheduleUnionMap()
    let n = try band.bandMemberCount()
    for d in serial {
      guard let it = d.iterator, let st = scop.statement(named: d.statement), let p = st.iterators.firstIndex(of: it) else { continue }
      let vars = st.iterators.indices.map { "x\($0)" }
      var moved = vars
      moved[p] = "x\(p) + 1"
      let step = try UnionMap(scop.ctx, "{ \(d.statement)[\(vars.joined(separator: ", "))] -> \(d.statement)[\(moved.joined(separator: ", "))] }")
      let deltas = try partial.reverse().applyRange(step).applyRange(partial).deltas()
      let names = (0..<n).map { "d\($0)" }
      let changes = try UnionSet(scop.ctx, "{ [\(names.joined(separator: ", "))] : d\(member) < 0 or d\(member) > 0 }")
      if !(try deltas.intersect(changes).isEmpty()) { return d }
    }
    return nil
  }

  /// `band over S0, S1 (3 members)`, for notes.
  func describe(_ band: ScheduleNode) -> String {
    let names = ((try? band.domain().sets()) ?? []).compactMap(\.tupleName).sorted()
    let members = (try? band.bandMemberCount()) ?? 0
    let over = names.isEmpty ? "no statement instance" : names.joined(separator: ", ")
    return "band over \(over) (\(members) member\(members == 1 ? "" : "s"))"
  }

  /// Sets the band's permutable and coincident flags from the dependences.
  func annotate(_ band: ScheduleNode, _ props: BandProperties) throws -> ScheduleNode {
    var b = try band.bandSetPermutable(props.permutable)
    for (i, p) in props.parallel.enumerated() { b = try b.bandMemberSetCoincident(i, p) }
    return b
  }

  func annotate(_ band: ScheduleNode) throws -> ScheduleNode { try annotate(band, try oracle.properties(of: band)) }

  /// `annotate` for a band the caller knows to be permutable (a tile or point band of a
  /// permutable band): only its parallel members are computed.
  func annotatePermutable(_ band: ScheduleNode) throws -> ScheduleNode {
    try annotate(band, try oracle.properties(ofPermutable: band))
  }
}
