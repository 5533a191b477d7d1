//===- Scheduler.swift - Entry point: strategy + model -> schedule --------===//
//
// Runs the strategy's backend, then its fallbacks (identity always ends the
// chain), each under the strategy's isl operation budget. Every schedule is
// verified here before it is returned: complete (its domain is the Scop's
// domain), legal (no dependence violated) and injective (no two instances
// share a time). A backend that fails, runs out of budget or produces a
// schedule failing a check is skipped with a note. Directives that cannot be
// honoured are user errors (`StrategyError`), never silently dropped.
//
//===----------------------------------------------------------------------===//

import Dispatch
import PolycDependences
import PolycISL
import PolycModel

/// The schedule chosen for a kernel and how it was found.
public struct ScheduleResult {
  package let schedule: Schedule
  /// The backend that produced it (`polytops`, `isl`, `feautrier`, `identity`).
  public let backend: String
  /// Fallbacks taken, distributions made, directives ignored.
  public let notes: [String]
  /// The name of the strategy that was run.
  public let strategyName: String
  /// The directives the schedule honours (code generation reads serial/reduce/vector).
  public let directives: [Directive]

  package init(schedule: Schedule, backend: String, notes: [String], strategyName: String = "", directives: [Directive] = []) {
    self.schedule = schedule
    self.backend = backend
    self.notes = notes
    self.strategyName = strategyName
    self.directives = directives
  }
}

/// Runs a strategy's backend and its fallback chain (`Pipeline.compile` calls it).
public enum SchedulerDriver {
  /// Schedules `scop` as `strategy` says; the result is complete, legal and injective.
  package static func schedule(scop: Scop, dependences: Dependences, strategy: Strategy) throws -> ScheduleResult {
    var chain = [strategy.backend]
    for b in strategy.fallback where !chain.contains(b) { chain.append(b) }
    if !chain.contains(.identity) { chain.append(.identity) }
    let needsPlan = chain.contains(.polytops) || chain.contains(.feautrier)
    var notes: [String] = []
    var plan: DirectivePlan?
    var planProblem: Problem?
    // When building the problem and the directive plan already exhausts the budget, the
    // polytops and feautrier attempts (which build the same problem and plan under the same
    // budget, then schedule) cannot finish either: they are skipped, not run into it again.
    var planExhausted: ISLError?
    // `budget.seconds` bounds each computation; once the stage as a whole (the plan and the
    // attempts so far) has run that long, only the identity schedule is left to try, so the
    // stage ends within about twice the limit.
    let start = DispatchTime.now()
    let limit = Double(strategy.secondsPerComputation)
    if needsPlan {
      do {
        plan = try scop.ctx.withBudget(strategy.maxOperations) {
          let problem = try Problem(scop: scop, dependences: dependences)
          planProblem = problem
          return try DirectivePlan(strategy: strategy, problem: problem, dependences: dependences)
        }
      } catch let e as ISLError where e.isQuota {
        plan = nil
        planExhausted = e
      }
    }
    for backend in chain {
      if let e = planExhausted, backend == .polytops || backend == .feautrier {
        notes.append("\(backend.rawValue): \(exhausted(e, strategy)) while building its problem; trying the next backend")
        continue
      }
      let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
      if backend != .identity, limit > 0, elapsed >= limit {
        notes.append("\(backend.rawValue): not tried, scheduling has already run \(Int(elapsed)) s (budget.seconds is \(Int(limit)))")
        continue
      }
      do {
        let fresh = backend == .polytops || backend == .feautrier ? planProblem.take() : nil
        let (schedule, extra) = try attempt(backend, scop: scop, dependences: dependences, strategy: strategy, problem: fresh)
        if backend != .identity, let problem = try verify(schedule, scop: scop, dependences: dependences) {
          notes.append("\(backend.rawValue): \(problem); trying the next backend")
          continue
        }
        if backend == .isl || backend == .identity, !strategy.directives.isEmpty {
          notes.append("\(backend.rawValue): directives are not honoured by this backend")
        }
        return ScheduleResult(schedule: schedule, backend: backend.rawValue, notes: notes + extra, strategyName: strategy.name,
                              directives: backend == .polytops || backend == .feautrier ? strategy.directives : [])
      } catch let e as StrategyError {
        throw e
      } catch let e as ISLError where e.isQuota {
        notes.append("\(backend.rawValue): \(exhausted(e, strategy)); trying the next backend")
      } catch let e as DependenceError {
        notes.append("\(backend.rawValue): \(e); trying the next backend")
      } catch let f as SchedulingFailure {
        if let plan, !plan.loopDirectives.isEmpty, backend != .isl {
          throw try blame(plan, failure: f, scop: scop, dependences: dependences, strategy: strategy)
        }
        notes.append("\(backend.rawValue): \(f.message); trying the next backend")
      } catch {
        notes.append("\(backend.rawValue): \(error); trying the next backend")
      }
    }
    throw SchedulingFailure(message: "no backend produced a legal schedule: " + notes.joined(separator: "; "))
  }

