// MatmulOptimizer on hand-written schedule trees: matrix multiplications in
// any loop order get the cache and register tiles (legal, complete, marked),
// anything else -- a reduction that is not a product of A[i][k] and B[k][j],
// a stencil -- is left alone with a note.

import Foundation
import PolycDependences
import PolycDriver
import PolycToolchain
import PolycFrontend
import PolycISL
import PolycModel
import PolycScheduler
import Testing
import TestSupport
@testable import PolycTransforms

@Suite struct MatmulOptimizerTests {
  static var options: TransformOptions {
    var o = TransformOptions()
    o.parallel = true
    o.vectorize = true
    o.matmul = MatmulOptions(registerTile: (4, 8), cacheTiles: [16, 32, 16])
    return o
  }

  /// A matrix product in source loop order (i, j, k), with PolyBench-style init and dump.
  static let ijkSource = """
    kernel mm(ni, nj, nk, C: inout f64[ni][nj], A: in f64[ni][nk], B: in f64[nk][nj]) {
      for i in 0 ..< ni {
        for j in 0 ..< nj {
          for k in 0 ..< nk { C[i][j] += A[i][k] * B[k][j] }
        }
      }
    }
    assume ni >= 1, nj >= 1, nk >= 1
    dataset MINI: ni = 5, nj = 7, nk = 3
    dataset SMALL: ni = 37, nj = 45, nk = 29
    init {
      for i in 0 ..< ni {
        for j in 0 ..< nj { C[i][j] = f64((i*j+1) % ni) / ni }
      }
      for i in 0 ..< ni {
        for j in 0 ..< nk { A[i][j] = f64(i*(j+1) % nk) / nk }
      }
      for i in 0 ..< nk {
        for j in 0 ..< nj { B[i][j] = f64(i*(j+2) % nj) / nj }
      }
    }
    dump {
      begin "C"
      for i in 0 ..< ni {
        for j in 0 ..< nj { print C[i][j] }
      }
      end "C"
    }
    """

  /// A reduction over k that adds instead of multiplying.
  static let sumSource = """
    kernel msum(ni, nj, nk, C: inout f64[ni][nj], A: in f64[ni][nk], B: in f64[nk][nj]) {
      for i in 0 ..< ni {
        for j in 0 ..< nj {
          for k in 0 ..< nk { C[i][j] += A[i][k] + B[k][j] }
        }
      }
    }
    assume ni >= 1, nj >= 1, nk >= 1
    """

  static func kernel(_ source: String, _ name: String) throws -> CheckedKernel {
    let dir = try Fixtures.temporaryDirectory("matmul")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/\(name).loop"
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return try Pipeline.loadKernel(path: path)
  }

  /// A tree: a sequence of one permutable band per statement, `members` over its `iterators`.
  static func tree(_ scop: Scop, _ bands: [(statement: String, iterators: String, members: [String])]) -> String {
    let p = scop.parameterPrefix
    let children = bands.map { b in
      let members = b.members.map { "{ \(b.statement)[\(b.iterators)] -> [(\($0))] }" }.joined(separator: ", ")
      return (filter: "\(p){ \(b.statement)[\(b.iterators)] }", band: "{ schedule: \"\(p)[\(members)]\", permutable: 1 }")
    }
    let body = children.count == 1 ? children[0].band
      : "{ sequence: [ " + children.map { "{ filter: \"\($0.filter)\", child: \($0.band) }" }.joined(separator: ", ") + " ] }"
    return "{ domain: \"\(scop.domain)\", child: \(body) }"
  }

  struct Run {
    var scop: Scop
    var dependences: Dependences
    var result: TransformResult
    var notes: [String] { result.notes }
    var marks: [String] { (try? TransformFixture.marks(result.schedule)) ?? [] }
  }

