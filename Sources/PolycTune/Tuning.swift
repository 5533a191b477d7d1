//===- Tuning.swift - What the CPU and NPU searches share -----------------===//

import Foundation

/// What happened to one candidate of a search.
package enum TrialOutcome: String, Codable, Sendable {
  /// Compiled (or lowered), verified and measured.
  case measured
  /// Rejected before anything was built or simulated (strategy, scheduler, legality, tile fit).
  case invalid
  /// The same program (or NPU tile) as an earlier candidate: not measured again.
  case duplicate
  /// Built but failed: wrong output, a crash, a timeout.
  case failed
}

/// The searches of `polyc tune`, each run at the same budget (`--search`).
package enum TuningSearch: String, Sendable, CaseIterable {
  /// Guided by a cost model refitted after every measurement (CostModel.swift).
  case model
  /// Mutations of the best candidates so far, starting from the presets.
  case evolutionary
  /// Uniform draws from the space: the baseline the others are compared with.
  case random
}

/// A search's result, counted by outcome.
package protocol TuningOutcomes {
  /// The outcome of every candidate tried, in order.
  var outcomes: [TrialOutcome] { get }
}

extension TuningOutcomes {
  package var measured: Int { outcomes.filter { $0 == .measured }.count }
  package var invalid: Int { outcomes.filter { $0 == .invalid }.count }
  package var duplicates: Int { outcomes.filter { $0 == .duplicate }.count }
  package var failed: Int { outcomes.filter { $0 == .failed }.count }
}

/// Whether other work competes with the timed programs of a CPU search.
package enum MachineLoad {
  /// A warning when more tasks wait to run than the machine has CPUs (`load`: the 1-minute
  /// load average; the search's own timed programs use at most every CPU): a 2-thread preset
  /// then waits for its slower thread while a sequential candidate does not, and the search
  /// keeps the wrong candidate (docs/tune.md, symm).
  package static func warning(load: Double, cpus: Int, threads: Int) -> String? {
    guard load > Double(cpus) + 0.5 else { return nil }
    return String(format: "warning: the machine is busy (load average %.2f on %d CPUs; the timed programs use %d threads): "
      + "timings are noisy and a candidate may win by the load alone; tune on an idle machine\n", load, cpus, threads)
  }

  /// `warning` for this machine now (/proc/loadavg; nil where there is none).
  package static func warning(threads: Int) -> String? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
          let load = text.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
    return warning(load: load, cpus: ProcessInfo.processInfo.activeProcessorCount, threads: threads)
  }
}
