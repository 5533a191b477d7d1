// Golden C of small kernels under fixed transforms (identity schedule, so the
// text does not depend on the scheduler): tiled gemm, parallel jacobi-1d,
// vectorized atax. Each golden must also compile with
// `gcc -O3 -march=native -fopenmp -Wall` without a warning.
// Record mode: POLYC_RECORD_GOLDEN=1 rewrites the files under Golden/.

import PolycCodeGenC
import PolycDriver
import PolycToolchain
import Foundation
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct GoldenCTests {
  struct Case: Sendable, CustomStringConvertible {
    var file: String
    var kernel: String
    var options: TransformOptions
    var description: String { file }
  }

  static var cases: [Case] {
    var tiled = TransformOptions()
    tiled.tile = true
    tiled.tileSizes = .fixed([32])
    // The identity schedule's (k, j) band has only a 1-D reuse footprint;
    // the golden shows the tiled printer, so the reuse model is off.
    tiled.tileOnlyWithReuse = false
    tiled.parallel = true
    tiled.vectorize = true
    var parallel = TransformOptions()
    parallel.parallel = true
    parallel.vectorize = true
    parallel.requireNestedWorkInParallelLoops = false
    var vector = TransformOptions()
    vector.vectorize = true
    return [
      Case(file: "gemm-tiled.c.golden", kernel: "gemm", options: tiled),
      Case(file: "jacobi-1d-parallel.c.golden", kernel: "jacobi-1d", options: parallel),
      Case(file: "atax-simd.c.golden", kernel: "atax", options: vector),
    ]
  }

  static let goldenDirectory = "\(Fixtures.root)/Tests/CodeGenCTests/Golden"

  static func generate(_ c: Case) throws -> String {
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(c.kernel))
    let comp = try Pipeline.compile(kernel: k, strategy: Strategy(), transforms: c.options)
    let text = try Pipeline.emit(.c, comp)
    return text.replacingOccurrences(of: Fixtures.root + "/", with: "")
  }

  @Test(arguments: cases)
  func emittedCMatchesGolden(_ c: Case) throws {
    let text = try Self.generate(c)
    let path = "\(Self.goldenDirectory)/\(c.file)"
    if ProcessInfo.processInfo.environment["POLYC_RECORD_GOLDEN"] != nil {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return
    }
    let golden = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == golden, "\(c.file) differs from its golden; rerun with POLYC_RECORD_GOLDEN=1 after checking the change")
  }

  @Test(arguments: cases)
  func goldenCompilesWithoutWarnings(_ c: Case) throws {
    let dir = try Fixtures.temporaryDirectory("golden")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let src = "\(dir)/k.c"
    try Self.generate(c).write(toFile: src, atomically: true, encoding: .utf8)
    let warnings = try CCompiler(command: "gcc", flags: ["-O3", "-march=native", "-fopenmp", "-Wall", "-c"]).compile(source: src, output: "\(dir)/k.o")
    #expect(warnings.isEmpty, "\(warnings)")
    let plain = try CCompiler(command: "gcc", flags: ["-O2", "-Wall", "-c"]).compile(source: src, output: "\(dir)/k2.o")
    #expect(plain.isEmpty, "without -fopenmp: \(plain)")
  }
}
