// The wavefront's tile band, which the parallel mark splits after its first
// member, carries a `joint-band` mark: when isl cannot generate the
// wavefront member floor(t/64) + floor((2t + i)/32) alone (jacobi-2d with
// tiles 64x32x32: hours in isl 0.25's stride detection, docs/testing.md,
// "AST generation of wavefront-skewed tiles"), the AST generator joins the
// band again; the whole band takes under 100,000 operations. Each test gives
// the AST generator a budget of 1,000,000 operations, so that the hang fails
// the test (in about a minute in a debug build) instead of stalling it.

import PolycDependences
import PolycDriver
import PolycISL
import PolycModel
import PolycScheduler
import PolycTransforms
import Testing
import TestSupport

@Suite struct WavefrontASTTests {
  static let astBudget: UInt = 1_000_000

  /// The reproducer of docs/testing.md, with the AST budget above.
  static let strategy = """
    {"version": 1, "backend": "isl", "fallback": ["identity"], "fusion": "connected", "scalarExpansion": true,
     "budget": {"astOperations": \(astBudget)},
     "tiling": {"enabled": true, "sizes": [64, 32, 32]}, "parallelism": {"openmp": true, "wavefront": true},
     "vectorization": {"enabled": false}}
    """

  /// The loops below a `mark` node of the AST, by iterator.
  static func markedLoops(_ node: ASTNode, _ mark: String, under marks: [String] = []) -> [String] {
    switch node {
    case .mark(let name, let child): return markedLoops(child, mark, under: marks + [name])
    case .forLoop(let it, _, _, _, let body, _): return (marks.contains(mark) ? [it] : []) + markedLoops(body, mark)
    case .block(let children): return children.flatMap { markedLoops($0, mark, under: marks) }
    case .ifStmt(_, let then, let otherwise):
      return markedLoops(then, mark, under: marks) + (otherwise.map { markedLoops($0, mark, under: marks) } ?? [])
    case .user: return []
    }
  }

  /// jacobi-2d's tree under isl's scheduler, as `--emit schedule` prints it: one permutable band
  /// (t, 2t + i, 2t + j), the second statement one step later in space.
  static func jacobi2d() throws -> (Scop, Dependences, Schedule) {
    let scop = try Scop.build(try Pipeline.loadKernel(path: Fixtures.kernelPath("jacobi-2d")))
    let band = "{ S0[t, i, j] -> [(t)]; S1[t, i, j] -> [(t)] }, { S0[t, i, j] -> [(2t + i)]; S1[t, i, j] -> [(1 + 2t + i)] }, "
      + "{ S0[t, i, j] -> [(2t + j)]; S1[t, i, j] -> [(1 + 2t + j)] }"
    let text = """
      { domain: "\(try scop.domain)", child: { schedule: "[\(band)]", permutable: 1,
        child: { sequence: [ { filter: "{ S0[t, i, j] }" }, { filter: "{ S1[t, i, j] }" } ] } } }
      """
    return (scop, try Dependences(scop: scop), try Schedule(scop.ctx, text))
  }

  @Test(arguments: [[64, 32, 32], [128, 16, 16], [32, 64, 256], [16, 8, 8]])
  func wavefrontTileBandIsGeneratedAsOneBand(sizes: [Int]) throws {
    let (scop, deps, schedule) = try Self.jacobi2d()
    var o = TransformOptions()
    o.tile = true
    o.tileSizes = .fixed(sizes)
    o.tileOnlyWithReuse = false
    o.wavefront = true
    o.parallel = true
    let r = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: o)
    #expect(r.notes.contains { $0.contains("wavefront") && $0.contains("parallel") }, "\(r.notes)")
    #expect(try TransformFixture.marks(r.schedule) == [ASTGenerator.jointBandMark(members: 3), "parallel"])
    #expect(try deps.violation(of: r.schedule) == nil)
    if sizes == [64, 32, 32] {
      let resolved = try ASTGenerator.joiningBands(r.schedule, context: scop.context)
      let mark = try resolved.root().child(0)
      #expect(try mark.kind() == .mark && mark.markId().name == "parallel@1", "the hard case is joined: \(resolved)")
      #expect(try mark.child(0).bandMemberCount() == 3, "\(resolved)")
    }
    let ast = try ASTGenerator.generate(r.schedule, context: scop.context, maxOperations: Self.astBudget)
    let marked = Self.markedLoops(ast, "parallel")
    #expect(!marked.isEmpty && marked.allSatisfy { $0 == "c1" }, "\(sizes): parallel on \(marked)")
  }

  /// The reproducer end to end: the program, built with OpenMP and run with two threads, writes
  /// the dump of the original schedule.
  @Test func jacobi2dWithTiles64x32x32MatchesTheOriginalSchedule() throws {
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: Fixtures.kernelPath("jacobi-2d")),
                                 strategy: try Pipeline.strategy(json: Self.strategy))
    #expect(c.transforms?.notes.contains { $0.contains("wavefront") && $0.contains("parallel") } == true, "\(c.transforms?.notes ?? [])")
    let text = try Pipeline.emit(.program, c)
    #expect(text.contains("#pragma omp parallel for"))
    let expected = try Fixtures.runProgram(kernel: "jacobi-2d", strategy: "identity", dataset: "SMALL").dump
    let (dump, warnings) = try Fixtures.runProgram(text: text, kernel: "jacobi-2d", label: "wavefront-64x32x32", dataset: "SMALL",
                                                   cflags: ["-O2", "-fopenmp", "-ffp-contract=off", "-Wall"],
                                                   env: ["OMP_NUM_THREADS": "2"])
    #expect(warnings.isEmpty, "gcc warned: \(warnings.prefix(300))")
    #expect(DumpComparison.compare(expected: expected, actual: dump) == nil)
  }
}
