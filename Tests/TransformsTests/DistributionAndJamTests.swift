// Innermost distribution (stencils) and unroll-and-jam (matrix products).

import PolycDriver
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct DistributionAndJamTests {
  @Test func fusedStencilInnermostLoopIsDistributedAndVectorized() throws {
    var options = TransformOptions.cpu
    options.tileSizes = .fixed([16])
    options.wavefront = false
    let c = try TransformFixture.compile("jacobi-2d", backend: .isl, options: options)
    let notes = c.transforms?.notes ?? []
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
    if notes.contains(where: { $0.contains("distribution:") }) {
      #expect(try TransformFixture.marks(c.codeSchedule).filter { $0 == "simd" }.count == 2, "\(notes)")
    }
  }

  @Test func identityJacobi2dInnerLoopsStayParallel() throws {
    var options = TransformOptions()
    options.vectorize = true
    let c = try TransformFixture.compile("jacobi-2d", backend: .identity, options: options)
    #expect(try TransformFixture.marks(c.codeSchedule).filter { $0 == "simd" }.count == 2)
  }

  @Test func gemmPointLoopsAreUnrolledAndJammed() throws {
    var options = TransformOptions.cpu
    options.tileSizes = .fixed([32])
    let c = try TransformFixture.compile("gemm", backend: .isl, options: options)
    let marks = try TransformFixture.marks(c.codeSchedule)
    // The default factors [4, 4]: the k and i point loops are both jammed by 4.
    #expect(marks.filter { $0 == "jam:4" }.count == 2, "\(marks)")
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
    let text = try Pipeline.emit(.c, c)
    #expect(text.contains("+= 4)"))
  }

  @Test func jammingNeedsAVectorLoopOrAReduction() throws {
    // floyd-warshall's innermost loop carries a dependence that is no reduction.
    let floyd = try TransformFixture.compile("floyd-warshall", preset: "cpu")
    #expect(try !TransformFixture.marks(floyd.codeSchedule).contains { $0.hasPrefix("jam:") })
    #expect(floyd.transforms?.notes.contains { $0.contains("is no reduction, skipped") } == true, "\(floyd.transforms?.notes ?? [])")
    // gesummv's innermost loop accumulates into tmp[i] and y[i]: jammed for independent accumulators.
    let gesummv = try TransformFixture.compile("gesummv", preset: "cpu")
    #expect(try TransformFixture.marks(gesummv.codeSchedule).contains("jam:4"))
    #expect(try gesummv.dependences.violation(of: gesummv.codeSchedule) == nil)
  }

  @Test func shiftedFusedStatementsAreDistributedEvenWhenParallel() throws {
    // heat-3d's time-skewed band fuses two statements over shifted ranges:
    // the parallel innermost loop would need a guard per statement.
    let heat = try TransformFixture.compile("heat-3d", preset: "cpu")
    #expect(heat.transforms?.notes.contains { $0.contains("distribution:") && $0.contains("distributed") } == true)
    #expect(try TransformFixture.marks(heat.codeSchedule).filter { $0 == "simd" }.count == 2)
    // gemm's `C *= beta` only runs at k = 0: guarded outside the innermost loop, not distributed.
    var options = TransformOptions.cpu
    options.tileSizes = .fixed([32])
    let gemm = try TransformFixture.compile("gemm", backend: .isl, options: options)
    #expect(gemm.transforms?.notes.contains { $0.contains("distribution:") } == false, "\(gemm.transforms?.notes ?? [])")
  }

  @Test func nonPermutableBandIsNotJammed() throws {
    var options = TransformOptions()
    options.unrollAndJam = [4]
    let c = try TransformFixture.compile("seidel-2d", backend: .identity, options: options)
    #expect(try !TransformFixture.marks(c.codeSchedule).contains("jam:4"))
  }
}
