// `polyc tune --target cpu`: the candidate sequence is deterministic for a
// seed, candidates the strategy parser or the scheduler rejects are discarded
// before anything is built, programs already seen are not measured twice, and
// the written strategy file generates the program that was measured.

import Foundation
import PolycDriver
import PolycScheduler
import Testing
import TestSupport
import PolycTune

@Suite struct CPUTunerTests {
  static func tuner(_ kernel: String = "jacobi-1d", seed: UInt64 = 5, polyc: String? = nil, compileTimeout: Double = 120) throws -> CPUTuner {
    var o = CPUTuningOptions()
    o.polyc = polyc
    o.compileTimeout = compileTimeout
    o.dataset = "MINI"
    o.verifyDataset = "MINI"
    o.repetitions = 1
    o.minimumTimedSeconds = 0
    return try CPUTuner(kernelPath: Fixtures.kernelPath(kernel), configsDirectory: "\(Fixtures.root)/Configs", seed: seed, options: o)
  }

  @Test func theSearchIsDeterministicForASeed() throws {
    let a = try Self.tuner().run(search: .random, budget: 3)
    let b = try Self.tuner().run(search: .random, budget: 3)
    #expect(a.trials.map(\.candidate) == b.trials.map(\.candidate))
    #expect(a.measured + a.invalid + a.failed == 3)
    #expect(a.failed == 0, "\(a.trials.compactMap(\.reason))")
    let e = try Self.tuner().run(search: .evolutionary, budget: 2)
    // Evolutionary search starts from the other presets.
    #expect(e.trials.first?.candidate.base == "pluto")
  }

  @Test func aCandidateFarSlowerThanThePresetIsKilledAndCountsAsAtLeastThatSlow() throws {
    var o = CPUTuningOptions()
    o.repetitions = 3
    o.slowFloor = 0.5
    let tuner = try CPUTuner(kernelPath: Fixtures.kernelPath("jacobi-1d"), configsDirectory: "\(Fixtures.root)/Configs", options: o)
    let dir = try Fixtures.temporaryDirectory("slow-candidate")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func script(_ name: String, _ body: String) throws -> String {
      let path = "\(dir)/\(name)"
      try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
      return path
    }
    let preset = try script("preset", "echo 0.001")
    let slow = try script("slow", "exec sleep 60")
    let start = Date()
    let (t, p, killed) = try tuner.sideBySide(slow, preset, rounds: 3)
    #expect(killed)
    #expect(t == 0.01 && p == 0.001)
    #expect(Date().timeIntervalSince(start) < 30)
    let fast = try script("fast", "echo 0.002")
    let (t2, _, killed2) = try tuner.sideBySide(fast, preset, rounds: 3)
    #expect(!killed2 && t2 == 0.002)
  }

  @Test func invalidCandidatesAreDiscardedBeforeAnythingIsBuilt() throws {
    let tuner = try Self.tuner()
    let base = try tuner.baseline()
    let builds = tuner.builds
    var bad = base.presetCandidate
    bad.tiling = true
    bad.tileSizes = [0, 32, 32]  // the strategy parser rejects a zero tile size
    var seen: [String: Int] = [:]
    let (outcome, seconds, _, reason) = tuner.evaluate(bad, index: 0, base, seenPrograms: &seen)
    #expect(outcome == .invalid && seconds == nil)
    #expect(reason?.contains("tiling.sizes") == true, "\(reason ?? "")")
    #expect(tuner.builds == builds, "an invalid candidate was compiled")
  }

  @Test func programsAlreadySeenAreNotMeasuredTwice() throws {
    let tuner = try Self.tuner()
    let base = try tuner.baseline()
    var c = base.presetCandidate
    c.fusion = "none"
    var seen: [String: Int] = [:]
    let first = tuner.evaluate(c, index: 0, base, seenPrograms: &seen)
    #expect(first.0 == .measured, "\(first.3 ?? "")")
    let builds = tuner.builds
    let again = tuner.evaluate(c, index: 1, base, seenPrograms: &seen)
    #expect(again.0 == .duplicate && tuner.builds == builds)
  }

  @Test func theWrittenStrategyGeneratesTheMeasuredProgram() throws {
    let tuner = try Self.tuner("gemm")
    let r = try tuner.run(search: .evolutionary, budget: 3)
    let dir = try Fixtures.temporaryDirectory("cpu-tuned")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/gemm.json"
    try tuner.strategyText(r.best).write(toFile: path, atomically: true, encoding: .utf8)
    let written = try tuner.program(try Pipeline.loadStrategy(path: path))
    #expect(written == (try tuner.program(try tuner.strategy(r.best))))
    #expect(r.speedup >= 1, "a tuned result is never slower than the preset")
    try TuningReport.write([r], to: dir)
    for f in ["tune.json", "tune.md", "tune.svg"] { #expect(FileManager.default.fileExists(atPath: "\(dir)/\(f)")) }
  }

  /// The cache sizes and the register tile reach the strategy, and change gemm's program.
  @Test func cacheSizesAndRegisterTilesAreKnobsOfTheSpace() throws {
    let tuner = try Self.tuner("gemm")
    let preset = try tuner.candidate(ofPreset: "cpu")
    #expect(preset.cache == nil && preset.registerTile == nil)
    var c = preset
    c.cache = [49_152, 1_048_576]
    c.registerTile = [4, 32]
    let s = try tuner.strategy(c)
    #expect(s.tiling.l1Bytes == 49_152 && s.tiling.l2Bytes == 1_048_576)
    #expect(s.tiling.matmul.registerTile == [4, 32])
    #expect(c.description.contains("cache 48 KiB/1024 KiB") && c.description.contains("register tile 4x32"))
    #expect(try tuner.program(s) != (try tuner.program(try tuner.strategy(preset))))
    // A preset without BLIS-style tiling keeps none: the register tile is not added to it.
    var p = try tuner.candidate(ofPreset: "pluto")
    p.registerTile = [4, 32]
    #expect(try tuner.strategy(p).tiling.matmul.enabled == false)
  }

  /// The cpu preset's matmul tiles need tiling: its untiled candidate turns them off instead of
  /// being rejected by the parser (it was, and untiled cpu candidates were never measured).
  @Test func anUntiledCandidateOfTheCPUPresetIsValid() throws {
    let tuner = try Self.tuner("gemm")
    var c = try tuner.candidate(ofPreset: "cpu")
    c.tiling = false
    let s = try tuner.strategy(c)
    #expect(!s.tiling.enabled && !s.tiling.matmul.enabled)
  }

  @Test func candidatesCompileInAChildProcessUnderATimeout() throws {
    let polyc = try #require(Fixtures.polycBinary, "polyc executable not found next to the tests")
    let tuner = try Self.tuner(polyc: polyc)
    let base = try tuner.baseline()
    var c = base.presetCandidate
    c.fusion = "none"
    var seen: [String: Int] = [:]
    let r = tuner.evaluate(c, index: 0, base, seenPrograms: &seen)
    #expect(r.0 == .measured, "\(r.3 ?? "")")
    // The same program as compiled in this process: the child runs the same pipeline.
    #expect(seen.keys.first == (try tuner.program(try tuner.strategy(c))))

    let hasty = try Self.tuner(polyc: polyc, compileTimeout: 0.001)
    let hb = try hasty.baseline()
    var none: [String: Int] = [:]
    let builds = hasty.builds
    let t = hasty.evaluate(c, index: 0, hb, seenPrograms: &none)
    #expect(t.0 == .invalid && (t.3 ?? "").contains("did not finish"), "\(t.3 ?? "")")
    #expect(hasty.builds == builds)
  }
}
