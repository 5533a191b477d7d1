//===- DirectiveTests.swift - Per-statement directives --------------------===//

import PolycDriver
import PolycScheduler
import Testing

@Suite struct DirectiveTests {
  func strategy(_ directives: String, fusion: String = "smart") throws -> Strategy {
    try Repo.strategy("""
      { "version": 1, "backend": "polytops", "fusion": "\(fusion)",
        "defaultDimension": { "costs": ["proximity"] }, "directives": [ \(directives) ] }
      """)
  }

  func strategyError(_ kernel: String, _ s: Strategy) -> StrategyError? {
    do { _ = try Repo.compile(kernel, s); return nil } catch let e as PolycError {
      if case .strategy(let se) = e { return se }
      return nil
    } catch { return nil }
  }

  @Test func illegalParallelLoopIsRejectedNamingTheDependence() throws {
    let s = try strategy(#"{ "kind": "parallel", "statement": "S1", "iterator": "k" }"#)
    let e = try #require(strategyError("gemm", s))
    #expect(e.keyPath == "directives[0]")
    #expect(e.message == "directive parallel on S1.k: the loop carries the flow dependence S1 -> S1")
  }

  @Test func illegalVectorLoopIsRejected() throws {
    let s = try strategy(#"{ "kind": "vector", "statement": "S0", "iterator": "t" }"#)
    let e = try #require(strategyError("seidel-2d", s))
    #expect(e.message.contains("directive vector on S0.t: the loop carries the") && e.message.contains("dependence S0 -> S0"))
  }

  @Test func legalParallelDirectiveIsHonoured() throws {
    let s = try strategy(#"{ "kind": "parallel", "statement": "S1", "iterator": "j" }"#)
    let c = try Repo.compile("gemm", s)
    let sum = try c.summary
    let member = sum.bands.flatMap(\.members).first { loopOf($0.expressions["S1"]) == "j" }
    #expect(member?.isParallel == true, "\(sum.render())")
    #expect(c.result.directives.count == 1)
  }

  @Test func vectorDirectivePutsTheLoopInnermost() throws {
    let s = try strategy(#"{ "kind": "vector", "statement": "S1", "iterator": "j" }"#)
    let sum = try Repo.compile("gemm", s).summary
    #expect(loopOf(sum.innermostExpression(of: "S1")) == "j")
  }

  @Test func fixedRowsAreUsed() throws {
    let s = try strategy(#"{ "kind": "fixed", "statement": "S1", "rows": ["i", "k"] }"#)
    let sum = try Repo.compile("gemm", s).summary
    let band = try #require(sum.bands.first { $0.statements.contains("S1") })
    #expect(loopOf(band.members[0].expressions["S1"]) == "i")
    #expect(loopOf(band.members[1].expressions["S1"]) == "k")
  }

  @Test func serialDirectiveClearsTheCoincidentFlag() throws {
    let s = try strategy(#"{ "kind": "serial", "statement": "S1", "iterator": "i" }"#)
    let sum = try Repo.compile("gemm", s).summary
    let member = sum.bands.flatMap(\.members).first { loopOf($0.expressions["S1"]) == "i" }
    #expect(member?.coincident == false)
  }

  @Test func reduceNeedsAnAccumulation() throws {
    let ok = try strategy(#"{ "kind": "reduce", "statement": "S1", "iterator": "k" }"#)
    #expect(try Repo.compile("gemm", ok).result.backend == "polytops")
    let indexed = try strategy(#"{ "kind": "reduce", "statement": "S1", "iterator": "j" }"#)
    #expect(strategyError("gemm", indexed)?.message.contains("is indexed by j") == true)
  }

  @Test(arguments: [
    (#"{ "kind": "parallel", "statement": "S9", "iterator": "i" }"#, "directives[0].statement"),
    (#"{ "kind": "parallel", "statement": "S1", "iterator": "q" }"#, "directives[0].iterator"),
    (#"{ "kind": "fixed", "statement": "S1", "rows": ["i + q"] }"#, "directives[0].rows[0]"),
  ])
  func unknownNamesAreErrors(_ directive: String, _ path: String) throws {
    let e = strategyError("gemm", try strategy(directive))
    #expect(e?.keyPath == path, "\(e?.description ?? "nil")")
  }

  @Test func contradictoryDirectivesAreErrors() throws {
    let s = try strategy(#"{ "kind": "parallel", "statement": "S1", "iterator": "j" }, { "kind": "serial", "statement": "S1", "iterator": "j" }"#)
    #expect(strategyError("gemm", s)?.message.contains("contradicts") == true)
  }
}
