// `keepSourceOrderWithoutGain`: a reordering that enables no parallel loop,
// no vector loop and no tiling is dropped for the source order.

import PolycDriver
import Foundation
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct SourceOrderPolicyTests {
  static func compile(_ kernel: String, keep: Bool) throws -> Compilation {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
    var s = try Pipeline.loadStrategy(path: Fixtures.configPath("cpu"))
    s.keepSourceOrderWithoutGain = keep
    // ludcmp's schedule gains nothing only while its accumulator `w` stays a scalar: the cpu
    // preset expands it into w_ij[i][j] and tiles the LU nest.
    s.expandAccumulators = false
    return try Pipeline.compile(kernel: k, strategy: s)
  }

  @Test func ludcmpKeepsItsSourceOrderUnderTheCpuPreset() throws {
    let c = try Self.compile("ludcmp", keep: true)
    #expect(c.result.backend == "identity")
    #expect(c.result.notes.contains { $0.contains("the source order is kept") }, "\(c.result.notes)")
    #expect(try c.transforms?.gains() == false)
    let scheduled = try Self.compile("ludcmp", keep: false)
    #expect(scheduled.result.backend == "polytops")
  }

  @Test func kernelsWithParallelOrTiledLoopsKeepTheirSchedule() throws {
    for kernel in ["gemm", "jacobi-2d", "gesummv"] {
      let c = try Self.compile(kernel, keep: true)
      #expect(c.result.backend == "polytops", "\(kernel): \(c.result.notes)")
      #expect(try c.transforms?.gains() == true, "\(kernel)")
    }
  }

  @Test func theKeyIsReadFromTheStrategyFile() throws {
    let s = try Strategy.parse(Data(#"{ "version": 1, "keepSourceOrderWithoutGain": true }"#.utf8), path: "t.json")
    #expect(s.keepSourceOrderWithoutGain)
    #expect(try !Pipeline.loadStrategy(path: Fixtures.configPath("cpu")).keepSourceOrderWithoutGain)
  }
}
