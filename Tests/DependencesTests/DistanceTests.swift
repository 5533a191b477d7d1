import PolycDependences
import PolycFrontend
import PolycISL
import PolycModel
import Testing
import TestSupport

@Suite struct DistanceTests {
  func deps(_ kernel: String, _ ctx: Context) throws -> Dependences {
    try Dependences(scop: try Scop.build(try Frontend.load(path: Fixtures.kernelPath(kernel)), ctx: ctx))
  }

  /// The distance vectors of the `kind` dependences from `source` to `sink`,
  /// with the parameters fixed by `params` (e.g. `n = 30`).
  func distances(_ d: Dependences, _ kind: DependenceKind, _ source: String, _ sink: String, dims: Int, params: String) throws -> Set {
    let ctx = d.scop.ctx
    let prefix = d.scop.parameterPrefix
    let vars = (0..<dims).map { "x\($0)" }.joined(separator: ", ")
    let strip = try UnionMap(ctx, prefix + "{ \(source)[\(vars)] -> [\(vars)]; \(sink)[\(vars)] -> [\(vars)] }")
    let m = try #require(d.map(kind)).intersectDomain(try UnionSet(ctx, prefix + "{ \(source)[\(vars)] }"))
      .intersectRange(try UnionSet(ctx, prefix + "{ \(sink)[\(vars)] }"))
    let plain = try m.applyDomain(strip).applyRange(strip).toMap()
    return try plain.deltas().intersectParams(try Set(ctx, prefix + "{ : \(params) }")).coalesce()
  }

  func expectSet(_ s: Set, _ expected: String, params: String, _ prefix: String) throws {
    let want = try Set(s.ctx, prefix + "{ \(expected) }").intersectParams(try Set(s.ctx, prefix + "{ : \(params) }"))
    #expect(try s.isEqual(want), "got \(s), expected \(want)")
  }

  @Test func jacobi1dDistances() throws {
    let ctx = Context()
    let d = try deps("jacobi-1d", ctx)
    let p = "tsteps = 10 and n = 30", pre = d.scop.parameterPrefix
    try expectSet(try distances(d, .flow, "S0", "S1", dims: 2, params: p), "[0, -1]; [0, 0]; [0, 1]", params: p, pre)
    try expectSet(try distances(d, .flow, "S1", "S0", dims: 2, params: p), "[1, -1]; [1, 0]; [1, 1]", params: p, pre)
    try expectSet(try distances(d, .anti, "S0", "S1", dims: 2, params: p), "[0, -1]; [0, 0]; [0, 1]", params: p, pre)
    try expectSet(try distances(d, .output, "S0", "S0", dims: 2, params: p), "[1, 0]", params: p, pre)
  }

  @Test func seidel2dDistances() throws {
    let ctx = Context()
    let d = try deps("seidel-2d", ctx)
    let p = "tsteps = 10 and n = 30", pre = d.scop.parameterPrefix
    let flow = "[0, 1, 1]; [0, 1, 0]; [0, 1, -1]; [0, 0, 1]; [1, 0, 0]; [1, 0, -1]; [1, -1, 1]; [1, -1, 0]; [1, -1, -1]"
    try expectSet(try distances(d, .flow, "S0", "S0", dims: 3, params: p), flow, params: p, pre)
  }

  @Test func gemmDistances() throws {
    let ctx = Context()
    let d = try deps("gemm", ctx)
    let p = "ni = 20 and nj = 25 and nk = 30", pre = d.scop.parameterPrefix
    try expectSet(try distances(d, .flow, "S1", "S1", dims: 3, params: p), "[0, 1, 0]", params: p, pre)
    #expect(try d.anti.isEmpty())
  }

  @Test func originalScheduleIsLegal() throws {
    for k in Fixtures.polybenchKernels {
      let ctx = Context()
      let d = try deps(k, ctx)
      #expect(try d.violation(of: d.scop.originalSchedule) == nil, "\(k)")
    }
  }

  @Test func interchangeThatBreaksSeidelIsRejected() throws {
    let ctx = Context()
    let d = try deps("seidel-2d", ctx)
    let interchanged = try UnionMap(ctx, d.scop.parameterPrefix + "{ S0[t, i, j] -> [i, t, j] }").intersectDomain(d.scop.domain)
    let v = try #require(try d.violation(of: interchanged))
    #expect(v.kind == .flow)
    #expect(v.source == "S0" && v.sink == "S0")
    #expect(v.description.contains("flow dependence S0 -> S0"))
    #expect(v.witness.contains("S0["))
  }

  @Test func legalInterchangeIsAccepted() throws {
    let ctx = Context()
    let d = try deps("gemm", ctx)
    let swapped = try UnionMap(ctx, d.scop.parameterPrefix + "{ S0[i, j] -> [i, 0, j, 0]; S1[i, k, j] -> [i, 1, j, k] }").intersectDomain(d.scop.domain)
    #expect(try d.violation(of: swapped) == nil)
  }
}

/// The anti dependences asked as "the next write after each read" (under the
/// reversed schedule) are the ones of the direct formulation (writes as sinks,
/// reads as may-sources), and memory-based dependences contain the value-based ones.
@Suite struct DependenceFormulationTests {
  @Test(arguments: ["jacobi-2d", "seidel-2d", "gemm", "lu", "adi", "floyd-warshall", "nussinov", "cholesky"])
  func antiDependencesMatchTheDirectFormulation(kernel: String) throws {
    let ctx = Context()
    let scop = try Scop.build(try Frontend.load(path: Fixtures.kernelPath(kernel)), ctx: ctx)
    let s = scop.originalSchedule
    let d = try Scop.memoryDependences(reads: scop.reads, writes: scop.writes, schedule: s)
    let war = try Flow.compute(sink: scop.writes, mustSource: scop.writes, maySource: scop.reads, schedule: s).may
    #expect(try d.anti.isEqual(try war.subtract(d.output)))
    let m = try Scop.memoryBasedDependences(reads: scop.reads, writes: scop.writes, schedule: s)
    #expect(try d.flow.isSubset(of: m.flow) && d.anti.isSubset(of: m.anti) && d.output.isSubset(of: m.output))
  }

  @Test func theReversedScheduleRunsEveryInstanceInTheOppositeOrder() throws {
    let ctx = Context()
    let scop = try Scop.build(try Frontend.load(path: Fixtures.kernelPath("lu")), ctx: ctx)
    let forward = try scop.originalSchedule.map()
    let backward = try #require(try scop.originalSchedule.reversedOrder()).map()
    #expect(try forward.lexLessThan(forward).isEqual(try backward.lexLessThan(backward).reverse()))
  }
}