  /// What ran out, for a note: the time limit or the operation budget.
  static func exhausted(_ e: ISLError, _ strategy: Strategy) -> String {
    e.kind == .timeLimit ? e.message : "operation budget of \(strategy.maxOperations) exhausted"
  }

  /// One backend's schedule and notes. `problem`: a `Problem` of the Scop whose rows are still
  /// empty (the directive plan's), used instead of building another; PolyTOPS fills its rows.
  static func attempt(_ backend: Backend, scop: Scop, dependences: Dependences, strategy: Strategy,
                      problem fresh: Problem? = nil) throws -> (Schedule, [String]) {
    switch backend {
    case .identity:
      return (scop.originalSchedule, [])
    case .isl:
      return try scop.ctx.withBudget(strategy.maxOperations) {
        let s = try IslBackend.schedule(scop: scop, dependences: dependences, options: strategy.isl)
        return (try separateStatements(s, scop), [])
      }
    case .polytops, .feautrier:
      var s = strategy
      if backend == .feautrier && strategy.backend != .feautrier { s = feautrierStrategy(strategy) }
      if backend == .polytops && strategy.backend != .polytops && strategy.backend != .feautrier { s.permutableBands = true }
      return try scop.ctx.withBudget(strategy.maxOperations) {
        let problem = try fresh ?? Problem(scop: scop, dependences: dependences)
        let plan = try DirectivePlan(strategy: s, problem: problem, dependences: dependences)
        let scheduler = PolyTOPS(problem: problem, strategy: s, directives: plan)
        let tree = markSerial(try scheduler.run(), plan)
        return (try TreeBuilder(problem: problem).build(tree), scheduler.notes)
      }
    }
  }

  /// Feautrier's scheduler when it is reached as a fallback of another strategy.
  static func feautrierStrategy(_ s: Strategy) -> Strategy {
    var f = s
    f.permutableBands = false
    f.dimensions = []
    f.defaultDimension = DimensionConfig()
    f.defaultDimension.costs = [.feautrier, .proximity]
    return f
  }

  /// `serial` directives: the band member running the iterator is not coincident.
  static func markSerial(_ t: Tree, _ plan: DirectivePlan) -> Tree {
    let serial = plan.loopDirectives.filter { $0.kind == .serial }
    guard !serial.isEmpty else { return t }
    switch t {
    case .leaf: return t
    case .sequence(let parts): return .sequence(parts.map { markSerial($0, plan) })
    case .band(let members, let permutable, var coincident, let child):
      for (i, m) in members.enumerated() {
        for d in serial {
          if let r = m[d.statement], r.iterators.enumerated().allSatisfy({ $0.element == ($0.offset == d.iterator ? 1 : 0) }) {
            coincident[i] = false
          }
        }
      }
      return .band(members: members, permutable: permutable, coincident: coincident, child: markSerial(child, plan))
    }
  }

