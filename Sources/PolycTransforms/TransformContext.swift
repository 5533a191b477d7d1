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

  init(scop: Scop, dependences: Dependences, options: TransformOptions, serial: [Directive] = []) throws {
    self.serial = serial
    self.scop = scop
    self.oracle = try DependenceOracle(scop: scop, dependences: dependences)
    self.dependences = dependences
    self.options = options
  }

  func note(_ text: String) { notes.append(text) }

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
    return "band over \(names.joined(separator: ", ")) (\(members) member\(members == 1 ? "" : "s"))"
  }

  /// Sets the band's permutable and coincident flags from the dependences.
  func annotate(_ band: ScheduleNode, _ props: BandProperties) throws -> ScheduleNode {
    var b = try band.bandSetPermutable(props.permutable)
    for (i, p) in props.parallel.enumerated() { b = try b.bandMemberSetCoincident(i, p) }
    return b
  }

  func annotate(_ band: ScheduleNode) throws -> ScheduleNode { try annotate(band, try oracle.properties(of: band)) }
}
