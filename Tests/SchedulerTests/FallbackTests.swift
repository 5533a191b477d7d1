//===- FallbackTests.swift - Budgets and the fallback chain ---------------===//

import PolycDriver
import Foundation
import PolycScheduler
import Testing

@Suite struct FallbackTests {
  @Test func tinyBudgetFallsBackToTheNextBackend() throws {
    var s = try Repo.preset("pluto")
    s.maxOperations = 2000
    s.fallback = [.identity]
    let start = Date()
    let c = try Repo.compile("heat-3d", s)
    #expect(Date().timeIntervalSince(start) < 30)
    #expect(c.result.backend == "identity")
    #expect(c.result.notes.contains { $0.hasPrefix("polytops:") }, "\(c.result.notes)")
    #expect(try ScheduleProperties(c).legal)
  }

  @Test func tinyBudgetAlsoStopsIslAndEndsWithIdentity() throws {
    var s = try Repo.preset("pluto")
    s.maxOperations = 2000
    let c = try Repo.compile("adi", s)
    #expect(c.result.backend == "identity")
    #expect(c.result.notes.count == 2, "\(c.result.notes)")
  }

  @Test func islBackendProducesBandsWithFlags() throws {
    let c = try Repo.compile("gemm", preset: "isl")
    #expect(c.result.backend == "isl")
    #expect(try c.summary.hasOuterParallelLoop)
  }

  @Test func islFeautrierAlgorithmIsAvailable() throws {
    let s = try Repo.strategy(#"{ "version": 1, "backend": "isl", "isl": { "algorithm": "feautrier" } }"#)
    let c = try Repo.compile("jacobi-1d", s)
    #expect(c.result.backend == "isl")
    #expect(try ScheduleProperties(c).legal)
  }

  @Test func feautrierAsAFallbackUsesFeautriersCost() throws {
    var s = try Repo.strategy(#"{ "version": 1, "backend": "identity", "fallback": ["feautrier"] }"#)
    s.backend = .feautrier
    let c = try Repo.compile("gemm", s)
    #expect(c.result.backend == "feautrier")
  }
}
