// `polyc bench` end to end on MINI (fast), and the verification failure path:
// a variant whose output differs from the original's is reported as failed,
// never as fast.

@testable import PolycBench
import PolycDriver
import PolycToolchain
import Foundation
import Testing
import TestSupport

@Suite struct BenchCommandTests {
  /// A MINI campaign of one kernel, written to `out`.
  func miniCampaign(_ kernel: String, strategies: [String], repetitions: Int, out: String) -> BenchConfiguration {
    var config = BenchConfiguration(root: Fixtures.root, kernels: [kernel])
    config.strategies = strategies
    config.dataset = "MINI"
    config.repetitions = repetitions
    config.outputDirectory = out
    return config
  }

  @Test func benchOnMiniWritesTheFourReports() throws {
    guard let polyc = Fixtures.polycBinary else { Issue.record("polyc binary not found next to the tests"); return }
    let out = try Fixtures.temporaryDirectory("bench")
    defer { try? FileManager.default.removeItem(atPath: out) }
    let r = try ProcessRunner.run(polyc, ["bench", "--root", Fixtures.root, "--dataset", "MINI", "--kernels", "gemm,jacobi-1d",
                                          "--repetitions", "1", "--out", out], timeout: 900)
    #expect(r.status == 0, "\(r.stderr)")
    for f in Reports.files {
      #expect(FileManager.default.fileExists(atPath: "\(out)/\(f)"), "missing \(f)")
    }
    #expect(r.stdout.contains("geomean"))
    #expect(r.stderr.contains("[1/2] gemm"))
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/results.json"))
    let result = try JSONDecoder().decode(CampaignResult.self, from: data)
    #expect(result.kernels.map(\.kernel) == ["gemm", "jacobi-1d"])
    for k in result.kernels {
      #expect(k.original.status == .ok)
      for v in k.strategies where v.status != .skipped {
        #expect(v.status == .ok, "\(k.kernel) \(v.variant): \(v.message ?? "")")
      }
    }
    let csv = try String(contentsOfFile: "\(out)/results.csv", encoding: .utf8)
    #expect(csv.hasPrefix("kernel,dataset,variant,status"))
    let svg = try String(contentsOfFile: "\(out)/speedups.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("</svg>"))
  }

  @Test func wrongOutputIsReportedAsFailed() throws {
    let out = try Fixtures.temporaryDirectory("bench-fail")
    defer { try? FileManager.default.removeItem(atPath: out) }
    var config = miniCampaign("gemm", strategies: ["identity"], repetitions: 1, out: out)
    config.sourceHook = { _, _, source in
      source.replacingOccurrences(of: "  double polyc_t1 = polyc_now();\n", with: "  double polyc_t1 = polyc_now();\n  C[0][0] += 1.0;\n")
    }
    let result = try BenchRunner(config: config).run()
    let v = try #require(result.kernels.first?.variant("identity"))
    #expect(v.status == .failed)
    #expect(v.median == nil && v.speedup == nil)
    #expect(v.message?.contains("wrong output") == true, "\(v.message ?? "")")
    #expect(result.geomean("identity") == nil)
    #expect(Reports.table(result).contains("FAILED"))
    #expect(Reports.markdown(result).contains("FAILED"))
  }

  @Test func missingStrategyIsSkippedWithANotice() throws {
    let out = try Fixtures.temporaryDirectory("bench-skip")
    defer { try? FileManager.default.removeItem(atPath: out) }
    let config = miniCampaign("jacobi-1d", strategies: ["identity", "no-such-strategy"], repetitions: 1, out: out)
    let result = try BenchRunner(config: config).run()
    #expect(result.kernels[0].variant("no-such-strategy")?.status == .skipped)
    #expect(result.notices.contains { $0.contains("no-such-strategy") })
    #expect(result.kernels[0].variant("identity")?.status == .ok)
  }

  @Test func shortKernelsGetExtraRounds() throws {
    let out = try Fixtures.temporaryDirectory("bench-rounds")
    defer { try? FileManager.default.removeItem(atPath: out) }
    var config = miniCampaign("jacobi-1d", strategies: ["identity"], repetitions: 2, out: out)
    config.minimumTimedSeconds = 1000
    config.maximumRepetitions = 5
    var result = try BenchRunner(config: config).run()
    #expect(result.kernels[0].original.times.count == 5)
    #expect(result.kernels[0].variant("identity")?.times.count == 5)
    #expect(Reports.table(result).contains("median of 2 to 5 runs"))
    #expect(Reports.table(result).contains("polyc compile time, identity:"), "the suite total and the slowest kernel are reported")
    #expect(Reports.seconds(0.00004) == "0.000040" && Reports.speedup(0.004) == "0.004x" && Reports.speedup(1.5) == "1.50x")
    config.minimumTimedSeconds = 0
    result = try BenchRunner(config: config).run()
    #expect(result.kernels[0].original.times.count == 2)
    #expect(result.kernels[0].variant("identity")?.times.count == 2)
  }

  @Test func polycCompilesEveryKernelBeforeAnyRun() throws {
    let out = try Fixtures.temporaryDirectory("bench-phase")
    defer { try? FileManager.default.removeItem(atPath: out) }
    var config = miniCampaign("gemm", strategies: ["identity", "pluto"], repetitions: 1, out: out)
    config.kernels = ["gemm", "jacobi-1d"]
    let runner = BenchRunner(config: config)
    var lines: [String] = []
    runner.progress = { lines.append($0) }
    let result = try runner.run()
    let phase = try #require(lines.firstIndex { $0.hasPrefix("compiling 2 kernels with polyc") }, "\(lines)")
    let firstRun = try #require(lines.firstIndex { $0.hasPrefix("[1/2] gemm") })
    #expect(phase < firstRun, "the compile phase runs before the first kernel is built and timed")
    for k in result.kernels {
      for v in [k.original] + k.strategies {
        #expect(v.status == .ok && (v.polycSeconds ?? 0) > 0, "\(k.kernel) \(v.variant): \(v.message ?? "")")
      }
    }
  }

  @Test func unknownDatasetIsAnError() {
    var config = BenchConfiguration(root: Fixtures.root, kernels: ["gemm"])
    config.dataset = "HUGE"
    #expect(throws: BenchError.self) { try BenchRunner(config: config).run() }
  }

  @Test func statistics() {
    #expect(Statistics.median([3, 1, 2]) == 2)
    #expect(Statistics.median([4, 1, 2, 3]) == 2.5)
    #expect(abs(Statistics.geomean([2, 8]) - 4) < 1e-12)
  }
}

@Suite struct TunedStrategyTests {
  @Test func tunedIsEachKernelsOwnFile() throws {
    let dir = try Fixtures.temporaryDirectory("tuned-bench")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createSymbolicLink(atPath: "\(dir)/Kernels", withDestinationPath: "\(Fixtures.root)/Kernels")
    try FileManager.default.createDirectory(atPath: "\(dir)/Configs/tuned", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: Fixtures.configPath("pluto"), toPath: "\(dir)/Configs/tuned/gemm.json")
    var config = BenchConfiguration(root: dir, kernels: ["gemm", "atax"])
    #expect(config.strategyPath("tuned", kernel: "gemm") == "\(dir)/Configs/tuned/gemm.json")
    #expect(config.strategyPath("cpu", kernel: "gemm") == "\(dir)/Configs/cpu.json")
    config.strategies = ["tuned"]
    config.dataset = "MINI"
    config.repetitions = 1
    config.outputDirectory = "\(dir)/out"
    let result = try BenchRunner(config: config).run()
    #expect(result.kernels.first { $0.kernel == "gemm" }?.variant("tuned")?.status == .ok)
    #expect(result.kernels.first { $0.kernel == "atax" }?.variant("tuned")?.status == .skipped, "no tuned file for atax")
  }
}
