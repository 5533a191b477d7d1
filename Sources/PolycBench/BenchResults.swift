//===- BenchResults.swift - What a campaign measured ----------------------===//

import Foundation

/// One program of one kernel: the original, a polyc strategy, or a peer.
public struct VariantResult: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable {
    /// Built, verified against the original's dump, timed.
    case ok
    /// polyc, the C compiler or the program failed, or the dump differs.
    case failed
    /// Not run (e.g. its strategy file or compiler is missing).
    case skipped
  }

  /// `original`, a strategy name, or a peer name.
  public var variant: String
  public var status: Status
  /// Why it failed or was skipped.
  public var message: String? = nil
  /// Every timed run, seconds.
  public var times: [Double] = []
  /// Median of `times`.
  public var median: Double? = nil
  /// The original's median divided by this median.
  public var speedup: Double? = nil
  /// polyc's scheduling, transforms and C generation, seconds (polyc variants).
  public var polycSeconds: Double? = nil
  /// The C compiler on the timed build, seconds.
  public var compileSeconds: Double? = nil
  /// The scheduler's and the transforms' notes.
  public var notes: [String] = []

  public init(variant: String, status: Status, message: String? = nil) {
    self.variant = variant
    self.status = status
    self.message = message
  }
}

public struct KernelResult: Codable, Sendable, Equatable {
  public var kernel: String
  public var dataset: String
  public var original: VariantResult
  /// Strategies in campaign order.
  public var strategies: [VariantResult]
  public var peers: [VariantResult]

  public var all: [VariantResult] { [original] + strategies + peers }
  public func variant(_ name: String) -> VariantResult? { all.first { $0.variant == name } }
}

public struct CampaignResult: Codable, Sendable, Equatable {
  public var date: String
  public var host: String
  public var dataset: String
  public var threads: Int
  public var repetitions: Int
  /// Extra rounds for short kernels: until the runs add up to this many seconds (nil or 0: none).
  public var minimumTimedSeconds: Double? = nil
  public var maximumRepetitions: Int? = nil
  public var cc: String
  public var cflags: [String]
  public var pollyCompiler: String?
  public var pollyFlags: [String]?
  /// `OMP_WAIT_POLICY` of every run (nil: the runtime's default).
  public var ompWaitPolicy: String?
  /// Strategy and peer columns, in order.
  public var columns: [String]
  public var kernels: [KernelResult]
  /// Notices printed while running (skipped strategies, missing peers).
  public var notices: [String]

  /// "median of 3 run(s)", or with extra rounds "median of 3 to 31 runs (extra rounds until ...)".
  public var runsDescription: String {
    guard let m = minimumTimedSeconds, m > 0, let top = maximumRepetitions, top > repetitions else {
      return "median of \(repetitions) run(s)"
    }
    return "median of \(repetitions) to \(top) runs (extra rounds until a kernel's runs add up to \(m) s)"
  }

  /// Geometric mean of the speedups of `column` over the kernels where it succeeded, and how many.
  public func geomean(_ column: String) -> (value: Double, count: Int)? {
    let s = kernels.compactMap { $0.variant(column) }.filter { $0.status == .ok }.compactMap(\.speedup)
    guard !s.isEmpty else { return nil }
    return (Statistics.geomean(s), s.count)
  }

  /// Kernels where `column` failed.
  public func failures(_ column: String) -> [String] {
    kernels.filter { $0.variant(column)?.status == .failed }.map(\.kernel)
  }
}

public enum Statistics {
  public static func median(_ xs: [Double]) -> Double {
    precondition(!xs.isEmpty)
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  public static func geomean(_ xs: [Double]) -> Double {
    precondition(!xs.isEmpty)
    return exp(xs.map { log(max($0, 1e-12)) }.reduce(0, +) / Double(xs.count))
  }
}
