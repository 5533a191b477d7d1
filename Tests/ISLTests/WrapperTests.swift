import PolycISL
import Foundation
import Testing

@Suite struct WrapperTests {
  @Test func parsesAndPrintsSets() throws {
    let ctx = Context()
    let s = try Set(ctx, "[n] -> { S[i] : 0 <= i < n }")
    #expect(s.description == "[n] -> { S[i] : 0 <= i < n }")
    #expect(s.tupleName == "S")
    #expect(try s.dimensionCount() == 1)
    #expect(try !s.isEmpty())
  }

  @Test func setAlgebra() throws {
    let ctx = Context()
    let a = try Set(ctx, "{ [i] : 0 <= i < 10 }")
    let b = try Set(ctx, "{ [i] : 5 <= i < 20 }")
    #expect(try a.intersect(b).isEqual(try Set(ctx, "{ [i] : 5 <= i < 10 }")))
    #expect(try a.subtract(b).isEqual(try Set(ctx, "{ [i] : 0 <= i < 5 }")))
    #expect(try a.union(b).coalesce().isEqual(try Set(ctx, "{ [i] : 0 <= i < 20 }")))
    #expect(try a.lexmin().isEqual(try Set(ctx, "{ [0] }")))
  }

  @Test func unionMapsComposeAndSplit() throws {
    let ctx = Context()
    let m = try UnionMap(ctx, "{ A[i] -> B[i + 1]; C[j] -> B[j] }")
    let n = try UnionMap(ctx, "{ B[k] -> D[2k] }")
    let composed = try m.applyRange(n)
    #expect(try composed.isEqual(try UnionMap(ctx, "{ A[i] -> D[2 + 2i]; C[j] -> D[2j] }")))
    #expect(try m.maps().count == 2)
    #expect(try m.domain().sets().map { $0.tupleName ?? "" }.sorted() == ["A", "C"])
  }

  @Test func badInputThrowsInsteadOfAborting() throws {
    let ctx = Context()
    #expect(throws: ISLError.self) { try Set(ctx, "{ [i] : i < }") }
    #expect(throws: ISLError.self) { try UnionMap(ctx, "not isl") }
    // The context stays usable after an error.
    #expect(try Set(ctx, "{ [i] : 0 <= i < 3 }").isBounded())
  }

  @Test func operationBudgetProducesQuotaError() throws {
    let ctx = Context()
    let hard = "[n] -> { [i, j, k, l] : 0 <= i, j, k, l < n and 3i + 5j - 7k + 11l = 13 and i - j + 2k < n }"
    do {
      try ctx.withBudget(10) {
        let s = try Set(ctx, hard)
        _ = try s.coefficients()
        _ = try s.lexmin()
      }
      Issue.record("expected the tiny budget to run out")
    } catch let e as ISLError {
      #expect(e.isQuota)
    }
    #expect(ctx.maxOperations == 0)
    #expect(try !Set(ctx, hard).isEmpty())
  }

  @Test func budgetRunningOutWhileParsingIsAQuotaErrorNotASyntaxError() throws {
    let ctx = Context()
    let text = "[n] -> { [i, j] : " + (0..<40).map { "(0 <= i < n + \($0) and j = \($0))" }.joined(separator: " or ") + " }"
    do {
      _ = try ctx.withBudget(30) { try Set(ctx, text) }
      Issue.record("expected the budget to run out while parsing")
    } catch let e as ISLError {
      #expect(e.kind == .quota, "\(e)")
    }
    // A real syntax error under a budget stays one.
    do {
      _ = try ctx.withBudget(1_000_000) { try Set(ctx, "{ [i] : i < }") }
      Issue.record("expected a syntax error")
    } catch let e as ISLError {
      #expect(e.kind == .invalid, "\(e)")
    }
    #expect(try !Set(ctx, text).isEmpty())
  }

