// The knobs users of Pluto and PPCG reach for (issue 13): strategy overrides on
// the command line, schedules saved and loaded back (checked for legality),
// the scheduled loop nest, --version and the overview of a bare `polyc`.

import PolycDriver
import PolycToolchain
import Foundation
import Testing
import TestSupport

@Suite struct CommandLineOverrideTests {
  func polyc(_ args: [String]) throws -> ProcessResult {
    let bin = try #require(Fixtures.polycBinary, "polyc executable not found next to the tests")
    return try ProcessRunner.run(bin, args, timeout: 120)
  }

  @Test func versionAndOverview() throws {
    let v = try polyc(["--version"])
    #expect(v.status == 0 && v.stdout.hasPrefix("polyc ") && v.stdout.contains("isl"))
    let o = try polyc([])
    #expect(o.status == 0 && o.stdout.contains("OVERVIEW") && o.stdout.contains("polyc npu"))
  }

  @Test func tileSizesAndParallelOverrideTheStrategy() throws {
    let r = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("npu"), "--tile-sizes", "8,8,8", "--parallel"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("+= 8)") && r.stdout.contains("#pragma omp parallel for"), "\(r.stdout)")
    let plain = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("npu")])
    #expect(!plain.stdout.contains("#pragma omp"))
  }

  @Test(arguments: [["--tile-sizes", "0,4"], ["--tile-sizes", "a"], ["--fuse", "sometimes"]])
  func badOverridesAreUsageErrors(args: [String]) throws {
    let r = try polyc([Fixtures.kernelPath("gemm")] + args)
    #expect(r.status == 64, "\(args): \(r.stderr)")
  }

  @Test func aSavedScheduleLoadsBackToTheSameCode() throws {
    let dir = try Fixtures.temporaryDirectory("sched")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let saved = try polyc([Fixtures.kernelPath("jacobi-2d"), "--config", Fixtures.configPath("pluto"), "--emit", "schedule"])
    #expect(saved.status == 0)
    try saved.stdout.write(toFile: "\(dir)/j.sched", atomically: true, encoding: .utf8)
    let original = try polyc([Fixtures.kernelPath("jacobi-2d"), "--config", Fixtures.configPath("pluto")])
    let loaded = try polyc([Fixtures.kernelPath("jacobi-2d"), "--config", Fixtures.configPath("pluto"), "--load-schedule", "\(dir)/j.sched"])
    #expect(loaded.status == 0, "\(loaded.stderr)")
    #expect(loaded.stdout == original.stdout)
  }

  @Test func anIllegalLoadedScheduleIsRejectedNamingTheDependence() throws {
    let dir = try Fixtures.temporaryDirectory("sched")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let tree = """
      domain: "[tsteps, n] -> { S0[t, i] : tsteps >= 1 and n >= 3 and 0 <= t < tsteps and 0 < i < n - 1; S1[t, i] : tsteps >= 1 and n >= 3 and 0 <= t < tsteps and 0 < i < n - 1 }"
      child:
        schedule: "[tsteps, n] -> [{ S0[t, i] -> [(-t)]; S1[t, i] -> [(-t)] }]"
        child:
          sequence:
          - filter: "[tsteps, n] -> { S0[t, i] }"
          - filter: "[tsteps, n] -> { S1[t, i] }"
      """
    try tree.write(toFile: "\(dir)/bad.sched", atomically: true, encoding: .utf8)
    let r = try polyc([Fixtures.kernelPath("jacobi-1d"), "--load-schedule", "\(dir)/bad.sched"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("S0") || r.stderr.contains("S1"), "\(r.stderr)")
  }

  @Test func emitAstPrintsTheScheduledLoopNest() throws {
    let r = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("pluto"), "--emit", "ast"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("S1(") && r.stdout.contains("+= 32") && r.stdout.contains("//   S1(i, k, j): C[i][j] += alpha * A[i][k] * B[k][j]"), "\(r.stdout)")
  }
}
