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

package enum Peer: String, Sendable, CaseIterable, Codable {
  /// clang with Polly (`-mllvm -polly`) on the original program.
  case polly
}

package struct BenchConfiguration: Sendable {
  package static let allDatasets = ["MINI", "SMALL", "MEDIUM", "LARGE", "EXTRALARGE"]
  package static let defaultStrategies = ["identity", "pluto", "isl", "cpu"]
  /// Flags of both the original and polyc's programs. `-ffp-contract=off`
  /// keeps FMA contraction from changing results between schedules (see
  /// Tests/Inputs/polybench-ref/README.md); it is applied to every variant,
  /// peers included, so the comparison stays fair.
  package static let defaultCFlags = ["-O3", "-march=native", "-fopenmp", "-ffp-contract=off"]
  package static let defaultPollyFlags = ["-O3", "-march=native", "-ffp-contract=off", "-fopenmp",
                                         "-mllvm", "-polly", "-mllvm", "-polly-tiling",
                                         "-mllvm", "-polly-parallel", "-mllvm", "-polly-vectorizer=stripmine"]

  package var kernels: [String]
  package var strategies: [String] = BenchConfiguration.defaultStrategies
  package var dataset = "MEDIUM"
  package var threads = 2
  package var repetitions = 3
  /// Short kernels get extra rounds: after `repetitions` rounds, rounds go on
  /// until the timed runs of a kernel add up to `minimumTimedSeconds` or
  /// `maximumRepetitions` rounds ran. A 2 ms kernel's median over 3 runs is
  /// mostly noise; over 30 it is not. 0 turns the extra rounds off.
  package var minimumTimedSeconds = 1.0
  package var maximumRepetitions = 31
  package var cc = "gcc"
  package var cflags: [String] = BenchConfiguration.defaultCFlags
  /// Added to the verification build only.
  package var verifyFlags: [String] = []
  package var peers: [Peer] = []
  /// The clang with Polly; nil: the first of clang-19 ... clang-14, clang that accepts `-mllvm -polly`.
  package var pollyCompiler: String? = nil
  package var pollyFlags: [String] = BenchConfiguration.defaultPollyFlags
  package var outputDirectory = "bench-results"
  /// Folder holding `Kernels/polybench` and `Configs`.
  package var root: String
  /// Seconds before a run is killed (reported as failed).
  package var timeout: Double = 900
  /// `OMP_WAIT_POLICY` of every run, every variant alike (nil: the runtime's
  /// default). PASSIVE by default: on small virtual machines, threads that
  /// spin at barriers make the hypervisor preempt their virtual CPU (pause-loop
  /// exiting) and a kernel's time varies tenfold; see docs/bench.md.
  package var ompWaitPolicy: String? = "PASSIVE"
  /// Emit `restrict` array parameters in polyc's programs.
  package var restrictArrays = true
  /// Test hook: rewrites the C text polyc generated for (kernel, strategy)
  /// before it is compiled (fault injection for the verification path).
  package var sourceHook: (@Sendable (_ kernel: String, _ strategy: String, _ source: String) -> String)? = nil

  package init(root: String, kernels: [String] = BenchConfiguration.polybenchKernels) {
    self.root = root
    self.kernels = kernels
  }

  package static let polybenchKernels: [String] = [
    "correlation", "covariance", "gemm", "gemver", "gesummv", "symm", "syr2k", "syrk", "trmm", "2mm", "3mm",
    "atax", "bicg", "doitgen", "mvt", "cholesky", "durbin", "gramschmidt", "lu", "ludcmp", "trisolv",
    "deriche", "floyd-warshall", "nussinov", "adi", "fdtd-2d", "heat-3d", "jacobi-1d", "jacobi-2d", "seidel-2d",
  ]

  package var kernelsDirectory: String { "\(root)/Kernels/polybench" }
  package var configsDirectory: String { "\(root)/Configs" }
  package func kernelPath(_ k: String) -> String { "\(kernelsDirectory)/\(k).loop" }
  package func strategyPath(_ s: String) -> String { "\(configsDirectory)/\(s).json" }

  /// The strategy file of `s` for `kernel`: `tuned` is each kernel's own
  /// `Configs/tuned/<kernel>.json` (written by `polyc tune`).
  package func strategyPath(_ s: String, kernel: String) -> String {
    s == Self.tuned ? "\(configsDirectory)/tuned/\(kernel).json" : strategyPath(s)
  }

  /// The pseudo-strategy of per-kernel tuned files.
  package static let tuned = "tuned"

  /// The folder holding `Kernels/polybench`: `start` or one of its parents.
  package static func findRoot(from start: String) -> String? {
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
package struct BenchError: Error, CustomStringConvertible, Sendable {
  package var message: String
  package init(_ message: String) { self.message = message }
  package var description: String { "error: \(message)" }
}
