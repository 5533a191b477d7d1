//===- FusionTests.swift - Fusion policies --------------------------------===//

import PolycDriver
import PolycScheduler
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

@Suite struct ConnectedFusionTests {
  func strategy(_ fusion: String) throws -> Strategy {
    try Repo.strategy(#"{ "version": 1, "backend": "polytops", "fusion": "\#(fusion)" }"#)
  }

  /// mvt's two products share no dependence (only the read of A): `smart`
  /// fuses them, `connected` keeps them apart.
  @Test func independentNestsAreDistributed() throws {
    let smart = try Repo.compile("mvt", try strategy("smart")).summary
    #expect(smart.bands.first { $0.isOutermost }?.statements == ["S0", "S1"], "\(smart.render())")
    let connected = try Repo.compile("mvt", try strategy("connected"))
    let sum = try connected.summary
    #expect(sum.sequences.first == [["S0"], ["S1"]], "\(sum.render())")
    #expect(try ScheduleProperties(connected).legal)
  }

  /// atax: `tmp[i]` flows from the first product into the second, so both
  /// stay under one outer loop.
  @Test func producerAndConsumerStayFused() throws {
    let c = try Repo.compile("atax", try strategy("connected"))
    let sum = try c.summary
    let outer = try #require(sum.bands.first { $0.isOutermost && $0.statements.contains("S2") }, "\(sum.render())")
    #expect(outer.statements == ["S2", "S3"])
    #expect(try ScheduleProperties(c).legal)
  }

  @Test func policyNameIsParsed() throws {
    #expect(try strategy("connected").fusion == .connected)
    #expect(try Repo.preset("cpu").fusion == .connected)
    #expect(Repo.parseError(#"{ "version": 1, "fusion": "connect" }"#)?.message.contains("connected") == true)
  }
}

extension ConnectedFusionTests {
  /// gramschmidt: fusing `R[k][j] += Q[i][k]*A[i][j]` (S5) with
  /// `A[i][j] -= Q[i][k]*R[k][j]` (S6) along j leaves both i loops strided
  /// inside; `connected` distributes them so each band keeps (i, j).
  @Test func fusionThatTrapsTheStrideOneLoopIsUndone() throws {
    let smart = try Repo.compile("gramschmidt", try strategy("smart")).summary
    #expect(smart.bands.contains { $0.statements.contains("S5") && $0.statements.contains("S6") && !$0.isOutermost })
    let c = try Repo.compile("gramschmidt", try strategy("connected"))
    #expect(c.result.notes.contains { $0.contains("stride-1 loop outside") }, "\(c.result.notes)")
    let sum = try c.summary
    #expect(!sum.bands.contains { $0.statements.contains("S5") && $0.statements.contains("S6") && !$0.isOutermost },
            "\(sum.render())")
    #expect(try ScheduleProperties(c).legal)
  }
}
