// The polyc executable: exit status 0 on success, 1 with a located message on
// a user error, never a crash.

import PolycDriver
import PolycToolchain
import Foundation
import Testing
import TestSupport

@Suite struct CommandLineTests {
  func polyc(_ args: [String], env: [String: String]? = nil) throws -> ProcessResult {
    let bin = try #require(Fixtures.polycBinary, "polyc executable not found next to the tests")
    return try ProcessRunner.run(bin, args, timeout: 120, environment: env)
  }

  func withFile(_ name: String, _ text: String, _ body: (String) throws -> Void) throws {
    let dir = try Fixtures.temporaryDirectory("cli")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/\(name)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try body(path)
  }

  @Test func compilesKernelToC() throws {
    let r = try polyc([Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("identity")])
    #expect(r.status == 0)
    #expect(r.stdout.contains("void kernel_gemm(int ni, int nj, int nk, double alpha, double beta, double C[ni][nj]"))
  }

  @Test(arguments: ["scop", "deps", "schedule", "ast", "program", "c"])
  func everyEmitKindWorks(kind: String) throws {
    let r = try polyc([Fixtures.kernelPath("jacobi-1d"), "--config", Fixtures.configPath("identity"), "--emit", kind, "--dataset", "MINI"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.isEmpty)
  }

  @Test func sourceErrorHasLocationCaretAndExitOne() throws {
    let src = "kernel k(n, A: inout f64[n]) {\n  for i in 0 ..< n { A[i * i] = 1.0 }\n}\n"
    try withFile("bad.loop", src) { path in
      let r = try polyc([path])
      #expect(r.status == 1)
      #expect(r.stderr.contains("bad.loop:2:"))
      #expect(r.stderr.contains("error:"))
      #expect(r.stderr.contains("^"))
    }
  }

  @Test func missingConfigIsAnErrorNamingThePath() throws {
    let r = try polyc([Fixtures.kernelPath("gemm"), "--config", "/nonexistent/strategy.json"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("/nonexistent/strategy.json"))
  }

  @Test func invalidJSONConfigIsAnError() throws {
    try withFile("s.json", "{ \"version\": 1, ") { path in
      let r = try polyc([Fixtures.kernelPath("gemm"), "--config", path])
      #expect(r.status == 1)
      #expect(r.stderr.contains(path))
      #expect(r.stderr.contains("JSON"))
    }
  }

  @Test func missingKernelFileIsAnError() throws {
    let r = try polyc(["/nonexistent/k.loop"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("/nonexistent/k.loop"))
  }

  @Test func unknownDatasetIsAnError() throws {
    let r = try polyc([Fixtures.kernelPath("gemm"), "--emit", "program", "--dataset", "HUGE"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("HUGE"))
  }

  /// Runs the whole pipeline with the isl context freed in abort-on-error mode:
  /// a leaked isl object would make polyc abort.
  @Test(arguments: Fixtures.sweepKernels)
  func noIslObjectLeaks(kernel: String) throws {
    for emit in ["c", "deps", "scop", "schedule"] {
      let r = try polyc([Fixtures.kernelPath(kernel), "--emit", emit], env: ["POLYC_ISL_LEAK_CHECK": "1"])
      #expect(r.status == 0, "\(kernel) --emit \(emit): status \(r.status) \(r.stderr)")
    }
  }
}
