//===- Fixtures.swift - Shared helpers of the test targets ----------------===//

import PolycDriver
import PolycToolchain
import Foundation

public enum Fixtures {
  /// The repository root (this file is Tests/TestSupport/Fixtures.swift).
  public static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  public static let polybenchKernels: [String] = [
    "correlation", "covariance", "gemm", "gemver", "gesummv", "symm", "syr2k", "syrk", "trmm", "2mm", "3mm",
    "atax", "bicg", "doitgen", "mvt", "cholesky", "durbin", "gramschmidt", "lu", "ludcmp", "trisolv",
    "deriche", "floyd-warshall", "nussinov", "adi", "fdtd-2d", "heat-3d", "jacobi-1d", "jacobi-2d", "seidel-2d",
  ]

  /// True when POLYC_FULL_TESTS is set (`make test-full`): the kernel x
  /// strategy sweeps then cover all 30 kernels instead of `sweepSubset`.
  public static var fullSweep: Bool { ProcessInfo.processInfo.environment["POLYC_FULL_TESTS"] != nil }

  /// Kernels covering every shape of the suite (BLAS, reductions with
  /// scalars, triangular solvers, reverse loops and guards, stencils).
  public static let sweepSubset = ["gemm", "2mm", "atax", "durbin", "trisolv", "nussinov", "jacobi-1d", "seidel-2d"]

  /// The kernels the kernel x strategy sweeps run on.
  public static var sweepKernels: [String] { fullSweep ? polybenchKernels : sweepSubset }

  public static func kernelPath(_ name: String) -> String { "\(root)/Kernels/polybench/\(name).loop" }
  /// A regression kernel of Tests/Inputs/regress (programs that once produced wrong code).
  public static func regressionPath(_ name: String) -> String { "\(root)/Tests/Inputs/regress/\(name).loop" }
  public static func configPath(_ name: String) -> String { "\(root)/Configs/\(name).json" }

  /// PolyBench/C 4.2.1's own dump of `kernel` on `dataset` (MINI or SMALL).
  public static func referenceDump(_ kernel: String, _ dataset: String) throws -> String {
    try String(contentsOfFile: "\(root)/Tests/Inputs/polybench-ref/\(dataset)/\(kernel).dump", encoding: .utf8)
  }

  /// Strategy presets present in Configs/ (every *.json file).
  public static func presets() -> [String] {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/Configs")) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }

  /// A fresh temporary directory.
  public static func temporaryDirectory(_ tag: String) throws -> String {
    let dir = NSTemporaryDirectory() + "polyc-\(tag)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// The built polyc executable next to the test bundle.
  public static var polycBinary: String? {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    for _ in 0..<4 {
      url.deleteLastPathComponent()
      let candidate = url.appendingPathComponent("polyc").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// The program text of `kernel` under `strategy`, computed once per test
  /// process (every data set is in it; `-D<NAME>_DATASET` selects one).
  public static func programText(kernel: String, strategy: String) throws -> String {
    try programText(path: kernelPath(kernel), strategy: strategy)
  }

  /// The program text of the kernel in the file at `path` under `strategy`.
  public static func programText(path: String, strategy: String) throws -> String {
    let key = "\(path)|\(strategy)"
    if let cached = ProgramCache.shared.get(key) { return cached }
    let k = try Pipeline.loadKernel(path: path)
    let s = try Pipeline.loadStrategy(path: configPath(strategy))
    let c = try Pipeline.compile(kernel: k, strategy: s)
    let text = try Pipeline.emit(.program, c)
    ProgramCache.shared.set(key, text)
    return text
  }

  /// Compiles `kernel` under `strategy`, builds the program with the system
  /// C compiler and runs it; returns the dump and the compiler's warnings.
  public static func runProgram(kernel: String, strategy: String, dataset: String, cflags: [String] = ["-O2", "-Wall", "-ffp-contract=off"],
                                env: [String: String]? = nil) throws -> (dump: String, warnings: String) {
    try runProgram(path: kernelPath(kernel), strategy: strategy, dataset: dataset, cflags: cflags, env: env)
  }

  /// `runProgram` for the kernel in the file at `path`.
  public static func runProgram(path: String, strategy: String, dataset: String, cflags: [String] = ["-O2", "-Wall", "-ffp-contract=off"],
                                env: [String: String]? = nil) throws -> (dump: String, warnings: String) {
    let text = try programText(path: path, strategy: strategy)
    let kernel = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    return try runProgram(text: text, kernel: kernel, label: strategy, dataset: dataset, cflags: cflags, env: env)
  }

  /// Builds the program `text` of `kernel` with the system C compiler for `dataset` and runs it;
  /// returns the dump and the compiler's warnings. `label` names the temporary directory.
  public static func runProgram(text: String, kernel: String, label: String, dataset: String,
                                cflags: [String] = ["-O2", "-Wall", "-ffp-contract=off"],
                                env: [String: String]? = nil) throws -> (dump: String, warnings: String) {
    let dir = try temporaryDirectory("\(kernel)-\(label)-\(dataset)")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let src = "\(dir)/\(kernel).c", bin = "\(dir)/\(kernel)"
    try text.write(toFile: src, atomically: true, encoding: .utf8)
    let warnings = try CCompiler(command: "cc", flags: cflags).compile(source: src, output: bin, extraFlags: ["-DPOLYBENCH_DUMP_ARRAYS", "-D\(dataset)_DATASET"])
    let r = try ProcessRunner.run(bin, [], timeout: 120, environment: env)
    guard r.status == 0, !r.timedOut else {
      throw CCompiler.Failure(message: "\(kernel) exited with \(r.status)\(r.timedOut ? " (timed out)" : "")")
    }
    return (r.stderr, warnings)
  }
}

/// Emitted program texts shared by the tests of one process.
final class ProgramCache: @unchecked Sendable {
  static let shared = ProgramCache()
  private let lock = NSLock()
  private var texts: [String: String] = [:]
  func get(_ key: String) -> String? { lock.lock(); defer { lock.unlock() }; return texts[key] }
  func set(_ key: String, _ value: String) { lock.lock(); defer { lock.unlock() }; texts[key] = value }
}
