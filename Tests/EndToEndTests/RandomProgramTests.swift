// Differential testing with random affine programs (Tests/TestSupport/
// RandomProgram.swift, Differential.swift): every preset of Configs/, built
// with OpenMP and run with two threads on SMALL and MEDIUM, must print the
// dump of the original schedule. A failure prints the seed, the preset and a
// shrunk reproducer to add to Tests/Inputs/regress.
//
// `make test` runs a fixed sample of seeds; `make fuzz N=200` runs N seeds
// from POLYC_FUZZ_FIRST_SEED (both read here, by the test code only);
// POLYC_FUZZ_PRINT=1 prints each program, POLYC_FUZZ_SHRINK=K bounds the
// shrinking to K candidate programs (default 40).

import PolycDriver
import Foundation
import Testing
import TestSupport

@Suite struct RandomProgramTests {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }

  /// The fixed sample of `make test` (about a minute on two cores). The slow
  /// seeds (8, 28, 33, 42, 43) are regression programs (RegressionTests).
  static let sample: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 9]

  /// The seeds of this run: `POLYC_FUZZ_PROGRAMS` of them from
  /// `POLYC_FUZZ_FIRST_SEED` (default 1), else `sample`.
  static var seeds: [UInt64] {
    guard let count = environment["POLYC_FUZZ_PROGRAMS"].flatMap({ UInt64($0) }) else { return sample }
    let first = environment["POLYC_FUZZ_FIRST_SEED"].flatMap { UInt64($0) } ?? 1
    return Array(first..<(first + count))
  }

  static let datasets = ["SMALL", "MEDIUM"]

  @Test(arguments: seeds)
  func everyPresetPrintsTheOriginalSchedulesDump(seed: UInt64) throws {
    let program = RandomProgram(seed: seed)
    if Self.environment["POLYC_FUZZ_PRINT"] != nil { print(program.source) }
    let presets = Fixtures.presets()
    let failures = try Differential.check(source: program.source, presets: presets, datasets: Self.datasets)
    print("random program \(seed): compared under \(presets.filter { $0 != "identity" }.count) presets on SMALL, MEDIUM; "
          + "\(failures.count) failing\(failures.isEmpty ? "" : ": " + failures.map(\.preset).joined(separator: ", "))")
    if let summary = Differential.compileSeconds.finishProgram(total: Self.seeds.count) { print(summary) }
    guard let first = failures.first else { return }
    let attempts = Self.environment["POLYC_FUZZ_SHRINK"].flatMap { Int($0) } ?? 40
    let shrunk = Differential.shrink(program, first, attempts: attempts)
    for f in failures {
      Issue.record("seed \(seed): \(f)")
    }
    Issue.record("seed \(seed), \(first.preset) on \(first.dataset): shrunk reproducer:\n\(shrunk.source)")
  }

  @Test func theSameSeedGivesTheSameProgram() {
    #expect(RandomProgram(seed: 42).source == RandomProgram(seed: 42).source)
    #expect(RandomProgram(seed: 42).source != RandomProgram(seed: 43).source)
  }

  func load(_ source: String) throws {
    let dir = try Fixtures.temporaryDirectory("rand")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try source.write(toFile: "\(dir)/p.loop", atomically: true, encoding: .utf8)
    _ = try Pipeline.loadKernel(path: "\(dir)/p.loop")
  }

  @Test func generatedProgramsAreValid() throws {
    for seed in UInt64(1)...300 {
      let program = RandomProgram(seed: seed)
      do {
        try load(program.source)
      } catch {
        Issue.record("seed \(seed) does not load: \(error)\n\(program.source)")
        return
      }
    }
  }

  @Test func smallerProgramsAreValid() throws {
    let program = RandomProgram(seed: 7)
    for candidate in program.smaller().prefix(60) {
      #expect(throws: Never.self) { try load(candidate.source) }
    }
  }
}
