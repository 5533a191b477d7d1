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

  /// Random programs that ran for minutes or past a budget (docs/testing.md):
  /// each compiles and prints the original schedule's dump. `make test` runs
  /// them under identity and pluto; `make fuzz` (POLYC_FUZZ_PROGRAMS set)
  /// under every preset.
  static let slowPrograms = ["slow-seed-8", "slow-seed-28", "slow-seed-33", "slow-seed-42", "slow-seed-43"]

  @Test(arguments: slowPrograms)
  func slowRandomProgramsFinishAndMatchTheOriginalSchedule(program: String) throws {
    let source = try String(contentsOfFile: Fixtures.regressionPath(program), encoding: .utf8)
    let everyPreset = ProcessInfo.processInfo.environment["POLYC_FUZZ_PROGRAMS"] != nil
    let presets = everyPreset ? Fixtures.presets() : ["identity", "pluto"]
    let failures = try Differential.check(source: source, presets: presets, datasets: ["SMALL"])
    #expect(failures.isEmpty, "\(program): \(failures)")
  }

  /// Random programs that ran past the tester's 120 s until `budget.seconds` and the 10 million
  /// operations of `maxOperations` (docs/testing.md): 20-30 s each under isl, pluto and
  /// feautrier in a release build, so only `make fuzz` runs them (under every preset).
  static let fuzzOnlySlowPrograms = ["slow-seed-1058", "slow-seed-1061"]

  @Test(.enabled(if: ProcessInfo.processInfo.environment["POLYC_FUZZ_PROGRAMS"] != nil), arguments: fuzzOnlySlowPrograms)
  func programsStoppedByTheirBudgetsMatchTheOriginalSchedule(program: String) throws {
    let source = try String(contentsOfFile: Fixtures.regressionPath(program), encoding: .utf8)
    let failures = try Differential.check(source: source, presets: Fixtures.presets(), datasets: ["SMALL"])
    #expect(failures.isEmpty, "\(program): \(failures)")
  }

  @Test func theExactAnalysisGivesWayToMemoryBasedDependencesWithANote() throws {
    let kernel = try Pipeline.loadKernel(path: Fixtures.regressionPath("slow-seed-8"))
    let c = try Pipeline.compile(kernel: kernel, strategy: try Pipeline.loadStrategy(path: Fixtures.configPath("identity")))
    #expect(!c.dependences.isValueBased)
    #expect(c.result.notes.contains { $0.contains("memory-based dependences are used instead") }, "\(c.result.notes)")
  }
}
