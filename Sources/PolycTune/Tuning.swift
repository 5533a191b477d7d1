//===- Tuning.swift - What the CPU and NPU searches share -----------------===//

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

/// The two searches `polyc tune` runs at the same budget.
package enum TuningSearch: String, Sendable, CaseIterable { case evolutionary, random }

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
