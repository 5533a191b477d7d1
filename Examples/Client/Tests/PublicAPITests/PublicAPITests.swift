// Tests of polyc's public API, from a separate package that depends on the
// `PolycKit` product only: SCoPs built from isl strings are scheduled, and
// the schedules' properties are checked through public values.

import PolycDriver
import PolycModel
import Foundation
import PolycScheduler
import Testing

/// gemm as Polly would describe it: S0 scales C, S1 accumulates.
let gemm = ScopDescription(
  name: "gemm",
  context: "[NI, NJ, NK] -> { : NI >= 1 and NJ >= 1 and NK >= 1 }",
  statements: [
    IslStatement(name: "S0", domain: "[NI, NJ] -> { S0[i, j] : 0 <= i < NI and 0 <= j < NJ }",
                 schedule: "{ S0[i, j] -> [i, j, 0, 0] }",
                 accesses: [IslAccess(relation: "{ S0[i, j] -> C[i, j] }", isWrite: false),
                            IslAccess(relation: "{ S0[i, j] -> C[i, j] }", isWrite: true)]),
    IslStatement(name: "S1", domain: "[NI, NJ, NK] -> { S1[i, j, k] : 0 <= i < NI and 0 <= j < NJ and 0 <= k < NK }",
                 schedule: "{ S1[i, j, k] -> [i, j, 1, k] }",
                 accesses: [IslAccess(relation: "{ S1[i, j, k] -> C[i, j] }", isWrite: false),
                            IslAccess(relation: "{ S1[i, j, k] -> A[i, k] }", isWrite: false),
                            IslAccess(relation: "{ S1[i, j, k] -> B[k, j] }", isWrite: false),
                            IslAccess(relation: "{ S1[i, j, k] -> C[i, j] }", isWrite: true)]),
  ],
  arrays: [IslArray(name: "A", sizes: ["NI", "NK"], type: .f64), IslArray(name: "B", sizes: ["NK", "NJ"], type: .f64),
           IslArray(name: "C", sizes: ["NI", "NJ"], type: .f64)])

/// jacobi-2d: two statements per time step, each reading its four neighbours and itself.
let jacobi2d = ScopDescription(
  name: "jacobi2d",
  context: "[T, N] -> { : T >= 1 and N >= 3 }",
  statements: [
    IslStatement(name: "S0", domain: "[T, N] -> { S0[t, i, j] : 0 <= t < T and 1 <= i < N - 1 and 1 <= j < N - 1 }",
                 schedule: "{ S0[t, i, j] -> [t, 0, i, j] }",
                 accesses: [IslAccess(relation: "{ S0[t, i, j] -> A[o, p] : (o = i and j - 1 <= p <= j + 1) or (p = j and i - 1 <= o <= i + 1) }",
                                      isWrite: false),
                            IslAccess(relation: "{ S0[t, i, j] -> B[i, j] }", isWrite: true)]),
    IslStatement(name: "S1", domain: "[T, N] -> { S1[t, i, j] : 0 <= t < T and 1 <= i < N - 1 and 1 <= j < N - 1 }",
                 schedule: "{ S1[t, i, j] -> [t, 1, i, j] }",
                 accesses: [IslAccess(relation: "{ S1[t, i, j] -> B[o, p] : (o = i and j - 1 <= p <= j + 1) or (p = j and i - 1 <= o <= i + 1) }",
                                      isWrite: false),
                            IslAccess(relation: "{ S1[t, i, j] -> A[i, j] }", isWrite: true)]),
  ],
  arrays: [IslArray(name: "A", sizes: ["N", "N"], type: .f64), IslArray(name: "B", sizes: ["N", "N"], type: .f64)])

func plutoLike(tile: Bool) -> Strategy {
  var s = Strategy()
  s.name = "client"
  s.backend = .polytops
  s.fallback = [.isl, .identity]
  s.tiling.enabled = tile
  s.tiling.sizes = .fixed([16, 16, 16])
  s.parallelism.openmp = true
  return s
}

@Suite struct PublicAPITests {
  @Test func gemmFromIslStringsIsLegalCompleteAndParallel() throws {
    let c = try Pipeline.compile(scop: gemm, strategy: plutoLike(tile: false))
    #expect(try c.violation() == nil)
    #expect(try c.isComplete())
    #expect(c.statementNames == ["S0", "S1"])
    let tree = try c.schedulerTree()
    let outer = try #require(tree.bands.first)
    // i and j carry no dependence of gemm: the outer band's first two loops are parallel.
    #expect(outer.memberCount >= 2)
    #expect(outer.coincident.prefix(2) == [true, true])
    #expect(outer.permutable)
    let deps = try c.dependenceRelations()
    #expect(deps.flow.contains("S0[") && deps.flow.contains("S1["))
  }

