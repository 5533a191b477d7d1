// Differential tests against PolyBench/C 4.2.1 itself: every kernel's emitted
// program (original schedule and every strategy preset) must compile with
// `cc -O2 -Wall` without warnings and write the dump PolyBench's own program
// writes (Tests/Inputs/polybench-ref, MINI and SMALL).

import PolycDriver
import Foundation
import Testing
import TestSupport

@Suite struct PolyBenchReferenceTests {
  static let datasets = ["MINI", "SMALL"]

  @Test(arguments: Fixtures.polybenchKernels, datasets)
  func originalScheduleReproducesPolyBench(kernel: String, dataset: String) throws {
    let (dump, warnings) = try Fixtures.runProgram(kernel: kernel, strategy: "identity", dataset: dataset)
    #expect(warnings.isEmpty, "cc -O2 -Wall warned on \(kernel):\n\(warnings)")
    let reference = try Fixtures.referenceDump(kernel, dataset)
    let mismatch = DumpComparison.compare(expected: reference, actual: dump)
    #expect(mismatch == nil, "\(kernel) \(dataset): \(mismatch.map(\.description) ?? "")")
  }

  @Test(arguments: Fixtures.presets().filter { $0 != "identity" }, datasets)
  func everyPresetReproducesPolyBench(strategy: String, dataset: String) throws {
    var failures: [String] = []
    for kernel in Fixtures.sweepKernels {
      do {
        let (dump, _) = try Fixtures.runProgram(kernel: kernel, strategy: strategy, dataset: dataset)
        if let m = DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump) {
          failures.append("\(kernel): \(m)")
        }
      } catch {
        failures.append("\(kernel): \(error)")
      }
    }
    #expect(failures.isEmpty, "strategy \(strategy) on \(dataset):\n\(failures.joined(separator: "\n"))")
  }

  /// `"scalarExpansion": "accumulators"` (no preset turns it on) on the kernels it changes:
  /// ludcmp's `w` becomes `w_ij[i][j]`, durbin's `sum` and gramschmidt's `nrm` arrays along k.
  @Test(arguments: ["ludcmp", "durbin", "gramschmidt"])
  func accumulatorExpansionReproducesPolyBench(kernel: String) throws {
    var strategy = try Pipeline.loadStrategy(path: Fixtures.configPath("cpu"))
    strategy.expandAccumulators = true
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel)), strategy: strategy)
    #expect(c.result.notes.contains { $0.hasPrefix("scalar expansion:") }, "\(c.result.notes)")
    let text = try Pipeline.emit(.program, c)
    for dataset in Self.datasets {
      let (dump, warnings) = try Fixtures.runProgram(text: text, kernel: kernel, label: "accumulators", dataset: dataset,
                                                     env: ["OMP_NUM_THREADS": "2"])
      #expect(warnings.isEmpty, "\(warnings)")
      let m = DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump)
      #expect(m == nil, "\(kernel) \(dataset): \(m.map(\.description) ?? "")")
    }
  }
}
