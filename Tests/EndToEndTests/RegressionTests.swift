// Programs that once produced wrong code (Tests/Inputs/regress): under every
// preset, built with OpenMP and run with two threads, each writes the dump of
// its original schedule (the identity preset, built without OpenMP).

import PolycDriver
import Foundation
import Testing
import TestSupport

@Suite struct RegressionTests {
  static let programs = ["single-iteration-race"]
  static let flags = ["-O2", "-fopenmp", "-ffp-contract=off", "-Wall"]

  @Test(arguments: programs, ["MINI", "SMALL"])
  func everyPresetMatchesTheOriginalSchedule(program: String, dataset: String) throws {
    let path = Fixtures.regressionPath(program)
    let expected = try Fixtures.runProgram(path: path, strategy: "identity", dataset: dataset).dump
    for strategy in Fixtures.presets() where strategy != "identity" {
      let (dump, warnings) = try Fixtures.runProgram(path: path, strategy: strategy, dataset: dataset, cflags: Self.flags,
                                                     env: ["OMP_NUM_THREADS": "2"])
      #expect(warnings.isEmpty, "\(program) \(strategy): gcc warned: \(warnings.prefix(300))")
      #expect(DumpComparison.compare(expected: expected, actual: dump) == nil, "\(program) under \(strategy) on \(dataset)")
    }
  }
}
