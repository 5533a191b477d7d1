//===- BudgetTests.swift - Every isl stage past its operation budget -------===//
//
// Dependences, legality checks, transforms and AST generation each run under
// a budget of the strategy (docs/strategies.md, "Budgets"): past it polyc
// falls back with a note or fails with a typed budget error, never uses an
// unproven schedule.
//
//===----------------------------------------------------------------------===//

import PolycDriver
import Foundation
import PolycISL
import PolycScheduler
import Testing

@Suite struct BudgetTests {
  @Test func theBudgetKeysAreReadAndBounded() throws {
    let s = try Repo.strategy(#"{ "version": 1, "budget": { "legalityOperations": 7, "transformOperations": 8, "astOperations": 9 } }"#)
    #expect(s.legalityOperations == 7 && s.transformOperations == 8 && s.astOperations == 9)
    let e = Repo.parseError(#"{ "version": 1, "budget": { "astOperations": 1000000000001 } }"#)
    #expect(e?.keyPath == "budget.astOperations")
    #expect(Repo.parseError(#"{ "version": 1, "budget": { "astOperation": 1 } }"#) != nil)
  }

  @Test func aTransformPastItsBudgetIsSkippedAndTheScheduleBeforeItKept() throws {
    var s = try Repo.preset("cpu")
    s.transformOperations = 1
    let c = try Repo.compile("gemm", s)
    let notes = try #require(c.transforms).notes
    #expect(notes.contains { $0.contains("exceeded its budget of 1 isl operations (budget.transformOperations)") }, "\(notes)")
    #expect(try c.codeSchedule.map().isEqual(try c.schedule.map()))
  }

  @Test func aLegalityCheckPastItsBudgetNeverLetsAnUnprovenScheduleThrough() throws {
    var s = try Repo.preset("pluto")
    s.legalityOperations = 1
    let c = try Repo.compile("gemm", s)
    #expect(c.result.backend == "identity")
    #expect(c.result.notes.contains { $0.contains("legality check of a schedule exceeded its budget of 1") }, "\(c.result.notes)")
    #expect(try c.codeSchedule.map().isEqual(try c.scop.originalSchedule.map()))
  }

  @Test func aLoadedScheduleWhoseCheckRunsOutIsAnError() throws {
    var s = try Repo.preset("identity")
    let c = try Repo.compile("gemm", s)
    s.legalityOperations = 1
    let kernel = try Pipeline.loadKernel(path: Repo.kernelPath("gemm"))
    #expect(throws: PolycError.self) {
      _ = try Pipeline.compile(kernel: kernel, strategy: s, loadedSchedule: c.schedule.description)
    }
  }

  @Test func astGenerationPastItsBudgetIsATypedBudgetError() throws {
    var s = try Repo.preset("cpu")
    s.astOperations = 1
    let c = try Repo.compile("gemm", s)
    do {
      _ = try Pipeline.emit(.c, c)
      Issue.record("AST generation finished within 1 isl operation")
    } catch PolycError.budget(let e) {
      #expect(e.message.contains("AST generation exceeded its budget of 1 isl operations (budget.astOperations)"))
    }
  }

  @Test func astBuildOptionsAreDroppedForTheRetry() throws {
    let ctx = Context()
    let tree = try Schedule(ctx, #"{ domain: "[n] -> { S[i] : 0 <= i < n }", child: { schedule: "[{ S[i] -> [(i)] }]", options: "{ separate[x] }" } }"#)
    let plain = try ASTGenerator.withoutBuildOptions(tree)
    #expect(try plain.root().child(0).bandASTBuildOptions() == "{  }")
    #expect(try plain.map().isEqual(try tree.map()))
  }
}
