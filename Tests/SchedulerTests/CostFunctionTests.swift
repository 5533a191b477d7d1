//===- CostFunctionTests.swift - What each cost function prefers ----------===//

import PolycDriver
import PolycScheduler
import Testing

@Suite struct CostFunctionTests {
  /// gemm's S1 is `C[i][j] += alpha * A[i][k] * B[k][j]`: j is the stride-1
  /// iterator of C and B, so contiguity keeps it for the innermost loop.
  @Test(arguments: ["cpu", "npu", "tensor"])
  func contiguityMakesTheInnermostLoopOfGemmWalkJ(_ preset: String) throws {
    let s = try Repo.compile("gemm", preset: preset).summary
    #expect(loopOf(s.innermostExpression(of: "S1")) == "j", "\(s.render())")
  }

  @Test func withoutContiguityPlutoKeepsKInnermost() throws {
    let s = try Repo.compile("gemm", preset: "pluto").summary
    #expect(loopOf(s.innermostExpression(of: "S1")) == "k")
  }

  @Test func cpuPresetKeepsTheOuterLoopParallel() throws {
    for k in ["gemm", "2mm", "syrk", "mvt", "covariance"] {
      #expect(try Repo.compile(k, preset: "cpu").summary.hasOuterParallelLoop, "\(k)")
    }
  }

  @Test func feautrierSatisfiesDependencesAsEarlyAsPossible() throws {
    let c = try Repo.compile("gemm", preset: "feautrier")
    let s = try c.summary
    #expect(c.result.backend == "feautrier")
    let first = try #require(s.bands.first)
    #expect(!first.permutable)
    #expect(first.members.count == 1)
    #expect(first.members[0].carries.count >= 2, "\(s.render())")
  }

  @Test func bigLoopsFirstPutsTheLongLoopOutside() throws {
    let s = try Repo.strategy("""
      { "version": 1, "backend": "polytops", "fusion": "none",
        "defaultDimension": { "costs": ["bigLoopsFirst", "proximity"], "skewing": false } }
      """)
    let c = try Repo.compile("doitgen", s)
    let sum = try c.summary
    #expect(try ScheduleProperties(c).legal)
    #expect(!sum.bands.isEmpty)
  }

  @Test func parallelismCostFindsParallelLoops() throws {
    let s = try Repo.strategy("""
      { "version": 1, "backend": "polytops",
        "defaultDimension": { "costs": ["parallelism", "proximity"] } }
      """)
    let sum = try Repo.compile("gemm", s).summary
    #expect(sum.hasOuterParallelLoop)
  }

  @Test func customConstraintIsHonoured() throws {
    let s = try Repo.strategy("""
      { "version": 1, "backend": "polytops", "fusion": "none",
        "dimensions": [ { "constraints": ["S1.k >= 1"] } ] }
      """)
    let sum = try Repo.compile("gemm", s).summary
    let outer = try #require(sum.bands.first { $0.statements == ["S1"] })
    #expect(outer.members[0].expressions["S1"]?.contains("k") == true, "\(sum.render())")
  }
}
