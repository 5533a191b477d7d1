import PolycFrontend
import PolycISL
import PolycModel
import Foundation
import Testing
import TestSupport

@Suite struct LoweringTests {
  func scop(_ kernel: String, _ ctx: Context) throws -> Scop {
    try Scop.build(try Frontend.load(path: Fixtures.kernelPath(kernel)), ctx: ctx)
  }

  /// Checks that statement `name`'s domain equals `expected` (within the context).
  func expectDomain(_ s: Scop, _ name: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let st = try #require(s.statement(named: name))
    let actual = try Set(s.ctx, st.domain).intersectParams(s.context)
    let want = try Set(s.ctx, expected).intersectParams(s.context)
    #expect(try actual.isEqual(want), "domain of \(name): \(actual) != \(want)", sourceLocation: sourceLocation)
  }

  func expectAccesses(_ s: Scop, _ name: String, reads: [String], writes: [String]) throws {
    let st = try #require(s.statement(named: name))
    func equal(_ accs: [AccessInfo], _ texts: [String]) throws -> Bool {
      var a = try UnionMap.empty(s.ctx), b = try UnionMap.empty(s.ctx)
      for x in accs { a = try a.union(try Map(s.ctx, x.relation).toUnionMap()) }
      for t in texts { b = try b.union(try UnionMap(s.ctx, t)) }
      return try a.isEqual(b)
    }
    #expect(try equal(st.reads, reads), "reads of \(name)")
    #expect(try equal(st.writes, writes), "writes of \(name)")
  }

  @Test func gemmDomainsAndAccesses() throws {
    let ctx = Context()
    let s = try scop("gemm", ctx)
    #expect(s.statements.map(\.name) == ["S0", "S1"])
    try expectDomain(s, "S0", "[ni, nj, nk] -> { S0[i, j] : 0 <= i < ni and 0 <= j < nj }")
    try expectDomain(s, "S1", "[ni, nj, nk] -> { S1[i, k, j] : 0 <= i < ni and 0 <= k < nk and 0 <= j < nj }")
    try expectAccesses(s, "S1",
      reads: ["[ni, nj, nk] -> { S1[i, k, j] -> C[i, j]; S1[i, k, j] -> A[i, k]; S1[i, k, j] -> B[k, j] }"],
      writes: ["[ni, nj, nk] -> { S1[i, k, j] -> C[i, j] }"])
    #expect(try s.context.isEqual(try Set(ctx, "[ni, nj, nk] -> { : ni >= 1 and nj >= 1 and nk >= 1 }")))
  }

  @Test func triangularDomainOfTrmm() throws {
    let ctx = Context()
    let s = try scop("trmm", ctx)
    try expectDomain(s, "S0", "[m, n] -> { S0[i, j, k] : 0 <= i < m and 0 <= j < n and i < k < m }")
    try expectAccesses(s, "S0",
      reads: ["[m, n] -> { S0[i, j, k] -> B[i, j]; S0[i, j, k] -> A[k, i]; S0[i, j, k] -> B[k, j] }"],
      writes: ["[m, n] -> { S0[i, j, k] -> B[i, j] }"])
  }

  @Test func inclusiveBoundsOfSeidel() throws {
    let ctx = Context()
    let s = try scop("seidel-2d", ctx)
    try expectDomain(s, "S0", "[tsteps, n] -> { S0[t, i, j] : 0 <= t <= tsteps - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 }")
  }

  @Test func localScalarsAreZeroDimensionalArrays() throws {
    let ctx = Context()
    let s = try scop("ludcmp", ctx)
    let first = try #require(s.statements.first)
    #expect(first.writes.map(\.relation).first?.contains("w[]") == true)
    #expect(s.arrays.contains { $0.name == "w" && $0.dimensions.isEmpty && $0.role == nil })
  }

  @Test func reverseLoopRunsBackwardInTheOriginalSchedule() throws {
    let ctx = Context()
    let s = try scop("ludcmp", ctx)
    let last = try #require(s.statements.last)
    let schedule = try s.originalSchedule.map()
    let later = try UnionMap(ctx, "[n] -> { \(last.name)[i] -> \(last.name)[i - 1] : 1 <= i < n }")
    let order = try schedule.lexLessThan(schedule)
    #expect(try later.intersectParams(try Set(ctx, "[n] -> { : n = 10 }")).isSubset(of: order))
  }

  @Test func guardsRestrictDomains() throws {
    let ctx = Context()
    let s = try scop("nussinov", ctx)
    let guarded = s.statements.filter { $0.domain.contains(">=") }
    #expect(!guarded.isEmpty)
    try expectDomain(s, "S0", "[n] -> { S0[i, j] : 0 <= i < n and i + 1 <= j < n and j >= 1 }")
    try expectDomain(s, "S1", "[n] -> { S1[i, j] : 0 <= i < n - 1 and i + 1 <= j < n }")
    try expectDomain(s, "S2", "[n] -> { S2[i, j] : 0 <= i < n - 1 and i + 2 <= j < n }")
    try expectDomain(s, "S3", "[n] -> { S3[i, j] : 0 <= i < n - 1 and j = i + 1 }")
  }

  @Test func arrayExtents() throws {
    let ctx = Context()
    let s = try scop("gemm", ctx)
    let c = try #require(s.arrays.first { $0.name == "C" })
    #expect(try Set(ctx, c.extent).isEqual(try Set(ctx, "[ni, nj, nk] -> { C[a, b] : 0 <= a < ni and 0 <= b < nj }")))
  }

  @Test func allPolybenchKernelsLower() throws {
    for k in Fixtures.polybenchKernels {
      let ctx = Context()
      let s = try scop(k, ctx)
      #expect(!s.statements.isEmpty, "\(k)")
      #expect(try s.originalSchedule.domain().isEqual(s.domain), "\(k)")
      #expect(try s.originalSchedule.map().isInjective(), "\(k): original schedule not injective")
    }
  }
}

@Suite struct JSCoPTests {
  @Test func exportsPollyJSCoP() throws {
    let ctx = Context()
    let s = try Scop.build(try Frontend.load(path: Fixtures.kernelPath("gemm")), ctx: ctx)
    let text = try JSCoP.export(s, schedule: s.originalSchedule)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(json["name"] as? String == "kernel_gemm")
    let statements = try #require(json["statements"] as? [[String: Any]])
    #expect(statements.map { $0["name"] as? String } == ["S0", "S1"])
    let s1 = statements[1]
    let domain = try Set(ctx, s.statements[1].domain).toUnionSet()
    let schedule = try UnionMap(ctx, try #require(s1["schedule"] as? String)).intersectDomain(domain)
    #expect(try schedule.isEqual(try s.originalSchedule.map().intersectDomain(domain)))
    #expect(json["arrays"] == nil)
    let accesses = try #require(s1["accesses"] as? [[String: String]])
    #expect(accesses.map { $0["kind"]! } == ["read", "read", "read", "read", "write"])
    let targets = try accesses.map { try #require(try Map(ctx, $0["relation"]!).rangeTupleName) }
    #expect(targets == ["MemRef_A", "MemRef_alpha", "MemRef_B", "MemRef_C", "MemRef_C"])
    let s0 = try #require(statements[0]["accesses"] as? [[String: String]])
    #expect(try s0.map { try Map(ctx, $0["relation"]!).rangeTupleName } == ["MemRef_C", "MemRef_beta", "MemRef_C"])
    #expect(try Set(ctx, try #require(s1["domain"] as? String)).isEqual(try Set(ctx, s.statements[1].domain).intersectParams(s.context)))
  }
}
