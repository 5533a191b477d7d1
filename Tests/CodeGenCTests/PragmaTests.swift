// How marks, bounds and parameters are printed.

import PolycCodeGenC
import PolycDriver
import Foundation
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct PragmaTests {
  static func emit(_ kernel: String, _ options: TransformOptions, emit: CEmitOptions? = nil) throws -> String {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
    let c = try Pipeline.compile(kernel: k, strategy: Strategy(), transforms: options)
    if let emit { return try CEmitter.emitKernel(scop: c.scop, schedule: c.codeSchedule, options: emit) }
    return try Pipeline.emit(.c, c)
  }

  @Test func restrictIsDeclaredInsideTheFirstArrayBracket() throws {
    var o = TransformOptions()
    o.vectorize = true
    let text = try Self.emit("gemm", o)
    #expect(text.contains("double C[restrict ni][nj], double A[restrict ni][nk], double B[restrict nk][nj]"))
  }

  @Test func identityKeepsThePlainPolyBenchSignature() throws {
    let text = try Self.emit("gemm", .none)
    #expect(text.contains("void kernel_gemm(int ni, int nj, int nk, double alpha, double beta, double C[ni][nj], double A[ni][nk], double B[nk][nj])"))
    #expect(!text.contains("#pragma"))
  }

  @Test func parallelAndSimdOnOneLoopCombine() throws {
    var o = TransformOptions()
    o.parallel = true
    o.vectorize = true
    o.requireNestedWorkInParallelLoops = false
    let text = try Self.emit("jacobi-1d", o)
    #expect(text.contains("#pragma omp parallel for simd"))
    #expect(text.contains("#ifdef _OPENMP"))
  }

  @Test func ivdepReplacesOmpSimdOnRequest() throws {
    var o = TransformOptions()
    o.vectorize = true
    var e = CEmitOptions()
    e.vectorPragma = .ivdep
    let text = try Self.emit("atax", o, emit: e)
    #expect(text.contains("#pragma GCC ivdep"))
    #expect(!text.contains("omp simd"))
  }

  @Test func unbalancedParallelLoopsGetAScheduleClause() throws {
    var o = TransformOptions()
    o.parallel = true
    o.requireNestedWorkInParallelLoops = false
    // syrk's rows: the inner loops' bounds depend on the parallel iterator.
    let triangular = try Self.emit("syrk", o)
    #expect(triangular.contains("#pragma omp parallel for schedule(static, 1)"), "\(triangular)")
    // gemm's rectangular rows keep the default static blocks.
    let rectangular = try Self.emit("gemm", o)
    #expect(rectangular.contains("#pragma omp parallel for\n"))
    #expect(!rectangular.contains("schedule("))
    // Tile loops of a triangular nest (covariance under the cpu preset): whole tiles, handed out dynamically.
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("covariance"))
    let c = try Pipeline.compile(kernel: k, strategy: try Pipeline.loadStrategy(path: Fixtures.configPath("cpu")))
    let tiled = try Pipeline.emit(.c, c)
    #expect(tiled.contains("#pragma omp parallel for schedule(dynamic, 1)\n  #endif\n  for (int c0 = 0; c0 < m; c0 += "), "\(tiled)")
  }

  @Test func boundsWithMinAreHoisted() throws {
    var o = TransformOptions()
    o.tile = true
    o.tileSizes = .fixed([32])
    o.tileOnlyWithReuse = false
    let text = try Self.emit("gemm", o)
    #expect(text.contains("_ub = polyc_min("))
    #expect(!text.contains("<= polyc_min("))
  }
}
