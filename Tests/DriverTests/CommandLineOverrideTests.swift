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

  @Test func setAndDefineSpecialiseTheCodeToFixedSizes() throws {
    let r = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("cpu"), "-Dni=100", "-D", "nj=120", "--set", "nk=80"])
    #expect(r.status == 0, "\(r.stderr)")
    // isl prints the fixed bounds as constants.
    #expect(r.stdout.contains("99") && r.stdout.contains("119"), "\(r.stdout)")
    let plain = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("cpu")])
    #expect(!plain.stdout.contains("119"))
  }

  @Test func aProgramSpecialisedToItsDataSetReproducesPolyBench() throws {
    // gemm's MINI data set is ni = 20, nj = 25, nk = 30: the specialised program must dump
    // exactly what PolyBench's does.
    let dir = try Fixtures.temporaryDirectory("set")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("cpu"), "--emit", "program", "--dataset", "MINI",
                       "--set", "ni=20,nj=25,nk=30", "-o", "\(dir)/g.c"])
    #expect(r.status == 0, "\(r.stderr)")
    try CCompiler(command: "cc", flags: ["-O2", "-ffp-contract=off"]).compile(source: "\(dir)/g.c", output: "\(dir)/g",
                                                                              extraFlags: ["-DPOLYBENCH_DUMP_ARRAYS"])
    let run = try ProcessRunner.run("\(dir)/g", [], timeout: 60)
    #expect(run.status == 0)
    #expect(DumpComparison.compare(expected: try Fixtures.referenceDump("gemm", "MINI"), actual: run.stderr) == nil)
  }

  @Test(arguments: [
    (["-Dq=1"], 1, "'q' is not a size parameter of kernel 'gemm' (its size parameters: ni, nj, nk)"),
    (["-Dni=0"], 1, "admit no parameter values"),
    (["-Dni=99999999999"], 1, "does not fit C's int"),
    (["-Dni=x"], 64, "--set expects NAME=INTEGER"),
    (["--set", "ni"], 64, "--set expects NAME=INTEGER"),
  ])
  func badFixedSizes(args: [String], status: Int32, message: String) throws {
    let r = try polyc([Fixtures.kernelPath("gemm")] + args)
    #expect(r.status == status, "\(args): \(r.stderr)")
    #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
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