  @Test func tiledGemmKeepsItsParallelLoopMarked() throws {
    let c = try Pipeline.compile(scop: gemm, strategy: plutoLike(tile: true))
    #expect(try c.violation() == nil)
    #expect(try c.isComplete())
    let tree = try c.scheduleTree()
    // Tiling splits the band into tile loops and point loops.
    #expect(tree.bands.count >= 2)
    #expect(tree.marks.contains { $0.hasPrefix("parallel") })
    let text = c.scheduleText
    #expect(text.contains("S1["))
    let code = try Pipeline.emit(.c, c)
    #expect(code.contains("#pragma omp parallel for"))
    #expect(code.contains("S1("))
  }

  @Test func stencilFromIslStringsGetsASkewedParallelLoop() throws {
    let c = try Pipeline.compile(scop: jacobi2d, strategy: plutoLike(tile: false))
    #expect(try c.violation() == nil)
    #expect(try c.isComplete())
    let band = try #require(try c.schedulerTree().bands.first)
    // Time-iterated: the outer loop carries the dependences, a Pluto-style schedule skews
    // the band so that it is permutable (tileable) with one loop inside that is parallel.
    #expect(band.memberCount == 3)
    #expect(band.permutable)
    #expect(band.coincident[0] == false)

    // Tiled, with the tile loops skewed into a wavefront: tiles of one wavefront run in parallel.
    var wave = plutoLike(tile: true)
    wave.tiling.sizes = .fixed([16, 16, 16])
    wave.parallelism.wavefront = true
    let w = try Pipeline.compile(scop: jacobi2d, strategy: wave)
    #expect(try w.violation() == nil)
    #expect(try w.isComplete())
    #expect(try w.scheduleTree().marks.contains { $0.hasPrefix("parallel") })
    #expect(try Pipeline.emit(.c, w).contains("#pragma omp parallel for"))
  }

  @Test func scheduleTextRoundTripsThroughALoadedSchedule() throws {
    let source = """
      kernel scale(N, A: inout f64[N]) {
        for i in 0 ..< N { A[i] = A[i] * 2.0 }
      }
      assume N >= 1

      """
    let kernel = try Pipeline.loadKernel(text: source, path: "scale.loop")
    let first = try Pipeline.compile(kernel: kernel, strategy: plutoLike(tile: false))
    let again = try Pipeline.compile(kernel: kernel, strategy: plutoLike(tile: false), loadedSchedule: first.scheduleText)
    #expect(try again.scheduleTree() == first.scheduleTree())
  }

  @Test func errorsAreTypedValues() throws {
    var bad = gemm
    bad.statements[0].domain = "[NI] -> { S0[i] : 0 <= i < }"
    do {
      _ = try Pipeline.compile(scop: bad, strategy: plutoLike(tile: false))
      Issue.record("an isl syntax error was accepted")
    } catch let e as PolycError {
      guard case .isl = e else { Issue.record("expected .isl, got \(e)"); return }
    }
    do {
      _ = try Pipeline.strategy(json: #"{ "version": 1, "backend": "nope" }"#)
      Issue.record("an unknown backend was accepted")
    } catch let e as PolycError {
      guard case .strategy = e else { Issue.record("expected .strategy, got \(e)"); return }
      #expect(e.description.contains("backend"))
    }
    do {
      _ = try Pipeline.loadKernel(text: "kernel k(N) { for i in 0 ..< N { A[i] = 1 } }", path: "k.loop")
      Issue.record("an undeclared array was accepted")
    } catch let e as PolycError {
      guard case .source = e else { Issue.record("expected .source, got \(e)"); return }
      #expect(e.description.contains("k.loop:1:"))
    }
  }

  @Test func aStrategyBuiltInCodeIsCodable() throws {
    let s = plutoLike(tile: true)
    let data = try JSONEncoder().encode(s)
    let back = try JSONDecoder().decode(Strategy.self, from: data)
    // The same schedule either way; the JSON is a strategy file polyc --config reads.
    #expect(try Pipeline.compile(scop: gemm, strategy: back).scheduleText == Pipeline.compile(scop: gemm, strategy: s).scheduleText)
    #expect(try Pipeline.strategy(json: try s.fileText()).tiling.sizes == .fixed([16, 16, 16]))
  }
}
