//===- Driver.swift - The polyc pipeline as a library ---------------------===//
//
// source -> CheckedKernel -> Scop -> Dependences -> schedule (checked for
// legality) -> C. Each stage's output is a typed value; the CLI is a thin
// layer over `Pipeline`.
//
//===----------------------------------------------------------------------===//

import PolycCodeGenC
import PolycDependences
import Foundation
import PolycFrontend
import PolycISL
import PolycModel
import PolycNPUCodeGen
import PolycScheduler
import PolycTransforms

/// Every error the pipeline reports to a user (exit status 1).
public enum PolycError: Error, CustomStringConvertible {
  /// A `.loop` source that does not parse or check (with its location).
  case source(Diagnostic)
  /// A strategy file that cannot be read or used (with its JSON key path).
  case strategy(StrategyError)
  /// A schedule that violates a dependence: the kernel, the strategy, and the violated dependence.
  case illegalSchedule(kernel: String, strategy: String, Violation)
  /// An error isl reported.
  case isl(ISLError)
  /// A schedule tree C code generation cannot print.
  case codegen(CodeGenError)
  /// Options or arguments that cannot be used together or name nothing (`--set`, `--load-schedule`).
  case usage(String)
  /// A kernel, statement, tiling or hardware description the NPU backend cannot use.
  case npu(NPUCodeGenError)
  /// A file that cannot be read or written, a program that cannot be run.
  case io(String)
  /// The dependence analysis failed (for example over its operation budget).
  case dependences(DependenceError)
  /// A construct the polyhedral model cannot express (with its source location).
  case lowering(LoweringError)
  /// No backend of the strategy produced a legal schedule.
  case scheduling(SchedulingFailure)
  /// isl ran out of its operation budget (`budget.maxOperations` and friends).
  case budget(ISLError)
  /// A JSCoP file that cannot be used (with its JSON key path).
  case jscop(JSCoPError)

  /// The message as the CLI prints it (`error: ...`, or `file:line:column: error: ...`).
  public var description: String {
    switch self {
    case .source(let d): return d.description
    case .strategy(let e): return e.description
    case .illegalSchedule(let k, let s, let v): return "error: kernel '\(k)', strategy '\(s)': \(v)"
    case .isl(let e): return "error: \(e)"
    case .codegen(let e): return "error: \(e)"
    case .usage(let m): return "error: \(m)"
    case .npu(let e): return "error: \(e)"
    case .io(let m): return "error: \(m)"
    case .dependences(let e): return "error: \(e)"
    case .lowering(let e): return e.description
    case .scheduling(let e): return "error: no legal schedule: \(e)"
    case .budget(let e): return "error: isl's operation budget ran out: \(e.message)"
    case .jscop(let e): return e.description
    }
  }

  /// Wraps any error thrown by a stage.
  public static func wrap(_ error: Error) -> PolycError {
    switch error {
    case let e as PolycError: return e
    case let e as Diagnostic: return .source(e)
    case let e as StrategyError: return .strategy(e)
    case let e as Violation: return .illegalSchedule(kernel: "?", strategy: "?", e)
    case let e as ISLError: return e.isQuota ? .budget(e) : .isl(e)
    case let e as CodeGenError: return .codegen(e)
    case let e as LoweringError: return .lowering(e)
    case let e as SchedulingFailure: return .scheduling(e)
    case let e as NPUCodeGenError: return .npu(e)
    case let e as DependenceError: return .dependences(e)
    case let e as JSCoPError: return .jscop(e)
    default: return .io("\(error)")
    }
  }
}

/// What `polyc` can print.
///
/// `c`: the kernel as a C function; `program`: a complete C program with a dataset's data;
/// `schedule`: the strategy, notes, schedule tree and band summary; `deps`: the dependences
/// (isl text); `scop`: the polyhedral model (isl text); `jscop`: a JSCoP file Polly can import;
/// `ast`: the scheduled loop nest; `npu`: the NPU program's assembly.
public enum EmitKind: String, CaseIterable, Sendable {
  case c, program, schedule, deps, scop, jscop, ast, npu
}

/// One compiled kernel: every stage's output.
public final class Compilation {
  /// The checked kernel (after scalar expansion when the strategy asks for it).
  public let kernel: CheckedKernel
  package let scop: Scop
  package let dependences: Dependences
  /// The strategy it was compiled with.
  public let strategy: Strategy
  /// The scheduler's result: backend, notes, honoured directives.
  public let result: ScheduleResult
  /// The CPU transforms applied to the scheduler's tree (tiling, marks), checked for legality.
  package let transforms: TransformResult?
  /// How C is printed for this compilation (pragmas, `restrict`).
  public let emitOptions: CEmitOptions
  /// Wall-clock seconds of each stage of `Pipeline.compile`, in order (`polyc -v` prints them).
  public internal(set) var stageTimes: [StageTime] = []

