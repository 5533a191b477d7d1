//===- JSCoPRun.swift - Scheduling a Polly JSCoP --------------------------===//
//
// `polyc jscop`: a JSCoP exported by Polly -> Scop (from its isl strings) ->
// Dependences (under the exported schedule) -> the strategy's scheduler ->
// legality check -> the strategy's transforms (tiling; marks have no meaning
// in a flat map) -> legality check -> the same JSCoP with each statement's
// "schedule" replaced by the new flat schedule map, ready for Polly's
// `-polly-import-jscop`.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import Foundation
import PolycISL
import PolycModel
import PolycScheduler
import PolycTransforms

/// A scheduled JSCoP: the model, its dependences, the scheduler's result and the file to write.
public struct ScheduledJSCoP {
  package let scop: Scop
  package let dependences: Dependences
  /// The scheduler's result: backend, notes, honoured directives.
  public let result: ScheduleResult
  /// The strategy's transforms applied to the scheduler's tree (tiling).
  package let transforms: TransformResult
  /// The input file with the new schedule.
  public let file: JSCoPFile
}

extension Pipeline {
  /// Reads a JSCoP text and schedules its SCoP under `strategy` (scheduler,
  /// then the strategy's transforms, e.g. tiling); the new schedule is
  /// checked against the dependences before it is written.
  ///
  /// - Parameter path: names the file in error messages.
  /// - Throws: `PolycError` (`.jscop` for a malformed file with its key path,
  ///   `.illegalSchedule`, `.scheduling`, ...).
  public static func scheduleJSCoP(text: String, path: String? = nil, strategy: Strategy) throws -> ScheduledJSCoP {
    try scheduleJSCoP(text: text, path: path, strategy: strategy, ctx: Context())
  }

  /// `scheduleJSCoP(text:path:strategy:)` in the isl context `ctx`.
  package static func scheduleJSCoP(text: String, path: String? = nil, strategy: Strategy,
                                    ctx: Context) throws -> ScheduledJSCoP {
    do {
      ctx.timeLimit = Double(strategy.secondsPerComputation)
      let input = try JSCoPFile.parse(text, file: path)
      let scop = try input.scop(ctx: ctx)
      let deps = try Dependences(scop: scop, maxOperations: strategy.dependenceOperations)
      let result = try SchedulerDriver.schedule(scop: scop, dependences: deps, strategy: strategy)
      if let v = try deps.violation(of: result.schedule) {
        throw PolycError.illegalSchedule(kernel: input.name, strategy: strategy.name, v)
      }
      let transformed = try TransformPipeline.apply(schedule: result.schedule, scop: scop, dependences: deps,
                                                    options: TransformOptions(strategy: strategy), directives: result.directives)
      let map = try transformed.schedule.map()
      if let v = try deps.violation(of: map) {
        throw PolycError.illegalSchedule(kernel: input.name, strategy: strategy.name + " (after transforms)", v)
      }
      return ScheduledJSCoP(scop: scop, dependences: deps, result: result, transforms: transformed,
                            file: try input.withSchedule(map))
    } catch {
      throw PolycError.wrap(error)
    }
  }
}
