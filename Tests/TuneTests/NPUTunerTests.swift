// `polyc tune --target npu`: the search is deterministic for a seed, invalid
// candidates are filtered before simulation, duplicates are measured once,
// and the written strategy file reproduces the reported cycles.

import PolycDriver
import Foundation
import PolycNPU
import Testing
import TestSupport
import PolycTune

@Suite struct NPUTunerTests {
  static let kernel = "\(Fixtures.root)/Kernels/npu/qmatmul.loop"
  static let sizes = ["M": 48, "N": 64, "K": 40]

  static func tuner(hw: HardwareConfig? = nil, seed: UInt64 = 3) throws -> NPUTuner {
    try NPUTuner(kernelPath: kernel, baseStrategyPath: Fixtures.configPath("npu"), sizes: sizes, hardware: hw, seed: seed)
  }

  @Test func theSearchIsDeterministicForASeed() throws {
    let a = try Self.tuner().run(search: .evolutionary, budget: 6)
    let b = try Self.tuner().run(search: .evolutionary, budget: 6)
    #expect(a.trials.map(\.candidate) == b.trials.map(\.candidate))
    #expect(a.bestCycles == b.bestCycles && a.best == b.best)
    #expect(a.bestCycles <= a.presetCycles, "the preset's own tile is the first candidate")
    #expect(a.measured + a.invalid + a.failed == 6)
  }

  /// The model-guided search: deterministic for a seed, the preset's tile first, then two
  /// random tiles, then the cost model's choices.
  @Test func theModelGuidedSearchIsDeterministicForASeed() throws {
    let a = try Self.tuner().run(search: .model, budget: 8)
    let b = try Self.tuner().run(search: .model, budget: 8)
    #expect(a.trials.map(\.candidate) == b.trials.map(\.candidate))
    #expect(a.bestCycles == b.bestCycles && a.bestCycles <= a.presetCycles)
    #expect(a.measured + a.invalid + a.failed == 8)
    #expect(Swift.Set(a.trials.map(\.candidate)).count == a.trials.count, "no candidate is tried twice")
  }

  @Test func invalidCandidatesAreNotSimulated() throws {
    var hw = HardwareConfig.npu16
    hw.name = "tiny"
    hw.scratchpad.inputBytes = 1024
    hw.scratchpad.weightBytes = 4096
    let r = try Self.tuner(hw: hw).run(search: .random, budget: 10)
    let invalid = r.trials.filter { $0.outcome == .invalid }
    #expect(!invalid.isEmpty, "small scratchpads make large tiles invalid")
    #expect(invalid.allSatisfy { $0.cycles == nil && ($0.reason ?? "").contains("exceeds") }, "\(invalid.map(\.reason))")
  }

  @Test func theWrittenStrategyReproducesTheResult() throws {
    let tuner = try Self.tuner()
    let r = try tuner.run(search: .evolutionary, budget: 5)
    let dir = try Fixtures.temporaryDirectory("tuned")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/qmatmul.json"
    try tuner.strategyText(r.best, writtenTo: path).write(toFile: path, atomically: true, encoding: .utf8)
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: Self.kernel), strategy: try Pipeline.loadStrategy(path: path))
    let run = try NPURunner.run(c, sizes: Self.sizes, options: NPUKernelRunOptions(seed: 3))
    #expect(run.run.report.cycles == r.bestCycles)
    #expect(run.run.bitExact)
  }

  @Test func reportsAreWritten() throws {
    let r = try Self.tuner().run(search: .random, budget: 3)
    let dir = try Fixtures.temporaryDirectory("tune-report")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try TuningReport.write([r], to: dir)
    for f in ["tune.json", "tune.md", "tune.svg"] { #expect(FileManager.default.fileExists(atPath: "\(dir)/\(f)")) }
    #expect(TuningReport.markdown([r]).contains("| random | 3 |"))
  }
}