  init(kernel: CheckedKernel, scop: Scop, dependences: Dependences, strategy: Strategy, result: ScheduleResult,
       transforms: TransformResult? = nil, emitOptions: CEmitOptions = CEmitOptions()) {
    self.kernel = kernel
    self.scop = scop
    self.dependences = dependences
    self.strategy = strategy
    self.result = result
    self.transforms = transforms
    self.emitOptions = emitOptions
  }

  /// What the scheduler and the CPU transforms decided and why (fallbacks, tile sizes, bands
  /// left untiled, parallel and vector loops), as `polyc -v` prints them.
  public var notes: [String] { result.notes + (transforms?.notes ?? []) }

  /// The scheduler's schedule.
  package var schedule: Schedule { result.schedule }
  /// The schedule C is generated from: the scheduler's, transformed.
  package var codeSchedule: Schedule { transforms?.schedule ?? result.schedule }
}

/// How long one stage of the pipeline took.
public struct StageTime: Sendable, Hashable {
  /// The stage: `model`, `dependences`, `scheduler`, `legality`, `transforms`, `legality after transforms`.
  public var stage: String
  /// Wall-clock seconds.
  public var seconds: Double
  /// A stage's time.
  public init(stage: String, seconds: Double) {
    self.stage = stage
    self.seconds = seconds
  }
}

/// Runs `body` and appends its wall-clock time to `times` under `stage`.
package func timed<T>(_ stage: String, _ times: inout [StageTime], _ body: () throws -> T) rethrows -> T {
  let start = DispatchTime.now()
  defer { times.append(StageTime(stage: stage, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)) }
  return try body()
}

/// The polyc pipeline as functions: load a kernel and a strategy, compile, emit.
public enum Pipeline {
  /// Parses and checks a kernel file.
  public static func loadKernel(path: String) throws -> CheckedKernel {
    do { return try Frontend.load(path: path) } catch { throw PolycError.wrap(error) }
  }

  /// Parses and checks a kernel given as text; `path` names it in diagnostics.
  public static func loadKernel(text: String, path: String) throws -> CheckedKernel {
    do { return try Frontend.load(text: text, path: path) } catch { throw PolycError.wrap(error) }
  }

  /// Parses a strategy file's JSON text; `path` names it in messages.
  public static func strategy(json: String, path: String = "<strategy>") throws -> Strategy {
    do { return try Strategy.parse(Data(json.utf8), path: path) } catch { throw PolycError.wrap(error) }
  }

  /// Reads a strategy file; nil gives the default strategy.
  public static func loadStrategy(path: String?) throws -> Strategy {
    guard let path else { return Strategy() }
    do { return try Strategy.load(path: path) } catch { throw PolycError.wrap(error) }
  }

  /// Runs the pipeline up to a legal schedule: schedule, check, transform
  /// (tiling, parallel and vector marks; `transforms` overrides what the
  /// strategy asks for), check again.
  ///
  /// `loadedSchedule`: a schedule tree (isl's text, or `--emit schedule` output) used
  /// instead of the scheduler's, checked for legality like any other (`--load-schedule`).
  public static func compile(kernel: CheckedKernel, strategy: Strategy, transforms: TransformOptions? = nil,
                             loadedSchedule: String? = nil) throws -> Compilation {
    try compile(kernel: kernel, strategy: strategy, ctx: Context(), transforms: transforms, loadedSchedule: loadedSchedule)
  }

