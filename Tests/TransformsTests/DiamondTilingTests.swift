// Diamond tiling: a time-skewed stencil band gets a skewed space hyperplane and
// its mirror (concurrent start), only when the dependences allow it; the
// programs it gives reproduce PolyBench's output with two threads.

import PolycDependences
import PolycDriver
import PolycISL
import PolycModel
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct DiamondTilingTests {
  static func options(sizes: [Int] = [16]) -> TransformOptions {
    var o = TransformOptions()
    o.tile = true
    o.tileSizes = .fixed(sizes)
    o.tileOnlyWithReuse = false
    o.diamond = true
    o.wavefront = true
    o.wavefrontMinDepth = 2
    o.parallel = true
    return o
  }

  /// A permutable band with partial schedule `band` (isl's `[{...}, {...}]` members) over S0 and
  /// S1, then S0 before S1 (as Pluto schedules jacobi-1d).
  static func tree(_ scop: Scop, band: String) throws -> Schedule {
    let text = """
      { domain: "\(try scop.domain)", child: { schedule: "[\(band)]", permutable: 1,
        child: { sequence: [ { filter: "{ S0[t, i] }" }, { filter: "{ S1[t, i] }" } ] } } }
      """
    return try Schedule(scop.ctx, text)
  }

  /// jacobi-1d with Pluto's skewed band (t, 2t + i): the band becomes (2t + i, 2t - i), is tiled,
  /// and its wavefront has a parallel tile loop.
  @Test func skewedStencilBandGetsTheMirroredHyperplane() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("jacobi-1d"))
    let scop = try Scop.build(k)
    let deps = try Dependences(scop: scop)
    let schedule = try Self.tree(scop, band: "{ S0[t, i] -> [(t)]; S1[t, i] -> [(t)] }, { S0[t, i] -> [(2t + i)]; S1[t, i] -> [(1 + 2t + i)] }")
    #expect(try deps.violation(of: schedule) == nil)
    let r = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: Self.options())
    #expect(r.notes.contains { $0.contains("diamond:") && $0.contains("mirror") }, "\(r.notes)")
    #expect(r.notes.contains { $0.contains("wavefront") && $0.contains("parallel") }, "\(r.notes)")
    #expect(try deps.violation(of: r.schedule) == nil)
    #expect(try r.schedule.domain().isEqual(try scop.domain))
    // The tiles are diamonds: the tile band's members are floor((2t + i)/16) and floor((2t - i)/16)
    // (scaled by 16), skewed by the wavefront into their sum and the second.
    let withDiamond = try Self.tree(scop, band: "{ S0[t, i] -> [(2t + i)]; S1[t, i] -> [(1 + 2t + i)] }, { S0[t, i] -> [(2t - i)]; S1[t, i] -> [(1 + 2t - i)] }")
    var plain = Self.options()
    plain.diamond = false
    let direct = try TransformPipeline.apply(schedule: withDiamond, scop: scop, dependences: deps, options: plain)
    #expect(try r.schedule.map().isEqual(try direct.schedule.map()))
  }

  /// seidel-2d's in-place update reads its new west and north neighbours: the mirror of a
  /// skewed space hyperplane has a negative distance, so the band stays as it was.
  @Test func mirrorThatViolatesADependenceIsRejected() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("seidel-2d"))
    let scop = try Scop.build(k)
    let deps = try Dependences(scop: scop)
    let skewed = try UnionMap(scop.ctx, "{ S0[t, i, j] -> [t, t + i, 2t + i + j] }")
    let schedule = try Schedule.fromMap(domain: scop.domain, map: skewed)
    #expect(try deps.violation(of: schedule) == nil)
    let r = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: Self.options())
    #expect(r.notes.contains { $0.contains("mirrored hyperplane violates a dependence") }, "\(r.notes)")
    #expect(r.notes.contains { $0.contains("tiled 16x16x16") }, "\(r.notes)")
    #expect(try deps.violation(of: r.schedule) == nil)
  }

  /// A band whose first member is not time alone (gemm's (i, j, k)) is not a stencil band.
  @Test func bandWithoutATimeMemberIsLeftAlone() throws {
    var o = Self.options()
    o.wavefront = false
    let c = try TransformFixture.compile("gemm", backend: .identity, options: o)
    let notes = c.transforms?.notes ?? []
    #expect(!notes.contains { $0.contains("members 0, 1 replaced") }, "\(notes)")
    #expect(notes.contains { $0.contains(": tiled ") }, "\(notes)")
  }

  /// `tiling.diamond` on top of the `cpu` preset: jacobi-2d and heat-3d get diamonds, and the
  /// programs, run with two threads, print PolyBench's dump.
  @Test(arguments: ["jacobi-2d", "heat-3d"])
  func diamondProgramsReproducePolyBench(kernel: String) throws {
    var strategy = try Pipeline.loadStrategy(path: Fixtures.configPath("cpu"))
    strategy.tiling.diamond = true
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
    let c = try Pipeline.compile(kernel: k, strategy: strategy)
    #expect(c.notes.contains { $0.contains("diamond:") && $0.contains("mirror") }, "\(c.notes)")
    let text = try Pipeline.emit(.program, c)
    for dataset in ["MINI", "SMALL"] {
      let (dump, _) = try Fixtures.runProgram(text: text, kernel: kernel, label: "diamond", dataset: dataset,
                                              cflags: ["-O2", "-fopenmp", "-ffp-contract=off"], env: ["OMP_NUM_THREADS": "2"])
      #expect(DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump) == nil, "\(kernel) \(dataset)")
    }
  }

  @Test func strategyKeyRoundTrips() throws {
    let s = try Pipeline.strategy(json: #"{"version": 1, "tiling": {"diamond": true}}"#)
    #expect(s.tiling.diamond)
    #expect(TransformOptions(strategy: s).diamond)
    let back = try Pipeline.strategy(json: try s.fileText())
    #expect(back == s)
    #expect(throws: (any Error).self) { try Pipeline.strategy(json: #"{"version": 1, "tiling": {"diamond": 1}}"#) }
  }
}