  @Test func timeLimitStopsALongComputationAndTheContextStaysUsable() throws {
    let ctx = Context()
    ctx.timeLimit = 0.05
    let hard = "[n] -> { [i, j, k, l] : 0 <= i, j, k, l < n and 3i + 5j - 7k + 11l = 13 and i - j + 2k < n }"
    let start = Date()
    do {
      try ctx.withBudget(0) {
        // Each round pivots; the limit must end the loop long before its own end.
        while Date().timeIntervalSince(start) < 60 {
          let s = try Set(ctx, hard)
          _ = try s.coefficients()
          _ = try s.lexmin()
        }
      }
      Issue.record("expected the time limit to stop the computation")
    } catch let e as ISLError {
      #expect(e.kind == .timeLimit, "\(e)")
      #expect(e.isQuota)
      #expect(e.message == "time limit of 0.05 s exceeded (budget.seconds)")
    }
    #expect(Date().timeIntervalSince(start) < 30)
    // isl_ctx_resume ran: the next computation, under a fresh limit, completes.
    ctx.timeLimit = 60
    #expect(try ctx.withBudget(0) { try !Set(ctx, hard).isEmpty() })
  }

  @Test func scheduleTreeAndAST() throws {
    let ctx = Context()
    let domain = try UnionSet(ctx, "[n] -> { S[i, j] : 0 <= i < n and 0 <= j < i }")
    let schedule = try Schedule.fromMap(domain: domain, map: try UnionMap(ctx, "[n] -> { S[i, j] -> [i, j] }"))
    let root = try schedule.root()
    #expect(try root.kind() == .domain)
    let band = try root.child(0)
    #expect(try band.kind() == .band)
    #expect(try band.bandMemberCount() == 2)
    let ast = try ASTGenerator.generate(schedule, context: try Set(ctx, "[n] -> { : n > 0 }"))
    guard case .forLoop(let it, _, _, _, let body, _) = ast else { Issue.record("expected a loop: \(ast)"); return }
    #expect(it == "c0")
    guard case .forLoop(_, _, _, _, .user(.op(.call, let args)), _) = body else { Issue.record("expected a nested loop: \(body)"); return }
    #expect(args.first == .id("S"))
  }

  @Test func astIteratorsAvoidReservedNames() throws {
    let ctx = Context()
    let domain = try UnionSet(ctx, "{ S[i] : 0 <= i < 4 }")
    let schedule = try Schedule.fromMap(domain: domain, map: try UnionMap(ctx, "{ S[i] -> [i] }"))
    let ast = try ASTGenerator.generate(schedule, context: try Set(ctx, "{ : }"), reserved: ["c0", "c1"])
    guard case .forLoop(let it, _, _, _, _, _) = ast else { Issue.record("expected a loop"); return }
    #expect(it == "cc0")
  }

  @Test func dataflowFindsLastWriter() throws {
    let ctx = Context()
    let domain = try UnionSet(ctx, "{ W[i] : 0 <= i < 10; R[i] : 0 <= i < 10 }")
    let schedule = try Schedule.fromMap(domain: domain, map: try UnionMap(ctx, "{ W[i] -> [i, 0]; R[i] -> [i, 1] }"))
    let writes = try UnionMap(ctx, "{ W[i] -> A[0] }")
    let reads = try UnionMap(ctx, "{ R[i] -> A[0] }")
    let flow = try Flow.compute(sink: reads, mustSource: writes, schedule: schedule)
    #expect(try flow.must.isEqual(try UnionMap(ctx, "{ W[i] -> R[i] : 0 <= i < 10 }")))
  }

  /// Every isl object of this test is freed before its context: the context is
  /// freed in abort-on-error mode, so a leaked object would abort the run.
  @Test func contextFreedLastWithoutLeaks() throws {
    do {
      let ctx = Context()
      ctx.abortOnLeakAtFree = true
      let s = try Set(ctx, "[n] -> { S[i] : 0 <= i < n }")
      _ = try s.coefficients().toSet().coalesce()
      _ = try s.lexmin()
      _ = try s.toUnionSet().identity().deltas()
      _ = try ASTGenerator.generate(try Schedule.fromDomain(try s.toUnionSet()), context: try s.params())
    }
  }
}
