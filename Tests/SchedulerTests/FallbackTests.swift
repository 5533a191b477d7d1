//===- FallbackTests.swift - Budgets and the fallback chain ---------------===//

import PolycDependences
import PolycDriver
import Foundation
import PolycISL
import PolycModel
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
    // The problem alone exceeds the budget: polytops is not run into it a second time.
    #expect(c.result.notes.first == "polytops: operation budget of 2000 exhausted while building its problem; trying the next backend")
  }

  /// Seed 1058 (Tests/Inputs/regress): isl's scheduler spends more than 30 s on it in fewer than
  /// 10^6 pivots, far inside its operation budget; `budget.seconds` ends it.
  @Test func timeLimitEndsTheIslSchedulerWithANote() throws {
    var s = try Repo.preset("isl")
    s.secondsPerComputation = 3
    let path = "\(Repo.root)/Tests/Inputs/regress/slow-seed-1058.loop"
    let start = Date()
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: path), strategy: s)
    #expect(Date().timeIntervalSince(start) < 60)
    #expect(c.result.backend == "identity")
    #expect(c.result.notes.contains("isl: time limit of 3 s exceeded (budget.seconds); trying the next backend"), "\(c.result.notes)")
  }

  /// Seed 1061: PolyTOPS needs far more than a second. Past `budget.seconds` for the stage as a
  /// whole, the rest of the chain but identity is not tried.
  @Test func afterTheTimeLimitOnlyIdentityIsTried() throws {
    let ctx = Context()
    let kernel = try Pipeline.loadKernel(path: "\(Repo.root)/Tests/Inputs/regress/slow-seed-1061.loop")
    let scop = try Scop.build(kernel, ctx: ctx)
    let deps = try Dependences(scop: scop)
    var s = try Repo.preset("pluto")
    s.secondsPerComputation = 1
    ctx.timeLimit = 1
    let r = try SchedulerDriver.schedule(scop: scop, dependences: deps, strategy: s)
    #expect(r.backend == "identity")
    #expect(r.notes.count == 2, "\(r.notes)")
    #expect(r.notes.first?.hasPrefix("polytops: time limit of 1 s exceeded (budget.seconds)") == true, "\(r.notes)")
    #expect(r.notes.last?.hasPrefix("isl: not tried, scheduling has already run") == true, "\(r.notes)")
  }

  @Test func budgetSecondsIsReadFromTheStrategyFile() throws {
    #expect(try Repo.strategy(#"{ "version": 1, "budget": { "seconds": 5 } }"#).secondsPerComputation == 5)
    #expect(try Repo.strategy(#"{ "version": 1, "budget": { "seconds": 0 } }"#).secondsPerComputation == 0)
    #expect(try Repo.strategy(#"{ "version": 1 }"#).secondsPerComputation == Strategy.defaultSecondsPerComputation)
    #expect(try Repo.strategy(#"{ "version": 1 }"#).maxOperations == Strategy.defaultMaxOperations)
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
