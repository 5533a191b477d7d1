// `--emit c` is a drop-in replacement for PolyBench's kernel function: same
// name and parameter types (checked by compiling it after PolyBench's
// prototype, in C99 VLA form), not static, no main, no warnings.

import PolycDriver
import PolycToolchain
import Foundation
import Testing
import TestSupport

@Suite struct DropInKernelTests {
  static let prototypes: [(String, String)] = [
    ("gemm", "void kernel_gemm(int ni, int nj, int nk, double alpha, double beta, double C[ni][nj], double A[ni][nk], double B[nk][nj]);"),
    ("2mm", "void kernel_2mm(int ni, int nj, int nk, int nl, double alpha, double beta, double tmp[ni][nj], double A[ni][nk], double B[nk][nj], double C[nj][nl], double D[ni][nl]);"),
    ("jacobi-1d", "void kernel_jacobi_1d(int tsteps, int n, double A[n], double B[n]);"),
    ("correlation", "void kernel_correlation(int m, int n, double float_n, double data[n][m], double corr[m][m], double mean[m], double stddev[m]);"),
    ("nussinov", "void kernel_nussinov(int n, char seq[n], int table[n][n]);"),
    ("deriche", "void kernel_deriche(int w, int h, float alpha, float imgIn[w][h], float imgOut[w][h], float y1[w][h], float y2[w][h]);"),
    ("floyd-warshall", "void kernel_floyd_warshall(int n, int path[n][n]);"),
  ]

  @Test(arguments: prototypes.map(\.0))
  func kernelFunctionMatchesPolyBenchPrototype(kernel: String) throws {
    let proto = Self.prototypes.first { $0.0 == kernel }!.1
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
    let c = try Pipeline.compile(kernel: k, strategy: try Pipeline.loadStrategy(path: Fixtures.configPath("identity")))
    let text = try Pipeline.emit(.c, c)
    #expect(!text.contains("main("))
    #expect(!text.contains("static void kernel_"))
    let dir = try Fixtures.temporaryDirectory("dropin")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let src = "\(dir)/k.c"
    try ("#include <stdio.h>\n" + proto + "\n" + text).write(toFile: src, atomically: true, encoding: .utf8)
    let warnings = try CCompiler(command: "cc", flags: ["-O2", "-Wall", "-c"]).compile(source: src, output: "\(dir)/k.o")
    #expect(warnings.isEmpty, "\(warnings)")
  }

  @Test func everyKernelFunctionCompilesWithoutWarnings() throws {
    let dir = try Fixtures.temporaryDirectory("allkernels")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for kernel in Fixtures.polybenchKernels {
      let k = try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel))
      let c = try Pipeline.compile(kernel: k, strategy: try Pipeline.loadStrategy(path: Fixtures.configPath("identity")))
      let src = "\(dir)/\(kernel).c"
      try Pipeline.emit(.c, c).write(toFile: src, atomically: true, encoding: .utf8)
      let warnings = try CCompiler(command: "cc", flags: ["-O2", "-Wall", "-c"]).compile(source: src, output: "\(dir)/\(kernel).o")
      #expect(warnings.isEmpty, "\(kernel): \(warnings)")
    }
  }
}
