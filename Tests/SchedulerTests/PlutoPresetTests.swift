//===- PlutoPresetTests.swift - What Pluto's preset must find -------------===//

import PolycDriver
import PolycScheduler
import Testing

@Suite struct PlutoPresetTests {
  @Test(arguments: ["gemm", "2mm", "syrk"])
  func outermostLoopIsParallel(_ kernel: String) throws {
    let s = try Repo.compile(kernel, preset: "pluto").summary
    #expect(s.hasOuterParallelLoop, "\(s.render())")
    for b in s.bands where b.isOutermost { #expect(b.members.first?.coincident == true) }
  }

  /// A time loop and space loops fused into one permutable band: rows after
  /// the first mix the time iterator in (skewing), so the band can be tiled.
  @Test(arguments: ["seidel-2d", "jacobi-2d"])
  func timeLoopsGetATilableSkewedBand(_ kernel: String) throws {
    let c = try Repo.compile(kernel, preset: "pluto")
    let s = try c.summary
    let band = try #require(s.bands.first { $0.isOutermost })
    #expect(band.permutable)
    #expect(band.members.count >= 2)
    let skewed = band.members.dropFirst().contains { m in
      m.expressions.values.contains { e in e.contains("t") && (e.contains("i") || e.contains("j")) && e.contains("+") }
    }
    #expect(skewed, "\(s.render())")
    #expect(band.members.first?.carries.isEmpty == false)
  }

  @Test func gemmStatementsAreDistributedBySmartFusion() throws {
    let s = try Repo.compile("gemm", preset: "pluto").summary
    #expect(s.sequences.first?.map { $0 } == [["S0"], ["S1"]])
    #expect(s.maxTilableDepth == 3)
  }
}