  /// isl leaves statements that share schedule times without a dependence
  /// in one leaf (their order is free). A sequence in textual order below
  /// such leaves makes the schedule injective without changing legality.
  static func separateStatements(_ schedule: Schedule, _ scop: Scop) throws -> Schedule {
    let order = Dictionary(scop.statements.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    func visit(_ node: ScheduleNode) throws -> ScheduleNode {
      if try node.kind() == .leaf {
        let sets = try node.domain().sets().sorted { (order[$0.tupleName ?? ""] ?? 0) < (order[$1.tupleName ?? ""] ?? 0) }
        guard sets.count > 1 else { return node }
        return try node.insertSequence(try sets.map { try $0.toUnionSet().universe() })
      }
      var n = node
      for i in 0..<(try n.childCount()) { n = try visit(try n.child(i)).parent() }
      return n
    }
    return try visit(try schedule.root()).schedule()
  }

  /// Why a schedule cannot be used, or nil when it is complete, legal and injective.
  static func verify(_ schedule: Schedule, scop: Scop, dependences: Dependences) throws -> String? {
    guard try schedule.domain().isEqual(scop.domain) else { return "the schedule does not cover every statement instance" }
    let map = try schedule.map().intersectDomain(scop.domain)
    if let v = try dependences.violation(of: map) { return "\(v)" }
    guard try map.isInjective() else { return "the schedule maps two statement instances to the same time" }
    return nil
  }

  /// A scheduling failure with loop directives: find the directive at fault.
  static func blame(_ plan: DirectivePlan, failure: SchedulingFailure, scop: Scop, dependences: Dependences, strategy: Strategy) throws -> Error {
    for d in plan.loopDirectives where d.kind == .parallel || d.kind == .vector {
      var without = strategy
      without.directives = strategy.directives.filter { $0 != d.source }
      if (try? attempt(.polytops, scop: scop, dependences: dependences, strategy: without)) != nil {
        let s = scop.statements[d.statement]
        let dep = try culprit(s.name, dependences)
        return strategy.error(d.source.keyPath, "directive \(d.source.label) cannot be honoured legally: the loop would have to carry \(dep)")
      }
    }
    return strategy.error("directives", "the directives cannot be honoured together: \(failure.message)")
  }

  /// A dependence involving statement `name`, named for a message.
  static func culprit(_ name: String, _ deps: Dependences) throws -> String {
    for kind in [DependenceKind.flow, .anti, .output] {
      guard let m = deps.map(kind) else { continue }
      for x in try m.maps() where x.domainTupleName == name || x.rangeTupleName == name {
        return "the \(kind.rawValue) dependence \(x.domainTupleName ?? "?") -> \(x.rangeTupleName ?? "?")"
      }
    }
    return "a dependence of \(name)"
  }
}

/// isl's own scheduler, with PPCG's choice of constraints: validity =
/// flow + anti + output; coincidence = the same (parallel dimensions);
/// proximity = the same (data reuse). Complex pieces are replaced by bounded
/// supersets first (`DependenceBounding`): sound for all three (a superset of
/// coincidence marks fewer parallel members, of proximity only changes the cost).
enum IslBackend {
  static func schedule(scop: Scop, dependences: Dependences, options: IslOptions) throws -> Schedule {
    let validity = try DependenceBounding(originalSchedule: scop.originalSchedule).bounded(try dependences.validity())
    let o = IslSchedulerOptions(serializeSCCs: options.serializeSCCs, outerCoincidence: options.outerCoincidence,
                                maximizeBandDepth: options.maximizeBandDepth, wholeComponent: options.wholeComponent,
                                maxCoefficient: options.maxCoefficient, algorithm: options.algorithm == "feautrier" ? .feautrier : .isl)
    return try IslScheduler.compute(domain: scop.domain, context: scop.context, validity: validity, coincidence: validity,
                                    proximity: validity, options: o)
  }
}
