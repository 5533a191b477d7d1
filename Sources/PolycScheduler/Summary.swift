//===- Summary.swift - What a schedule tree does, in words ----------------===//
//
// Walks an isl schedule tree and reports each band: its statements, the
// expression of every member per statement, the permutable and coincident
// flags isl records, and — computed from the dependences — which
// dependences each member carries (a member carries a dependence when the
// pair has equal outer schedule values and different values of this
// member). A member that carries nothing is a parallel loop.
// `polyc --emit schedule` prints `ScheduleResult.render(dependences:)`.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import PolycISL

/// One member (schedule dimension, loop) of a band in `BandSummary`.
public struct MemberSummary: Sendable {
  /// Statement name -> the member's expression for it (e.g. `S0[i, j] -> [(i)]`).
  public var expressions: [String: String]
  /// The coincident flag recorded in the tree.
  public var coincident: Bool
  /// The dependences this member carries (`flow S1 -> S1`).
  public var carries: [String]
  /// The member carries no dependence: its loop may run in parallel.
  public var isParallel: Bool { carries.isEmpty }
}

/// One band of a schedule tree, as `--emit schedule` summarises it.
public struct BandSummary: Sendable {
  /// Schedule dimensions (band members) above this band.
  public var depth: Int
  /// The statements the band schedules.
  public var statements: [String]
  /// The permutable flag recorded in the tree: the members may be interchanged and tiled.
  public var permutable: Bool
  /// The members, outermost first.
  public var members: [MemberSummary]
  /// True when no band lies above it on the path from the root.
  public var isOutermost: Bool
}

/// What a schedule tree does: its bands, with the dependences each member carries, and its
/// sequence nodes.
public struct ScheduleSummary: Sendable {
  /// The bands, in pre-order (outermost first).
  public var bands: [BandSummary]
  /// Sequence nodes: the statements of each child, in order.
  public var sequences: [[[String]]]

  /// Every outermost band's first member is a parallel loop (and there is one).
  public var hasOuterParallelLoop: Bool {
    let outer = bands.filter(\.isOutermost)
    return !outer.isEmpty && outer.allSatisfy { $0.members.first?.isParallel ?? false }
  }
  /// The largest number of members of a permutable band (1 for a non-permutable band).
  public var maxTilableDepth: Int {
    bands.map { $0.permutable ? $0.members.count : min(1, $0.members.count) }.max() ?? 0
  }
  /// The innermost band member above statement `name` (its innermost loop), if any.
  public func innermostExpression(of name: String) -> String? {
    bands.filter { $0.statements.contains(name) }.max { $0.depth < $1.depth }?.members.last?.expressions[name]
  }

  /// Summarises `schedule` against the validity dependences of `dependences`.
  package static func of(_ schedule: Schedule, dependences: Dependences) throws -> ScheduleSummary {
    var s = ScheduleSummary(bands: [], sequences: [])
    try walk(try schedule.root(), depth: 0, underBand: false, dependences, &s)
    return s
  }

  static func walk(_ node: ScheduleNode, depth: Int, underBand: Bool, _ deps: Dependences, _ s: inout ScheduleSummary) throws {
    var depth = depth
    var underBand = underBand
    switch try node.kind() {
    case .band:
      s.bands.append(try band(node, depth: depth, outermost: !underBand, deps))
      depth += try node.bandMemberCount()
      underBand = true
    case .sequence, .set:
      var children: [[String]] = []
      for i in 0..<(try node.childCount()) {
        let child = try node.child(i)
        children.append(try names(try child.kind() == .filter ? child.filter() : child.domain()))
      }
      s.sequences.append(children)
    default:
      break
    }
    for i in 0..<(try node.childCount()) {
      try walk(try node.child(i), depth: depth, underBand: underBand, deps, &s)
    }
  }

  static func names(_ u: UnionSet) throws -> [String] { try u.sets().compactMap(\.tupleName).sorted() }

  static func band(_ node: ScheduleNode, depth: Int, outermost: Bool, _ deps: Dependences) throws -> BandSummary {
    let domain = try node.domain()
    let mupa = try node.bandPartialSchedule()
    let n = try node.bandMemberCount()
    var outer = try node.prefixScheduleUnionMap().intersectDomain(domain)
    var members: [MemberSummary] = []
    var relevant: [(String, Map)] = []
    for kind in [DependenceKind.flow, .anti, .output] {
      guard let m = deps.map(kind) else { continue }
      for x in try m.intersectDomain(domain).intersectRange(domain).maps() where !(try x.isEmpty()) {
        relevant.append(("\(kind.rawValue) \(x.domainTupleName ?? "?") -> \(x.rangeTupleName ?? "?")", x))
      }
    }
    for i in 0..<n {
      let raw = try mupa.member(i)
      let member = try raw.intersectDomain(domain)
      var expressions: [String: String] = [:]
      for m in try raw.maps() {
        if let name = m.domainTupleName { expressions[name] = expressionText(m.description) }
      }
      let same = try outer.sameImage()
      let equal = try member.sameImage()
      var carries: [String] = []
      for (label, dep) in relevant {
        let live = try dep.toUnionMap().intersect(same)
        if try live.isEmpty() { continue }
        if !(try live.isSubset(of: equal)) && !carries.contains(label) { carries.append(label) }
      }
      members.append(MemberSummary(expressions: expressions, coincident: try node.bandMemberIsCoincident(i), carries: carries))
      outer = try outer.flatRangeProduct(member)
    }
    return BandSummary(depth: depth, statements: try names(domain), permutable: try node.bandIsPermutable(),
                       members: members, isOutermost: outermost)
  }

  /// `[n] -> { S0[i, j] -> [(i)] }` -> `S0[i, j] -> [(i)]`.
  static func expressionText(_ t: String) -> String {
    guard let a = t.firstIndex(of: "{"), let b = t.lastIndex(of: "}") else { return t }
    return t[t.index(after: a)..<b].trimmingCharacters(in: .whitespaces)
  }

  /// The readable report of `--emit schedule`.
  public func render() -> String {
    var out = ""
    for b in bands {
      out += "band at dimension \(b.depth) over \(b.statements.joined(separator: ", ")): \(b.members.count) member\(b.members.count == 1 ? "" : "s")"
      out += b.permutable ? ", permutable (tilable)\n" : "\n"
      for (i, m) in b.members.enumerated() {
        let exprs = m.expressions.keys.sorted().map { m.expressions[$0]! }.joined(separator: "; ")
        let flags = (m.isParallel ? "parallel" : "sequential") + (m.coincident ? ", coincident" : "")
        out += "  [\(b.depth + i)] \(flags): \(exprs)\n"
        out += "      carries: " + (m.carries.isEmpty ? "nothing" : m.carries.joined(separator: ", ")) + "\n"
      }
    }
    for seq in sequences {
      out += "sequence: " + seq.map { "{" + $0.joined(separator: ", ") + "}" }.joined(separator: " ; ") + "\n"
    }
    return out
  }
}

import Foundation

extension ScheduleResult {
  package func summary(dependences: Dependences) throws -> ScheduleSummary {
    try ScheduleSummary.of(schedule, dependences: dependences)
  }

  /// `--emit schedule`: the tree and a summary of its bands.
  package func render(dependences: Dependences) throws -> String {
    var out = "# strategy: \(strategyName.isEmpty ? "?" : strategyName) (backend \(backend))\n"
    for n in notes { out += "# note: \(n)\n" }
    out += "schedule tree:\n"
    out += schedule.blockText.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    if !out.hasSuffix("\n") { out += "\n" }
    out += "summary:\n"
    out += try summary(dependences: dependences).render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
    return out
  }
}