  static func run(_ k: CheckedKernel, _ bands: [(statement: String, iterators: String, members: [String])],
                  options: TransformOptions = options) throws -> Run {
    let scop = try Scop.build(k)
    let deps = try Dependences(scop: scop)
    let schedule = try Schedule(scop.ctx, tree(scop, bands))
    #expect(try deps.violation(of: schedule) == nil)
    let r = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: options)
    return Run(scop: scop, dependences: deps, result: r)
  }

  /// Legal, complete, injective, and the micro-kernel's k, i, j loops below its mark.
  static func expectRegisterTiled(_ r: Run, count: Int) throws {
    #expect(try r.dependences.violation(of: r.result.schedule) == nil)
    #expect(try r.result.schedule.domain().isEqual(r.scop.domain))
    #expect(try r.result.schedule.map().isInjective())
    #expect(r.marks.filter { $0 == "matmul" }.count == count, "\(r.marks)")
    #expect(r.marks.filter { $0 == "microkernel:4x8" }.count == count, "\(r.marks)")
    #expect(r.notes.filter { $0.hasPrefix("matmul:") && $0.contains("register tile 4x8") }.count == count, "\(r.notes)")
    for k in try TransformFixture.bandsBelowMarks(r.result.schedule, named: "microkernel:4x8") {
      #expect(try k.bandMemberCount() == 1)
      #expect(try k.child(0).kind() == .band)
    }
  }

  @Test func gemmInIJKOrderIsRegisterTiled() throws {
    let r = try Self.run(try Self.kernel(Self.ijkSource, "mm"), [("S0", "i, j, k", ["i", "j", "k"])])
    try Self.expectRegisterTiled(r, count: 1)
    #expect(r.marks.first == "matmul")
    #expect(r.marks.contains("parallel") && r.marks.contains("simd"), "\(r.marks)")
  }

  @Test func gemmInIKJOrderIsRegisterTiled() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("gemm"))
    let r = try Self.run(k, [("S0", "i, j", ["i", "j"]), ("S1", "i, k, j", ["i", "k", "j"])])
    try Self.expectRegisterTiled(r, count: 1)
    #expect(r.notes.contains { $0.contains("C += A * B") }, "\(r.notes)")
  }

  @Test func theTwoProductsOf2mmAreRegisterTiled() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("2mm"))
    let r = try Self.run(k, [("S0", "i, j", ["i", "j"]), ("S1", "i, j, k", ["i", "j", "k"]),
                             ("S2", "i, j", ["i", "j"]), ("S3", "i, j, k", ["i", "k", "j"])])
    try Self.expectRegisterTiled(r, count: 2)
    #expect(r.notes.contains { $0.contains("tmp += A * B") } && r.notes.contains { $0.contains("D += tmp * C") }, "\(r.notes)")
  }

  @Test func theCacheTilesFollowTheCacheModel() throws {
    var o = Self.options
    o.matmul = MatmulOptions(registerTile: (8, 16))
    let r = try Self.run(try Self.kernel(Self.ijkSource, "mm"), [("S0", "i, j, k", ["i", "j", "k"])], options: o)
    #expect(r.notes.contains { $0.contains("cache tiles 128x256x256") }, "\(r.notes)")
    o.matmul = MatmulOptions(registerTile: (8, 24))
    let wide = try Self.run(try Self.kernel(Self.ijkSource, "mm"), [("S0", "i, j, k", ["i", "j", "k"])], options: o)
    #expect(wide.notes.contains { $0.contains("cache tiles 128x264x256") }, "\(wide.notes)")
    o.cache.l1Bytes = 64 * 1024
    o.cache.l2Bytes = 1024 * 1024
    let bigger = try Self.run(try Self.kernel(Self.ijkSource, "mm"), [("S0", "i, j, k", ["i", "j", "k"])], options: o)
    #expect(bigger.notes.contains { $0.contains("cache tiles 128x264x512") }, "\(bigger.notes)")
  }

  @Test func aReductionThatIsNoProductIsLeftAlone() throws {
    let r = try Self.run(try Self.kernel(Self.sumSource, "msum"), [("S0", "i, j, k", ["i", "j", "k"])])
    #expect(!r.marks.contains("matmul"), "\(r.marks)")
    #expect(r.notes.contains { $0.contains("matmul:") && $0.contains("not a matrix multiplication") }, "\(r.notes)")
  }

  @Test func syrksTransposedOperandIsNoMatrixMultiplication() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("syrk"))
    let scop = try Scop.build(k)
    let st = try #require(scop.statements.first { $0.iterators.count == 3 })
    guard case .failure(let why) = try MatmulPattern.match(st, scop) else {
      Issue.record("syrk's C[i][j] += alpha * A[i][k] * A[j][k] matched")
      return
    }
    #expect(why.reason.contains("neither A[i][k] nor B[k][j]"), "\(why.reason)")
  }

  @Test func aStencilIsLeftAlone() throws {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("seidel-2d"))
    let r = try Self.run(k, [("S0", "t, i, j", ["t", "i", "j"])])
    #expect(!r.marks.contains("matmul"), "\(r.marks)")
    #expect(r.notes.contains { $0.contains("matmul:") && $0.contains("not a matrix multiplication") }, "\(r.notes)")
  }

  @Test func withoutTheOptionNothingChanges() throws {
    var o = Self.options
    o.matmul = nil
    let r = try Self.run(try Self.kernel(Self.ijkSource, "mm"), [("S0", "i, j, k", ["i", "j", "k"])], options: o)
    #expect(!r.marks.contains("matmul"))
    #expect(!r.notes.contains { $0.hasPrefix("matmul:") })
  }

  /// The generated program (register tile, odd sizes with partial tiles) against the original schedule's.
  @Test func registerTiledProgramComputesTheSameMatrix() throws {
    let k = try Self.kernel(Self.ijkSource, "mm")
    var strategy = Strategy()
    strategy.name = "matmul-test"
    let loaded = Self.tree(try Scop.build(k), [("S0", "i, j, k", ["i", "j", "k"])])
    let tiled = try Pipeline.compile(kernel: k, strategy: strategy, transforms: Self.options, loadedSchedule: loaded)
    #expect(tiled.transforms?.notes.contains { $0.hasPrefix("matmul:") } == true)
    let original = try Pipeline.compile(kernel: k, strategy: strategy, transforms: TransformOptions.none)
    let dir = try Fixtures.temporaryDirectory("matmul-e2e")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var dumps: [String] = []
    let variants: [(String, Compilation)] = [("original", original), ("tiled", tiled)]
    for (name, c) in variants {
      let text: String = try Pipeline.emit(.program, c, dataset: "SMALL")
      if name == "tiled" { #expect(text.contains("double polyc_acc[4][8];")) }
      let src = "\(dir)/\(name).c", bin = "\(dir)/\(name)"
      try text.write(toFile: src, atomically: true, encoding: .utf8)
      let warnings = try CCompiler(command: "gcc", flags: ["-O3", "-march=native", "-fopenmp", "-ffp-contract=off", "-Wall"])
        .compile(source: src, output: bin, extraFlags: ["-DPOLYBENCH_DUMP_ARRAYS"])
      #expect(warnings.isEmpty, "\(warnings)")
      let r = try ProcessRunner.run(bin, [], timeout: 60, environment: ["OMP_NUM_THREADS": "2"])
      #expect(r.status == 0)
      dumps.append(r.stderr)
    }
    #expect(dumps[0] == dumps[1])
    #expect(dumps[0].contains("begin dump: C"))
  }
}
