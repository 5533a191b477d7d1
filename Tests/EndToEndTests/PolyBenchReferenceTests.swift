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
}
