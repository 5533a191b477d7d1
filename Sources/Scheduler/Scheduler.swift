//===- Scheduler.swift - Entry point: strategy + model -> schedule --------===//

import Dependences
import ISL
import Model

/// The schedule chosen for a kernel and how it was found.
public struct ScheduleResult {
  public let schedule: Schedule
  public let backend: String
  public let notes: [String]
}

public enum SchedulerDriver {
  /// Schedules `scop` as `strategy` says. The result is not yet checked for
  /// legality; the Driver checks every schedule before using it.
  public static func schedule(scop: Scop, dependences: Dependences, strategy: Strategy) throws -> ScheduleResult {
    switch strategy.backend {
    case .identity:
      return ScheduleResult(schedule: scop.originalSchedule, backend: "identity", notes: [])
    }
  }
}
