// Innermost distribution (stencils) and unroll-and-jam (matrix products).

import Driver
import Scheduler
import Testing
import TestSupport
import Transforms

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
    #expect(marks.contains("jam:4") && marks.contains("jam:2"), "\(marks)")
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
    let text = try Pipeline.emit(.c, c)
    #expect(text.contains("+= 4)"))
  }

  @Test func nonPermutableBandIsNotJammed() throws {
    var options = TransformOptions()
    options.unrollAndJam = [4]
    let c = try TransformFixture.compile("seidel-2d", backend: .identity, options: options)
    #expect(try !TransformFixture.marks(c.codeSchedule).contains("jam:4"))
  }
}
