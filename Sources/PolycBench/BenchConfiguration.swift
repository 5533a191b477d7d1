//===- BenchConfiguration.swift - What a benchmark campaign runs ----------===//
//
// A campaign runs every (kernel, strategy) pair: polyc generates the program,
// the C compiler builds a timed binary (-DPOLYBENCH_TIME) and a verification
// binary (-DPOLYBENCH_DUMP_ARRAYS), the verification dump is compared with
// the original schedule's dump, and the timed binary runs `repetitions`
// times (median). Peers (Polly) compile the *original* program with their
// own compiler. docs/bench.md documents every option.
//
//===----------------------------------------------------------------------===//

import Foundation

public enum Peer: String, Sendable, CaseIterable, Codable {
  /// clang with Polly (`-mllvm -polly`) on the original program.
  case polly
}

public struct BenchConfiguration: Sendable {
  public static let allDatasets = ["MINI", "SMALL", "MEDIUM", "LARGE", "EXTRALARGE"]
  public static let defaultStrategies = ["identity", "pluto", "isl", "cpu"]
  /// Flags of both the original and polyc's programs. `-ffp-contract=off`
  /// keeps FMA contraction from changing results between schedules (see
  /// Tests/Inputs/polybench-ref/README.md); it is applied to every variant,
  /// peers included, so the comparison stays fair.
  public static let defaultCFlags = ["-O3", "-march=native", "-fopenmp", "-ffp-contract=off"]
  public static let defaultPollyFlags = ["-O3", "-march=native", "-ffp-contract=off", "-fopenmp",
                                         "-mllvm", "-polly", "-mllvm", "-polly-tiling",
                                         "-mllvm", "-polly-parallel", "-mllvm", "-polly-vectorizer=stripmine"]

  public var kernels: [String]
  public var strategies: [String] = BenchConfiguration.defaultStrategies
  public var dataset = "MEDIUM"
  public var threads = 2
  public var repetitions = 3
  /// Short kernels get extra rounds: after `repetitions` rounds, rounds go on
  /// until the timed runs of a kernel add up to `minimumTimedSeconds` or
  /// `maximumRepetitions` rounds ran. A 2 ms kernel's median over 3 runs is
  /// mostly noise; over 30 it is not. 0 turns the extra rounds off.
  public var minimumTimedSeconds = 1.0
  public var maximumRepetitions = 31
  public var cc = "gcc"
  public var cflags: [String] = BenchConfiguration.defaultCFlags
  /// Added to the verification build only.
  public var verifyFlags: [String] = []
  public var peers: [Peer] = []
  /// The clang with Polly; nil: the first of clang-19 ... clang-14, clang that accepts `-mllvm -polly`.
  public var pollyCompiler: String? = nil
  public var pollyFlags: [String] = BenchConfiguration.defaultPollyFlags
  public var outputDirectory = "bench-results"
  /// Folder holding `Kernels/polybench` and `Configs`.
  public var root: String
  /// Seconds before a run is killed (reported as failed).
  public var timeout: Double = 900
  /// `OMP_WAIT_POLICY` of every run, every variant alike (nil: the runtime's
  /// default). PASSIVE by default: on small virtual machines, threads that
  /// spin at barriers make the hypervisor preempt their virtual CPU (pause-loop
  /// exiting) and a kernel's time varies tenfold; see docs/bench.md.
  public var ompWaitPolicy: String? = "PASSIVE"
  /// Emit `restrict` array parameters in polyc's programs.
  public var restrictArrays = true
  /// Test hook: rewrites the C text polyc generated for (kernel, strategy)
  /// before it is compiled (fault injection for the verification path).
  public var sourceHook: (@Sendable (_ kernel: String, _ strategy: String, _ source: String) -> String)? = nil

  public init(root: String, kernels: [String] = BenchConfiguration.polybenchKernels) {
    self.root = root
    self.kernels = kernels
  }

  public static let polybenchKernels: [String] = [
    "correlation", "covariance", "gemm", "gemver", "gesummv", "symm", "syr2k", "syrk", "trmm", "2mm", "3mm",
    "atax", "bicg", "doitgen", "mvt", "cholesky", "durbin", "gramschmidt", "lu", "ludcmp", "trisolv",
    "deriche", "floyd-warshall", "nussinov", "adi", "fdtd-2d", "heat-3d", "jacobi-1d", "jacobi-2d", "seidel-2d",
  ]

  public var kernelsDirectory: String { "\(root)/Kernels/polybench" }
  public var configsDirectory: String { "\(root)/Configs" }
  public func kernelPath(_ k: String) -> String { "\(kernelsDirectory)/\(k).loop" }
  public func strategyPath(_ s: String) -> String { "\(configsDirectory)/\(s).json" }

  /// The strategy file of `s` for `kernel`: `tuned` is each kernel's own
  /// `Configs/tuned/<kernel>.json` (written by `polyc tune`).
  public func strategyPath(_ s: String, kernel: String) -> String {
    s == Self.tuned ? "\(configsDirectory)/tuned/\(kernel).json" : strategyPath(s)
  }

  /// The pseudo-strategy of per-kernel tuned files.
  public static let tuned = "tuned"

  /// The folder holding `Kernels/polybench`: `start` or one of its parents.
  public static func findRoot(from start: String) -> String? {
    var url = URL(fileURLWithPath: start).standardizedFileURL
    for _ in 0..<8 {
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Kernels/polybench").path) { return url.path }
      let parent = url.deletingLastPathComponent()
      if parent.path == url.path { break }
      url = parent
    }
    return nil
  }
}

/// An invalid campaign setting (exit status 1).
public struct BenchError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { "error: \(message)" }
}
