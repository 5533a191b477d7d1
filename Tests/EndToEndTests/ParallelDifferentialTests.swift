// Differential tests of the fast code: for every kernel and every strategy
// preset, the program with its tiling, OpenMP and SIMD pragmas, built with
// `gcc -O2 -fopenmp -ffp-contract=off` and run with two OpenMP threads,
// writes the dump PolyBench/C 4.2.1 writes (MINI and SMALL).

import PolycDriver
import Foundation
import Testing
import TestSupport

@Suite struct ParallelDifferentialTests {
  static let datasets = ["MINI", "SMALL"]
  static let flags = ["-O2", "-fopenmp", "-ffp-contract=off", "-Wall"]

  @Test(arguments: Fixtures.presets(), datasets)
  func parallelProgramsReproducePolyBench(strategy: String, dataset: String) throws {
    var failures: [String] = []
    for kernel in Fixtures.sweepKernels {
      do {
        let (dump, warnings) = try Fixtures.runProgram(kernel: kernel, strategy: strategy, dataset: dataset, cflags: Self.flags,
                                                       env: ["OMP_NUM_THREADS": "2"])
        if !warnings.isEmpty { failures.append("\(kernel): gcc warned: \(warnings.prefix(300))") }
        if let m = DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump) {
          failures.append("\(kernel): \(m)")
        }
      } catch {
        failures.append("\(kernel): \("\(error)".prefix(300))")
      }
    }
    #expect(failures.isEmpty, "strategy \(strategy) on \(dataset) with 2 threads:\n\(failures.joined(separator: "\n"))")
  }

  /// Kernels outside the sweep subset whose `cpu` code exercises the rarer
  /// paths: a jammed parallel loop (gesummv, heat-3d), untiled bands
  /// (floyd-warshall), tiled column accesses (mvt), no wavefront (trisolv).
  @Test(arguments: ["gesummv", "heat-3d", "floyd-warshall", "mvt", "trisolv", "bicg"])
  func cpuPresetWithTwoThreads(kernel: String) throws {
    for dataset in Self.datasets {
      let (dump, warnings) = try Fixtures.runProgram(kernel: kernel, strategy: "cpu", dataset: dataset, cflags: Self.flags,
                                                     env: ["OMP_NUM_THREADS": "2"])
      #expect(warnings.isEmpty, "\(kernel): gcc warned: \(warnings.prefix(300))")
      #expect(DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump) == nil, "\(kernel) \(dataset)")
    }
  }
}
