//===- BenchResults.swift - What a campaign measured ----------------------===//

import Foundation

/// One program of one kernel: the original, a polyc strategy, or a peer.
package struct VariantResult: Codable, Sendable, Equatable {
  package enum Status: String, Codable, Sendable {
    /// Built, verified against the original's dump, timed.
    case ok
    /// polyc, the C compiler or the program failed, or the dump differs.
    case failed
    /// Not run (e.g. its strategy file or compiler is missing).
    case skipped
  }

  /// `original`, a strategy name, or a peer name.
  package var variant: String
  package var status: Status
  /// Why it failed or was skipped.
  package var message: String? = nil
  /// Every timed run, seconds.
  package var times: [Double] = []
  /// Median of `times`.
  package var median: Double? = nil
  /// The original's median divided by this median.
  package var speedup: Double? = nil
  /// polyc's scheduling, transforms and C generation, seconds (polyc variants).
  package var polycSeconds: Double? = nil
  /// The C compiler on the timed build, seconds.
  package var compileSeconds: Double? = nil
  /// The scheduler's and the transforms' notes.
  package var notes: [String] = []

  package init(variant: String, status: Status, message: String? = nil) {
    self.variant = variant
    self.status = status
    self.message = message
  }
}

package struct KernelResult: Codable, Sendable, Equatable {
  package var kernel: String
  package var dataset: String
  package var original: VariantResult
  /// Strategies in campaign order.
  package var strategies: [VariantResult]
  package var peers: [VariantResult]

  package var all: [VariantResult] { [original] + strategies + peers }
  package func variant(_ name: String) -> VariantResult? { all.first { $0.variant == name } }
}

package struct CampaignResult: Codable, Sendable, Equatable {
  package var date: String
  package var host: String
  package var dataset: String
  package var threads: Int
  package var repetitions: Int
  /// Extra rounds for short kernels: until the runs add up to this many seconds (nil or 0: none).
  package var minimumTimedSeconds: Double? = nil
  package var maximumRepetitions: Int? = nil
  package var cc: String
  package var cflags: [String]
  package var pollyCompiler: String?
  package var pollyFlags: [String]?
  /// `OMP_WAIT_POLICY` of every run (nil: the runtime's default).
  package var ompWaitPolicy: String?
  /// Strategy and peer columns, in order.
  package var columns: [String]
  package var kernels: [KernelResult]
  /// Notices printed while running (skipped strategies, missing peers).
  package var notices: [String]

  /// "median of 3 run(s)", or with extra rounds "median of 3 to 31 runs (extra rounds until ...)".
  package var runsDescription: String {
    guard let m = minimumTimedSeconds, m > 0, let top = maximumRepetitions, top > repetitions else {
      return "median of \(repetitions) run(s)"
    }
    return "median of \(repetitions) to \(top) runs (extra rounds until a kernel's runs add up to \(m) s)"
  }

  /// Geometric mean of the speedups of `column` over the kernels where it succeeded, and how many.
  package func geomean(_ column: String) -> (value: Double, count: Int)? {
    let s = kernels.compactMap { $0.variant(column) }.filter { $0.status == .ok }.compactMap(\.speedup)
    guard !s.isEmpty else { return nil }
    return (Statistics.geomean(s), s.count)
  }

  /// Kernels where `column` failed.
  package func failures(_ column: String) -> [String] {
    kernels.filter { $0.variant(column)?.status == .failed }.map(\.kernel)
  }
}

package enum Statistics {
  package static func median(_ xs: [Double]) -> Double {
    precondition(!xs.isEmpty)
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  package static func geomean(_ xs: [Double]) -> Double {
    precondition(!xs.isEmpty)
    return exp(xs.map { log(max($0, 1e-12)) }.reduce(0, +) / Double(xs.count))
  }
}