  /// The kernel with size parameters fixed (`--set N=1000`, `-D N=1000`, as PPCG's `--ctx`):
  /// each value becomes an assumption, so the dependences, the schedule and the generated C are
  /// specialised to it (isl prints the fixed bounds as constants).
  ///
  /// - Throws: `PolycError.usage` for a name that is not a size parameter of the kernel or a
  ///   value outside C's `int`; `compile` reports values that contradict the kernel's `assume`.
  public static func fixing(_ kernel: CheckedKernel, parameters: [String: Int]) throws -> CheckedKernel {
    var k = kernel
    for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
      guard kernel.sizeParameters.contains(name) else {
        throw PolycError.usage("--set: '\(name)' is not a size parameter of kernel '\(kernel.name)' "
          + "(its size parameters: \(kernel.sizeParameters.joined(separator: ", ")))")
      }
      guard value >= Int(Int32.min), value <= Int(Int32.max) else {
        throw PolycError.usage("--set: \(name)=\(value) does not fit C's int")
      }
      let at = kernel.file.location
      k.file.assumptions.append(Expr(.binary(.eq, Expr(.name(name), at: at), Expr(.intLiteral(value), at: at)), at: at))
    }
    return k
  }

  /// `compile(kernel:strategy:transforms:loadedSchedule:)` in the isl context `ctx` (polyc's own
  /// stages share one context per thread).
  package static func compile(kernel: CheckedKernel, strategy: Strategy, ctx: Context,
                              transforms: TransformOptions? = nil, loadedSchedule: String? = nil) throws -> Compilation {
    do {
      ctx.timeLimit = Double(strategy.secondsPerComputation)
      var kernel = kernel
      var expansionNotes: [String] = []
      var times: [StageTime] = []
      var expandedModel: Scop?
      if strategy.scalarExpansion {
        do {
          let r = try timed("scalar expansion", &times) {
            try ctx.withBudget(strategy.dependenceOperations) {
              try ScalarExpansion.expand(kernel, ctx: ctx, accumulators: strategy.expandAccumulators)
            }
          }
          kernel = r.kernel
          expandedModel = r.scop
          expansionNotes = r.expansions.map {
            "scalar expansion: '\($0.scalar)' in \($0.statements.joined(separator: ", ")) -> \($0.array)[\($0.iterators.joined(separator: "]["))]"
          }
        } catch let e as ISLError where e.isQuota {
          expansionNotes = ["scalar expansion: skipped, its dataflow analysis exceeded the budget of "
            + "\(strategy.dependenceOperations) isl operations (budget.dependenceOperations)"]
        }
      }
      let scop = try expandedModel ?? timed("model", &times) { try Scop.build(kernel, ctx: ctx) }
      guard !(try scop.context.isEmpty()) else {
        throw PolycError.usage("kernel '\(kernel.name)': its assumptions (with any --set values) admit no parameter values")
      }
      return try compile(scop: scop, strategy: strategy, transforms: transforms, loadedSchedule: loadedSchedule,
                         notes: expansionNotes, times: times)
    } catch {
      throw PolycError.wrap(error)
    }
  }

  /// The pipeline from a model: dependences, the scheduler (or `loadedSchedule`), legality
  /// check, transforms, legality check. `notes` go before the scheduler's.
  static func compile(scop: Scop, strategy: Strategy, transforms: TransformOptions?, loadedSchedule: String?,
                      notes expansionNotes: [String] = [], times: [StageTime] = []) throws -> Compilation {
    do {
      scop.ctx.timeLimit = Double(strategy.secondsPerComputation)
      var times = times
      let kernel = scop.kernel
      let deps = try timed("dependences", &times) {
        try Dependences(scop: scop, maxOperations: strategy.dependenceOperations, checkOperations: strategy.legalityOperations)
      }
      var result = try timed("scheduler", &times) {
        try loadedSchedule.map { try load(schedule: $0, scop: scop, strategy: strategy) }
          ?? SchedulerDriver.schedule(scop: scop, dependences: deps, strategy: strategy)
      }
      if !expansionNotes.isEmpty || !deps.notes.isEmpty {
        result = ScheduleResult(schedule: result.schedule, backend: result.backend, notes: expansionNotes + deps.notes + result.notes,
                                strategyName: result.strategyName, directives: result.directives)
      }
      let scheduled = result
      result = try timed("legality", &times) {
        try checked(scheduled, scop: scop, dependences: deps, strategy: strategy, loaded: loadedSchedule != nil)
      }
      let options = transforms ?? TransformOptions(strategy: strategy)
      var transformed = try timed("transforms", &times) {
        try TransformPipeline.apply(schedule: result.schedule, scop: scop, dependences: deps, options: options,
                                    directives: result.directives)
      }
      if strategy.keepSourceOrderWithoutGain, options.isEnabled, result.backend != Backend.identity.rawValue,
         strategy.directives.isEmpty, !(try transformed.gains()) {
        result = ScheduleResult(
          schedule: scop.originalSchedule, backend: Backend.identity.rawValue,
          notes: result.notes + ["\(result.backend): no parallel, vector or tiled loop after the transforms; "
            + "the source order is kept (keepSourceOrderWithoutGain)"],
          strategyName: result.strategyName)
        transformed = try TransformPipeline.apply(schedule: result.schedule, scop: scop, dependences: deps, options: options)
      }
      let untransformed = result.schedule, candidate = transformed
      transformed = try timed("legality after transforms", &times) {
        try checked(candidate, before: untransformed, dependences: deps, kernel: kernel.name, strategy: strategy)
      }
      var emit = CEmitOptions(transforms: options)
      emit.astOperations = strategy.astOperations
      let c = Compilation(kernel: kernel, scop: scop, dependences: deps, strategy: strategy, result: result,
                          transforms: transformed, emitOptions: emit)
      c.stageTimes = times
      return c
    } catch {
      throw PolycError.wrap(error)
    }
  }

  /// The scheduler's (or a loaded) schedule once proven legal. A check that
  /// runs out of its budget (`budget.legalityOperations`) never lets an
  /// unproven schedule through: the original schedule (legal by
  /// construction) is used instead, with a note; a loaded schedule is an error.
  static func checked(_ result: ScheduleResult, scop: Scop, dependences deps: Dependences, strategy: Strategy,
                      loaded: Bool) throws -> ScheduleResult {
    if result.backend == Backend.identity.rawValue { return result }
    do {
      if let v = try deps.violation(of: result.schedule) {
        throw PolycError.illegalSchedule(kernel: scop.kernel.name, strategy: strategy.name, v)
      }
      return result
    } catch let e as DependenceError {
      guard case .legalityBudgetExhausted = e, !loaded else { throw e }
      return ScheduleResult(schedule: scop.originalSchedule, backend: Backend.identity.rawValue,
                            notes: result.notes + ["\(result.backend): \(e); the original schedule is used instead"],
                            strategyName: result.strategyName)
    }
  }

  /// The transformed schedule once proven legal; when its check runs out of
  /// budget, the schedule before the transforms (already proven) with a note.
  static func checked(_ transformed: TransformResult, before: Schedule, dependences deps: Dependences, kernel: String,
                      strategy: Strategy) throws -> TransformResult {
    do {
      if let v = try deps.violation(of: try transformed.schedule.map()) {
        throw PolycError.illegalSchedule(kernel: kernel, strategy: strategy.name + " (after transforms)", v)
      }
      return transformed
    } catch let e as DependenceError {
      guard case .legalityBudgetExhausted = e else { throw e }
      return TransformResult(schedule: before, notes: transformed.notes + ["transforms: \(e); the schedule before the transforms is used"])
    }
  }

  /// The kernel printed back as loop-language source.
  public static func sourceText(_ k: CheckedKernel) -> String { ASTPrinter.print(k.file) }

  /// The schedule tree of `--emit schedule` output (the lines between
  /// `schedule tree:` and `summary:`), or the whole text when it is isl's own.
  static func scheduleTreeText(_ text: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0.hasPrefix("schedule tree:") }) else { return text }
    let end = lines[(start + 1)...].firstIndex(where: { $0.hasPrefix("summary:") }) ?? lines.endIndex
    return lines[(start + 1)..<end].map { $0.hasPrefix("  ") ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
  }

  /// A loaded schedule tree over exactly the kernel's statement instances.
  static func load(schedule text: String, scop: Scop, strategy: Strategy) throws -> ScheduleResult {
    let schedule: Schedule
    do {
      schedule = try Schedule(scop.ctx, scheduleTreeText(text))
    } catch {
      throw PolycError.usage("--load-schedule: not an isl schedule tree (\(error))")
    }
    guard try schedule.domain().intersectParams(scop.context).isEqual(scop.domain.intersectParams(scop.context)) else {
      throw PolycError.usage("--load-schedule: the schedule's domain \(try schedule.domain()) is not the kernel's \(scop.domain)")
    }
    return ScheduleResult(schedule: schedule, backend: "loaded", notes: ["schedule loaded from a file (--load-schedule)"],
                          strategyName: strategy.name)
  }

  /// Produces the text of one `--emit` kind.
  public static func emit(_ kind: EmitKind, _ c: Compilation, dataset: String? = nil) throws -> String {
    do {
      switch kind {
      case .c: return try CEmitter.emitKernel(scop: c.scop, schedule: c.codeSchedule, options: c.emitOptions)
      case .program: return try CEmitter.emitProgram(scop: c.scop, schedule: c.codeSchedule, dataset: dataset, options: c.emitOptions)
      case .scop: return try c.scop.render()
      case .jscop: return try JSCoP.export(c.scop, schedule: c.schedule)
      case .deps: return try c.dependences.render()
      case .schedule: return try c.result.render(dependences: c.dependences)
      case .ast: return try CEmitter.scheduledLoopNest(scop: c.scop, schedule: c.codeSchedule, maxOperations: c.emitOptions.astOperations)
      case .npu: return try NPURunner.assembly(c, dataset: dataset)
      }
    } catch {
      throw PolycError.wrap(error)
    }
  }
}
