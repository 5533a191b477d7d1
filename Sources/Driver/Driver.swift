//===- Driver.swift - The polyc pipeline as a library ---------------------===//
//
// source -> CheckedKernel -> Scop -> Dependences -> schedule (checked for
// legality) -> C. Each stage's output is a typed value; the CLI is a thin
// layer over `Pipeline`.
//
//===----------------------------------------------------------------------===//

import CodeGenC
import Dependences
import Foundation
import Frontend
import ISL
import Model
import Scheduler

/// Every error the pipeline reports to a user (exit status 1).
public enum PolycError: Error, CustomStringConvertible {
  case source(Diagnostic)
  case strategy(StrategyError)
  case illegalSchedule(kernel: String, strategy: String, Violation)
  case isl(ISLError)
  case codegen(CodeGenError)
  case usage(String)
  case io(String)

  public var description: String {
    switch self {
    case .source(let d): return d.description
    case .strategy(let e): return e.description
    case .illegalSchedule(let k, let s, let v): return "error: kernel '\(k)', strategy '\(s)': \(v)"
    case .isl(let e): return "error: \(e)"
    case .codegen(let e): return "error: \(e)"
    case .usage(let m): return "error: \(m)"
    case .io(let m): return "error: \(m)"
    }
  }

  /// Wraps any error thrown by a stage.
  public static func wrap(_ error: Error) -> PolycError {
    switch error {
    case let e as PolycError: return e
    case let e as Diagnostic: return .source(e)
    case let e as StrategyError: return .strategy(e)
    case let e as Violation: return .illegalSchedule(kernel: "?", strategy: "?", e)
    case let e as ISLError: return .isl(e)
    case let e as CodeGenError: return .codegen(e)
    case let e as LoweringError: return .io(e.description)
    default: return .io("\(error)")
    }
  }
}

/// What `polyc` can print.
public enum EmitKind: String, CaseIterable, Sendable {
  case c, program, schedule, deps, scop, ast
}

/// One compiled kernel: every stage's output.
public final class Compilation {
  public let kernel: CheckedKernel
  public let scop: Scop
  public let dependences: Dependences
  public let strategy: Strategy
  public let result: ScheduleResult

  init(kernel: CheckedKernel, scop: Scop, dependences: Dependences, strategy: Strategy, result: ScheduleResult) {
    self.kernel = kernel
    self.scop = scop
    self.dependences = dependences
    self.strategy = strategy
    self.result = result
  }

  public var schedule: Schedule { result.schedule }
}

public enum Pipeline {
  /// Parses and checks a kernel file.
  public static func loadKernel(path: String) throws -> CheckedKernel {
    do { return try Frontend.load(path: path) } catch { throw PolycError.wrap(error) }
  }

  public static func loadStrategy(path: String?) throws -> Strategy {
    guard let path else { return Strategy() }
    do { return try Strategy.load(path: path) } catch { throw PolycError.wrap(error) }
  }

  /// Runs the pipeline up to a legal schedule.
  public static func compile(kernel: CheckedKernel, strategy: Strategy, ctx: Context = Context()) throws -> Compilation {
    do {
      let scop = try Scop.build(kernel, ctx: ctx)
      let deps = try Dependences(scop: scop)
      let result = try SchedulerDriver.schedule(scop: scop, dependences: deps, strategy: strategy)
      if let v = try deps.violation(of: result.schedule) {
        throw PolycError.illegalSchedule(kernel: kernel.name, strategy: strategy.name, v)
      }
      return Compilation(kernel: kernel, scop: scop, dependences: deps, strategy: strategy, result: result)
    } catch {
      throw PolycError.wrap(error)
    }
  }

  /// The kernel printed back as loop-language source (`--emit ast`).
  public static func sourceText(_ k: CheckedKernel) -> String { ASTPrinter.print(k.file) }

  /// Produces the text of one `--emit` kind.
  public static func emit(_ kind: EmitKind, _ c: Compilation, dataset: String? = nil) throws -> String {
    do {
      switch kind {
      case .c: return try CEmitter.emitKernel(scop: c.scop, schedule: c.schedule)
      case .program: return try CEmitter.emitProgram(scop: c.scop, schedule: c.schedule, dataset: dataset)
      case .scop: return try c.scop.render()
      case .deps: return try c.dependences.render()
      case .schedule: return "# strategy: \(c.strategy.name) (backend \(c.result.backend))\n" + c.schedule.description + "\n"
      case .ast: return ASTPrinter.print(c.kernel.file)
      }
    } catch {
      throw PolycError.wrap(error)
    }
  }
}
