//===- FusionTests.swift - Fusion policies --------------------------------===//

import Driver
import Scheduler
import Testing

@Suite struct FusionTests {
  func strategy(_ fusion: String) throws -> Strategy {
    try Repo.strategy(#"{ "version": 1, "backend": "polytops", "fusion": \#(fusion) }"#)
  }

  @Test func explicitGroupsAreHonoured() throws {
    let s = try strategy(#"{ "policy": "groups", "groups": [["S0", "S1"], ["S2", "S3"]] }"#)
    let c = try Repo.compile("2mm", s)
    let sum = try c.summary
    #expect(sum.sequences.first == [["S0", "S1"], ["S2", "S3"]], "\(sum.render())")
    let first = try #require(sum.bands.first { $0.isOutermost && $0.statements.contains("S0") })
    #expect(first.statements == ["S0", "S1"])
    #expect(try ScheduleProperties(c).legal)
  }

  @Test func groupsAgainstTheDependencesAreRejected() throws {
    let s = try strategy(#"{ "policy": "groups", "groups": [["S2", "S3"], ["S0", "S1"]] }"#)
    #expect {
      _ = try Repo.compile("2mm", s)
    } throws: { e in
      guard case .strategy(let se) = e as? PolycError else { return false }
      return se.keyPath == "fusion.groups" && se.message.contains("dependence S1 -> S3")
    }
  }

  @Test func groupsMustCoverEveryStatement() throws {
    let s = try strategy(#"{ "policy": "groups", "groups": [["S0"]] }"#)
    #expect(throws: PolycError.self) { _ = try Repo.compile("gemm", s) }
  }

  @Test func maxFusionKeepsGemmInOneBand() throws {
    let sum = try Repo.compile("gemm", try strategy(#""max""#)).summary
    #expect(sum.bands.first?.statements == ["S0", "S1"])
    #expect(sum.bands.first?.isOutermost == true)
  }

  @Test func noFusionDistributesEveryComponent() throws {
    let sum = try Repo.compile("2mm", try strategy(#""none""#)).summary
    #expect(sum.sequences.first?.count == 4)
  }
}
