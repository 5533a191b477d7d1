//===- Embedding.swift - The library API on isl strings and Swift values --===//
//
// What a host compiler uses without the `.loop` frontend: a SCoP described by
// isl strings (`ScopDescription`) is compiled like a kernel; a `Compilation`
// answers with values — the schedule tree as isl text and as a Swift value
// (`ScheduleTree`), the dependences as isl text, a legality re-check — so no
// isl object crosses the API. The Driver.docc article "Embedding" walks
// through it.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import PolycISL
import PolycModel
import PolycScheduler
import PolycTransforms

/// A static control part given as isl strings, the way Polly and PPCG describe one.
///
/// Statement bodies are opaque: generated C calls each statement as a macro with its
/// iterators, `S0(c0, c1)`, which the host defines.
public struct ScopDescription: Sendable, Hashable {
  /// Names the SCoP in messages and generated code.
  public var name: String
  /// The parameter context, for example `[N] -> { : N >= 1 }`.
  public var context: String
  /// The statements, each with its domain, original schedule and accesses.
  public var statements: [IslStatement]
  /// The arrays the accesses name, with their sizes (optional; used for C declarations).
  public var arrays: [IslArray]

  /// Describes a SCoP; nothing is parsed until it is compiled.
  public init(name: String, context: String, statements: [IslStatement], arrays: [IslArray] = []) {
    self.name = name
    self.context = context
    self.statements = statements
    self.arrays = arrays
  }
}

/// A schedule tree as a Swift value (isl's node kinds that polyc produces).
public indirect enum ScheduleTree: Sendable, Hashable {
  /// The root: the statement instances scheduled (isl union set text).
  case domain(String, child: ScheduleTree)
  /// A band of schedule dimensions.
  case band(ScheduleBand, child: ScheduleTree)
  /// Children executed one after the other (each a `filter`).
  case sequence([ScheduleTree])
  /// Children in any order (each a `filter`).
  case set([ScheduleTree])
  /// The statement instances of a subtree (isl union set text).
  case filter(String, child: ScheduleTree)
  /// A named mark, for example `parallel@1` or `npu_gemm`.
  case mark(String, child: ScheduleTree)
  /// A node kind polyc does not produce (context, guard, extension, expansion), by isl's name.
  case other(String, children: [ScheduleTree])
  /// The end of a branch.
  case leaf

  /// The bands of the tree, outermost first (pre-order).
  public var bands: [ScheduleBand] {
    var out: [ScheduleBand] = []
    visit { if case .band(let b, _) = $0 { out.append(b) } }
    return out
  }

  /// The names of the marks of the tree, in pre-order.
  public var marks: [String] {
    var out: [String] = []
    visit { if case .mark(let m, _) = $0 { out.append(m) } }
    return out
  }

  /// The direct subtrees.
  public var children: [ScheduleTree] {
    switch self {
    case .domain(_, let c), .band(_, let c), .filter(_, let c), .mark(_, let c): return [c]
    case .sequence(let cs), .set(let cs), .other(_, let cs): return cs
    case .leaf: return []
    }
  }

  /// Calls `body` on every node, parents before children.
  public func visit(_ body: (ScheduleTree) -> Void) {
    body(self)
    for c in children { c.visit(body) }
  }
}

/// One band of a `ScheduleTree`.
public struct ScheduleBand: Sendable, Hashable {
  /// The band's partial schedule (isl multi union piecewise affine text).
  public var schedule: String
  /// The number of schedule dimensions (loops) of the band.
  public var memberCount: Int
  /// Whether the band's members may be permuted and tiled.
  public var permutable: Bool
  /// Per member: the loop carries no dependence (it may run in parallel).
  public var coincident: [Bool]
}

extension ScheduleTree {
  /// The value of an isl schedule node and its subtree.
  init(_ node: ScheduleNode, depth: Int = 0) throws {
    guard depth < 256 else { throw PolycError.io("schedule tree deeper than 256 nodes") }
    let children = try (0..<node.childCount()).map { try ScheduleTree(try node.child($0), depth: depth + 1) }
    let only = children.first ?? .leaf
    switch try node.kind() {
    case .domain: self = .domain("\(try node.domain())", child: only)
    case .band:
      let n = try node.bandMemberCount()
      self = .band(ScheduleBand(schedule: "\(try node.bandPartialSchedule())", memberCount: n, permutable: try node.bandIsPermutable(),
                                coincident: try (0..<n).map { try node.bandMemberIsCoincident($0) }), child: only)
    case .sequence: self = .sequence(children)
    case .set: self = .set(children)
    case .filter: self = .filter("\(try node.filter())", child: only)
    case .mark: self = .mark(try node.markId().name, child: only)
    case .leaf: self = .leaf
    case .context: self = .other("context", children: children)
    case .guard_: self = .other("guard", children: children)
    case .extension: self = .other("extension", children: children)
    case .expansion: self = .other("expansion", children: children)
    }
  }
}

extension Compilation {
  /// The schedule C is generated from (the scheduler's, transformed), in isl's text form; it
  /// can be given back as `loadedSchedule`.
  public var scheduleText: String { "\(codeSchedule)" }

  /// The schedule C is generated from, as a Swift value.
  public func scheduleTree() throws -> ScheduleTree {
    do { return try ScheduleTree(try codeSchedule.root()) } catch { throw PolycError.wrap(error) }
  }

  /// The scheduler's schedule before the CPU transforms (tiling, marks), as a Swift value.
  public func schedulerTree() throws -> ScheduleTree {
    do { return try ScheduleTree(try schedule.root()) } catch { throw PolycError.wrap(error) }
  }

  /// The statement names of the SCoP, in order.
  public var statementNames: [String] { scop.statements.map(\.name) }

  /// The flow, anti and output dependences as isl union map text.
  public func dependenceRelations() throws -> (flow: String, anti: String, output: String) {
    ("\(dependences.flow)", "\(dependences.anti)", "\(dependences.output)")
  }

  /// Checks the schedule C is generated from against the dependences again; nil when legal,
  /// else the violated dependence with a witness. (`Pipeline.compile` has already refused an
  /// illegal schedule; this lets a host verify a schedule it kept.)
  public func violation() throws -> Violation? {
    do { return try dependences.violation(of: codeSchedule) } catch { throw PolycError.wrap(error) }
  }

  /// Whether the schedule executes exactly the SCoP's statement instances, each once.
  public func isComplete() throws -> Bool {
    do {
      let domain = try codeSchedule.domain().intersectParams(scop.context)
      guard try domain.isEqual(try scop.domain.intersectParams(scop.context)) else { return false }
      return try codeSchedule.map().intersectDomain(domain).isSingleValued()
    } catch {
      throw PolycError.wrap(error)
    }
  }
}

extension Pipeline {
  /// Compiles a SCoP given as isl strings: dependences under its original schedule, the
  /// strategy's scheduler, legality check, the strategy's transforms, legality check.
  ///
  /// - Throws: `PolycError` (`.isl` for a string that is not valid isl, `.illegalSchedule`,
  ///   `.scheduling`, `.budget`, ...).
  public static func compile(scop description: ScopDescription, strategy: Strategy,
                             transforms: TransformOptions? = nil) throws -> Compilation {
    let scop: Scop
    do {
      scop = try Scop.build(name: description.name, context: description.context, statements: description.statements,
                            arrays: description.arrays, ctx: Context())
    } catch {
      throw PolycError.wrap(error)
    }
    return try compile(scop: scop, strategy: strategy, transforms: transforms, loadedSchedule: nil)
  }
}
