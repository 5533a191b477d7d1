//===- Dependences.swift - Flow, anti and output dependences --------------===//
//
// Value-based dependences from isl's dataflow analysis under the original
// schedule:
//   flow   (RAW): sinks = reads,  must-sources = writes;
//   output (WAW): sinks = writes, must-sources = writes;
//   anti   (WAR): sinks = writes, must-sources = writes (they kill older
//                 reads), may-sources = reads; the may-dependences that are
//                 not output dependences;
//   input  (RAR, optional): sinks = reads, may-sources = reads; used only as
//                 a proximity hint, never for legality.
// All maps relate source statement instances to sink instances.
//
// A schedule is legal when every dependence (source -> sink) is mapped to a
// lexicographically positive distance; `check(schedule:)` returns a witness
// for the first violated dependence.
//
//===----------------------------------------------------------------------===//

import PolycISL
import PolycModel

/// The kind of a dependence between two accesses to the same element: `flow` (read after
/// write), `anti` (write after read), `output` (write after write) or `input` (read after read;
/// a proximity hint, never a constraint on schedules).
public enum DependenceKind: String, Sendable, CaseIterable {
  case flow, anti, output, input
}

/// One violated dependence, with an example pair of instances.
public struct Violation: Error, CustomStringConvertible, Sendable {
  /// The kind of the violated dependence.
  public var kind: DependenceKind
  /// The statement that must run first.
  public var source: String
  /// The statement that must run after it.
  public var sink: String
  /// e.g. `S0[t = 1, i = 2] -> S0[t = 2, i = 1]`.
  public var witness: String
  /// The dependence and the example, as messages print it.
  public var description: String {
    "schedule violates the \(kind.rawValue) dependence \(source) -> \(sink) (for example \(witness))"
  }
}

/// A dependence analysis that could not finish.
public enum DependenceError: Error, CustomStringConvertible, Sendable {
  /// isl's dataflow analysis needed more than `maxOperations` operations.
  case budgetExhausted(kernel: String, maxOperations: UInt)
  /// A legality check (`Dependences.violation(of:)`) needed more than `maxOperations` operations.
  case legalityBudgetExhausted(kernel: String, maxOperations: UInt)

  /// What ran out, and the strategy key that raises the budget.
  public var description: String {
    switch self {
    case .budgetExhausted(let kernel, let n):
      return "kernel '\(kernel)': dependence analysis exceeded its budget of \(n) isl operations "
        + "(strategy key budget.dependenceOperations; the loop nest is too deep or too irregular)"
    case .legalityBudgetExhausted(let kernel, let n):
      return "kernel '\(kernel)': the legality check of a schedule exceeded its budget of \(n) isl operations "
        + "(strategy key budget.legalityOperations); the schedule is not used unproven"
    }
  }
}

