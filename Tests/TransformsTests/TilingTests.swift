// Tiling: the tiled tree schedules exactly the kernel's instances (complete),
// respects every dependence (legal), and tiles only permutable bands.

import PolycDependences
import PolycDriver
import PolycISL
import PolycModel
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct TilingTests {
  static let kernels = ["gemm", "2mm", "syrk", "lu", "jacobi-1d", "jacobi-2d", "seidel-2d", "fdtd-2d", "heat-3d", "covariance"]

  @Test(arguments: kernels)
  func tilingKeepsLegalityAndCompleteness(kernel: String) throws {
    var options = TransformOptions()
    options.tile = true
    options.tileSizes = .fixed([8, 8, 8])
    let c = try TransformFixture.compile(kernel, backend: .isl, options: options)
    let tiled = c.codeSchedule
    #expect(try c.dependences.violation(of: tiled) == nil)
    #expect(try tiled.domain().isEqual(c.scop.domain))
    #expect(try c.scop.domain.isSubset(of: try tiled.map().domain()))
    #expect(try tiled.map().isInjective() || !(try c.schedule.map().isInjective()))
  }

  @Test func gemmIsTiledWithTheRequestedSizes() throws {
    var options = TransformOptions()
    options.tile = true
    options.tileSizes = .fixed([16, 8, 4])
    let c = try TransformFixture.compile("gemm", backend: .isl, options: options)
    let notes = c.transforms?.notes ?? []
    #expect(notes.contains { $0.contains("tiled 16x8x4") }, "\(notes)")
    #expect(try TransformFixture.bands(c.codeSchedule).count > (try TransformFixture.bands(c.schedule).count))
  }

  @Test func secondLevelTilingAddsABand() throws {
    var options = TransformOptions()
    options.tile = true
    options.tileSizes = .fixed([32])
    options.secondLevelSizes = [8]
    options.intraTileReorder = false
    let c = try TransformFixture.compile("gemm", backend: .isl, options: options)
    #expect(try TransformFixture.bands(c.codeSchedule).count == 3)
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
  }

  /// seidel-2d in its original order as one 3-member band: the dependence
  /// (0, 1, -1) makes it non-permutable, so it must not be tiled.
  @Test func nonPermutableBandIsNotTiled() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("seidel-2d"))
    let scop = try Scop.build(k)
    let deps = try Dependences(scop: scop)
    let flat = try UnionMap(scop.ctx, "{ S0[t, i, j] -> [t, i, j] }").intersectDomain(scop.domain)
    let schedule = try Schedule.fromMap(domain: scop.domain, map: flat)
    #expect(try deps.violation(of: schedule) == nil)
    var options = TransformOptions()
    options.tile = true
    let r = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: options)
    #expect(r.notes.contains { $0.contains("not permutable, not tiled") }, "\(r.notes)")
    #expect(try TransformFixture.bands(r.schedule).count == 1)
    #expect(try r.schedule.map().isEqual(try schedule.map()))
  }

  @Test func shallowBandIsNotTiled() throws {
    var options = TransformOptions()
    options.tile = true
    options.mergeNestedBands = false
    let c = try TransformFixture.compile("jacobi-1d", backend: .identity, options: options)
    #expect(try TransformFixture.bands(c.codeSchedule).count == (try TransformFixture.bands(c.schedule).count))
    #expect(c.transforms?.notes.contains { $0.contains("fewer than 2 members") } == true)
  }

  @Test func perfectlyNestedIdentityBandsAreMergedAndTiled() throws {
    var options = TransformOptions()
    options.tile = true
    options.tileSizes = .fixed([16])
    options.tileOnlyWithReuse = false
    let c = try TransformFixture.compile("gemm", backend: .identity, options: options)
    #expect(c.transforms?.notes.contains { $0.contains("tiled 16x16") } == true, "\(c.transforms?.notes ?? [])")
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
  }

  @Test func wavefrontExposesAParallelTileLoop() throws {
    var options = TransformOptions()
    options.tile = true
    options.tileSizes = .fixed([16])
    options.wavefront = true
    options.parallel = true
    options.tileOnlyWithReuse = false
    options.wavefrontMinDepth = 2
    let c = try TransformFixture.compile("jacobi-1d", backend: .isl, options: options)
    let notes = c.transforms?.notes ?? []
    #expect(notes.contains { $0.contains("wavefront") && $0.contains("parallel") }, "\(notes)")
    #expect(try TransformFixture.marks(c.codeSchedule).contains("parallel"))
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
  }

  @Test func tilingNeedsReuseBeyondAOneDimensionalFootprint() throws {
    var options = TransformOptions()
    options.tile = true
    for kernel in ["gesummv", "floyd-warshall"] {
      let c = try TransformFixture.compile(kernel, backend: .isl, options: options)
      let notes = c.transforms?.notes ?? []
      #expect(notes.contains { $0.contains("not tiled, no reuse beyond a one-dimensional footprint") }, "\(kernel): \(notes)")
      #expect(!notes.contains { $0.contains(": tiled ") }, "\(kernel): \(notes)")
    }
    for kernel in ["gemm", "jacobi-2d"] {
      let c = try TransformFixture.compile(kernel, backend: .isl, options: options)
      #expect(c.transforms?.notes.contains { $0.contains(": tiled ") } == true, "\(kernel): \(c.transforms?.notes ?? [])")
      #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
    }
  }

  @Test func twoDimensionalNestsGetNoWavefront() throws {
    var options = TransformOptions()
    options.tile = true
    options.wavefront = true
    options.parallel = true
    options.tileOnlyWithReuse = false
    let c = try TransformFixture.compile("jacobi-1d", backend: .isl, options: options)
    #expect(c.transforms?.notes.contains { $0.contains("too little work per wave") } == true, "\(c.transforms?.notes ?? [])")
  }

  @Test func timeTiledStencilsGetALongInnermostAndAShortTimeSide() throws {
    let o = TransformOptions()
    #expect(TileSizeModel.timeTiledSizes(cube: 24, members: 4, footprintRank: 3, options: o) == [8, 16, 16, 64])
    #expect(TileSizeModel.timeTiledSizes(cube: 128, members: 3, footprintRank: 2, options: o) == [32, 64, 256])
    let heat = try TransformFixture.compile("heat-3d", preset: "cpu")
    #expect(heat.transforms?.notes.contains { $0.contains("tiled 8x16x16x64") } == true, "\(heat.transforms?.notes ?? [])")
    #expect(try heat.dependences.violation(of: heat.codeSchedule) == nil)
    // A factorization's outer loop indexes the matrix: not a time loop, the cube stays.
    let cholesky = try TransformFixture.compile("cholesky", preset: "cpu")
    let notes = cholesky.transforms?.notes ?? []
    #expect(notes.contains { $0.contains(": tiled ") } && !notes.contains { $0.contains("tiled 32x64x256") }, "\(notes)")
  }

  @Test func autoTileSizesFollowTheCacheModel() {
    var o = TransformOptions()
    o.cache.l2Bytes = 512 * 1024
    #expect(TileSizeModel.size(arrays: 3, elementBytes: 8, options: o) == 104)
    o.cache.l2Bytes = 32 * 1024
    #expect(TileSizeModel.size(arrays: 3, elementBytes: 8, options: o) == 24)
    o.cache.l2Bytes = 8 * 1024
    #expect(TileSizeModel.size(arrays: 3, elementBytes: 8, options: o) == 16)
    // A 3-D footprint (heat-3d's time-tiled band): the cube root.
    o.cache.l2Bytes = 512 * 1024
    #expect(TileSizeModel.size(arrays: 2, elementBytes: 8, footprintRank: 3, options: o) == 24)
  }
}