package final class Dependences {
  package let scop: Scop
  package let flow: UnionMap
  package let anti: UnionMap
  package let output: UnionMap
  package let input: UnionMap?

  /// The isl operations the analysis of one kernel may take by default: the
  /// PolyBench kernels need a few hundred thousand, a 30-deep nest a few
  /// million. Past it the exact (value-based) analysis gives way to the
  /// memory-based one, under the same budget again (random program 8: the
  /// exact analysis takes minutes, the memory-based one a few seconds).
  package static let defaultMaxOperations: UInt = 5_000_000

  /// The isl operations one legality check may take by default.
  package static let defaultCheckOperations: UInt = 20_000_000

  /// Whether the dependences are value-based (isl's dataflow analysis:
  /// only the last write before a read, the next write after it) or the
  /// memory-based superset (every ordered pair of accesses to one element).
  package let isValueBased: Bool
  /// What the analysis had to give up, for the user (`polyc compile -v`).
  package let notes: [String]
  /// isl operations one `violation(of:)` may take (0: unlimited); past them
  /// it throws `DependenceError.legalityBudgetExhausted`.
  package let checkOperations: UInt

  /// Computes the dependences of `scop` within `maxOperations` isl operations
  /// (0: unlimited): value-based, or memory-based (with a note) when the
  /// dataflow analysis exceeds the budget; past the budget again, throws
  /// `DependenceError.budgetExhausted`.
  package init(scop: Scop, computeInput: Bool = false, maxOperations: UInt = Dependences.defaultMaxOperations,
              checkOperations: UInt = Dependences.defaultCheckOperations) throws {
    self.scop = scop
    self.checkOperations = checkOperations
    let s = scop.originalSchedule
    do {
      (flow, output, anti, input) = try scop.ctx.withBudget(maxOperations) {
        let deps = try scop.knownDependences ?? Scop.memoryDependences(reads: scop.reads, writes: scop.writes, schedule: s)
        let input = computeInput
          ? try Flow.compute(sink: scop.reads, mustSource: UnionMap.empty(scop.ctx), maySource: scop.reads, schedule: s).may.coalesce()
          : nil
        return (try deps.flow.coalesce(), try deps.output.coalesce(), try deps.anti.coalesce(), input)
      }
      isValueBased = true
      notes = []
    } catch let e as ISLError where e.isQuota {
      do {
        (flow, output, anti, input) = try scop.ctx.withBudget(maxOperations) {
          let deps = try Scop.memoryBasedDependences(reads: scop.reads, writes: scop.writes, schedule: s, input: computeInput)
          return (try deps.flow.coalesce(), try deps.output.coalesce(), try deps.anti.coalesce(), try deps.input?.coalesce())
        }
      } catch let e as ISLError where e.isQuota {
        throw DependenceError.budgetExhausted(kernel: scop.kernel.name, maxOperations: maxOperations)
      }
      isValueBased = false
      notes = ["dependences: the dataflow analysis exceeded its budget of \(maxOperations) isl operations "
        + "(budget.dependenceOperations); memory-based dependences are used instead (a safe superset)"]
    }
  }

  /// Flow, anti and output dependences: what a legal schedule must respect.
  package func validity() throws -> UnionMap { try flow.union(anti).union(output).coalesce() }

  package func map(_ kind: DependenceKind) -> UnionMap? {
    switch kind {
    case .flow: return flow
    case .anti: return anti
    case .output: return output
    case .input: return input
    }
  }

  /// Checks a schedule map (instance -> time vector). Returns nil when legal.
  ///
  /// For each dependence map, the time distance `sched(sink) - sched(source)`
  /// must be lexicographically positive. isl's flat schedule maps have one
  /// range dimension count for all statements, so the distances live in one
  /// space. Only when a dependence is violated is the (costlier) lexicographic
  /// order between its two statements built, to extract a witness pair.
  package func violation(of schedule: UnionMap) throws -> Violation? {
    let text = schedule.description
    if legalSchedules.contains(text) { return nil }
    let found: Violation?
    do {
      found = try scop.ctx.withBudget(checkOperations) { try findViolation(of: schedule) }
    } catch let e as ISLError where e.isQuota {
      throw DependenceError.legalityBudgetExhausted(kernel: scop.kernel.name, maxOperations: checkOperations)
    }
    if let v = found { return v }
    legalSchedules.insert(text)
    return nil
  }

  /// Schedule relations (isl's text) already found legal: the transform
  /// pipeline and the Driver check the same relation once.
  private var legalSchedules: Swift.Set<String> = []

  func findViolation(of schedule: UnionMap) throws -> Violation? {
    var perStatement: [String: Map] = [:]
    for m in try schedule.maps() { if let n = m.domainTupleName { perStatement[n] = m } }
    for kind in [DependenceKind.flow, .anti, .output] {
      guard let deps = map(kind) else { continue }
      for m in try deps.maps() {
        guard let src = m.domainTupleName.flatMap({ perStatement[$0] }), let dst = m.rangeTupleName.flatMap({ perStatement[$0] }) else {
          if try Self.violated(try m.toUnionMap(), schedule, scop: scop) { return try witness(kind: kind, dependence: m, schedule: schedule) }
          continue
        }
        // The dependence pairs whose sink is not scheduled strictly after the source: an
        // emptiness test on the pairs themselves, without projecting them onto their
        // distance vectors (that projection eliminates every tile and iterator variable and
        // dominated the compile time of tiled stencils).
        // Schedules of different lengths (isl compares only equal spaces): distances instead.
        guard try src.outputDimensionCount() == dst.outputDimensionCount() else {
          if try Self.violated(try m.toUnionMap(), schedule, scop: scop) { return try witness(kind: kind, dependence: m, schedule: schedule) }
          continue
        }
        let notAfter = try src.toUnionMap().lexGreaterOrEqual(try dst.toUnionMap())
        if try m.toUnionMap().intersect(notAfter).isEmpty() { continue }
        return try witness(kind: kind, dependence: m, schedule: schedule)
      }
    }
    return nil
  }

  /// The union-map form of the test, for a dependence whose statements the schedule does not name.
  static func violated(_ dep: UnionMap, _ schedule: UnionMap, scop: Scop) throws -> Bool {
    let distances = try dep.applyDomain(schedule).applyRange(schedule).deltas()
    guard let first = try distances.sets().first else { return false }
    let bad = try distances.intersect(try lexNonPositive(try first.dimensionCount(), prefix: scop.parameterPrefix, ctx: scop.ctx))
    return !(try bad.isEmpty())
  }

  func witness(kind: DependenceKind, dependence m: Map, schedule: UnionMap) throws -> Violation {
    let source = try schedule.intersectDomain(try m.domain().toUnionSet())
    let sink = try schedule.intersectDomain(try m.range().toUnionSet())
    let bad = try m.toUnionMap().intersect(try source.lexGreaterOrEqual(sink))
    let text: String
    if let badMap = try bad.maps().first {
      text = try badMap.wrap().samplePoint().map { Self.pointText($0.description) } ?? "\(badMap)"
    } else {
      text = "\(m)"
    }
    return Violation(kind: kind, source: m.domainTupleName ?? "?", sink: m.rangeTupleName ?? "?", witness: text)
  }

  /// `{ [d0, ..., dn-1] }` that are zero or lexicographically negative.
  static func lexNonPositive(_ n: Int, prefix: String, ctx: Context) throws -> UnionSet {
    let vars = (0..<n).map { "d\($0)" }
    var cases = [vars.map { "\($0) = 0" }.joined(separator: " and ")]
    for k in 0..<n {
      cases.append((vars[..<k].map { "\($0) = 0" } + ["\(vars[k]) < 0"]).joined(separator: " and "))
    }
    let body = n == 0 ? "" : " : " + cases.map { "(\($0))" }.joined(separator: " or ")
    return try UnionSet(ctx, prefix + "{ [\(vars.joined(separator: ", "))]\(body) }")
  }

  package func violation(of schedule: Schedule) throws -> Violation? { try violation(of: try schedule.map()) }

  /// True when `schedule` respects every flow, anti and output dependence.
  package func isLegal(_ schedule: Schedule) throws -> Bool { try violation(of: schedule) == nil }

  /// `[n] -> { [S0[1] -> S1[2]] }` -> `S0[1] -> S1[2]` (with the parameter values).
  static func pointText(_ p: String) -> String {
    var t = p
    if let r = t.range(of: "{ [") , let e = t.range(of: "] }", options: .backwards) {
      let params = String(t[..<r.lowerBound]).trimmingCharacters(in: .whitespaces)
      t = String(t[r.upperBound..<e.lowerBound])
      if params.hasPrefix("[") { t += " with " + params.replacingOccurrences(of: " ->", with: "") }
    }
    return t
  }

  /// Readable dump (`--emit deps`).
  package func render() throws -> String {
    var out = ""
    for kind in DependenceKind.allCases {
      guard let m = map(kind) else { continue }
      out += "\(kind.rawValue):\n"
      let maps = try m.maps()
      if maps.isEmpty { out += "  (none)\n" }
      for x in maps {
        out += "  \(x.domainTupleName ?? "?") -> \(x.rangeTupleName ?? "?"): \(x)\n"
        if let d = try? distanceText(x) { out += "    distance: \(d)\n" }
      }
    }
    return out
  }

  /// The distance set of a self-dependence (same statement on both sides).
  func distanceText(_ m: Map) throws -> String? {
    guard m.domainTupleName == m.rangeTupleName else { return nil }
    return try m.deltas().coalesce().description
  }
}

import Foundation
