// Mutation fuzzing of the four input parsers (Tests/TestSupport/Mutator.swift):
// kernels (the frontend), strategy files, NPU hardware files and JSCoP files
// (Polly's exports, read and modelled), seeded with the repository's own files. Every input must end in success or the parser's
// own error type: never a crash, a trap, a hang or a stray error. A sample of
// the mutants that parse is compiled by the polyc executable (with a timeout),
// which must exit with 0 or 1.
//
// `make test` runs a short fixed sample; `make fuzz` runs POLYC_FUZZ_INPUTS
// inputs per parser (read by this test code only). After a crash, the input
// being run is in $TMPDIR/polyc-fuzz-<parser>.last.

import PolycDriver
import PolycToolchain
import Foundation
import PolycFrontend
import PolycModel
import PolycNPU
import PolycScheduler
import Testing
import TestSupport

@Suite struct InputFuzzTests {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }
  static var inputs: Int { environment["POLYC_FUZZ_INPUTS"].flatMap { Int($0) } ?? 2000 }
  /// Mutants that parse and are then compiled by the executable.
  static var compiled: Int { max(4, inputs / 500) }
  static var seed: UInt64 { environment["POLYC_FUZZ_FIRST_SEED"].flatMap { UInt64($0) } ?? 1 }

  static func files(_ folder: String, _ suffix: String) -> [[UInt8]] {
    let dir = "\(Fixtures.root)/\(folder)"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    return names.compactMap { FileManager.default.contents(atPath: "\(dir)/\($0)").map { Array($0) } }
  }

  static let loopTokens = [
    "kernel", "for", "in", "reverse", "step", "if", "else", "var", "assume", "dataset", "init", "dump", "begin", "end",
    "print", "newline", "finish", "..<", "...", "floordiv(", "ceildiv(", "min(", "max(", "f64(", "i8(", "sat_rdhm(",
    "+=", "*=", "/=", "==", "!=", "&&", "||", "?", ":", ";", "\n", "[", "]", "(", ")", "{", "}", "//", "/*", "\"",
    "1.5e308", "1e-400", "\u{0}", "\u{FEFF}", "é", "n", "i", "A[i][j]",
  ]

  static let jsonTokens = [
    "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "\"version\": 1", "\"tiling\": {\"sizes\": [", "\"maxCoefficient\": ",
    "\"unrollAndJam\": [", "\"budget\": {\"maxOperations\": ", "\"dimensions\": [{", "\"directives\": [{\"kind\": \"fixed\", \"statement\": \"S0\", \"rows\": [\"",
    "\"backend\": \"isl\"", "\"backend\": \"feautrier\"", "\"fusion\": \"max\"", "\\u0000", "\\ud800", "1e999", "-0.0",
    "\"gemm\": {", "\"blockOut\": ", "\"scratchpad\": {", "\"dma\": {", "\"bytesPerCycle\": ",
  ]

  func save(_ inputs: [[UInt8]], _ tag: String) -> String {
    let dir = NSTemporaryDirectory() + "polyc-fuzz-\(tag)-\(UUID().uuidString.prefix(6))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (i, input) in inputs.enumerated() { FileManager.default.createFile(atPath: "\(dir)/\(i)", contents: Data(input)) }
    return dir
  }

  /// Runs the executable on each file made from `inputs`; each must exit 0 or 1 in time.
  func compileWithTheExecutable(_ inputs: [[UInt8]], suffix: String, arguments: (String, Int) -> [String]) throws {
    let polyc = try #require(Fixtures.polycBinary)
    let dir = try Fixtures.temporaryDirectory("fuzz-exe")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (i, input) in inputs.enumerated() {
      let path = "\(dir)/input\(i)\(suffix)"
      FileManager.default.createFile(atPath: path, contents: Data(input))
      let r = try ProcessRunner.run(polyc, arguments(path, i), timeout: 120)
      #expect(!r.timedOut && (r.status == 0 || r.status == 1),
              "polyc \(arguments(path, i).joined(separator: " ")): status \(r.status)\(r.timedOut ? " (timed out)" : ""); input kept in \(save([input], "exe"))\n\(r.stderr.suffix(800))")
    }
  }

  /// Mutates `corpus` `count` times and hands each input to `parse`: every input must parse or
  /// throw an error that `expected` accepts (named `errorName` in the message), and quickly.
  /// Returns up to `compiled` inputs outside the corpus that parsed.
  func fuzz(_ what: String, tag: String, corpus: [[UInt8]], dictionary: [String], count: Int = InputFuzzTests.inputs,
            errorName: String, expected: (Error) -> Bool, parse: ([UInt8]) throws -> Void) -> [[UInt8]] {
    var mutator = Mutator(seed: Self.seed, corpus: corpus, dictionary: dictionary)
    var stray: [[UInt8]] = [], parsed: [[UInt8]] = []
    let report = mutator.fuzz(count: count, lastInputPath: NSTemporaryDirectory() + "polyc-fuzz-\(tag).last") { input in
      do {
        try parse(input)
        if parsed.count < Self.compiled, !corpus.contains(input) { parsed.append(input) }
      } catch let e where expected(e) {
      } catch {
        stray.append(input)
      }
    }
    print("fuzzing the \(what): \(report)")
    #expect(stray.isEmpty, "errors other than a \(errorName); inputs in \(save(stray, tag))")
    #expect(report.slowInputs.isEmpty, "slow inputs in \(save(report.slowInputs, "\(tag)-slow"))")
    return parsed
  }

  @Test func kernelsEndInSuccessOrADiagnostic() throws {
    let corpus = Self.files("Kernels/polybench", ".loop") + Self.files("Kernels/npu", ".loop")
    let parsed = fuzz("frontend", tag: "frontend", corpus: corpus, dictionary: Self.loopTokens,
                      errorName: "Diagnostic", expected: { $0 is Diagnostic }) { input in
      _ = try Frontend.load(text: String(decoding: input, as: UTF8.self), path: "fuzz.loop")
    }
    let presets = Fixtures.presets().filter { $0 != "npu" }
    try compileWithTheExecutable(parsed, suffix: ".loop") { path, i in
      [path, "--config", Fixtures.configPath(presets[i % presets.count]), "--emit", "c"]
    }
  }

  @Test func strategiesEndInSuccessOrAStrategyError() throws {
    let parsed = fuzz("strategy parser", tag: "strategy", corpus: Self.files("Configs", ".json"), dictionary: Self.jsonTokens,
                      errorName: "StrategyError", expected: { $0 is StrategyError }) { input in
      _ = try Strategy.parse(Data(input), path: "fuzz.json")
    }
    let kernels = ["gemm", "jacobi-2d", "trisolv", "atax"]
    try compileWithTheExecutable(parsed, suffix: ".json") { path, i in
      [Fixtures.kernelPath(kernels[i % kernels.count]), "--config", path, "--emit", "c"]
    }
  }

  @Test func hardwareFilesEndInSuccessOrAHardwareConfigError() throws {
    _ = fuzz("hardware-file parser", tag: "hardware", corpus: Self.files("Configs/hw", ".json"), dictionary: Self.jsonTokens,
             errorName: "HardwareConfigError", expected: { $0 is HardwareConfigError }) { input in
      _ = try HardwareConfig.decode(Data(input))
    }
  }

  static let jscopTokens = [
    "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "\"domain\": \"", "\"schedule\": \"", "\"relation\": \"",
    "\"kind\": \"read\"", "\"kind\": \"write\"", "\"sizes\": [", "\"accesses\": [", "\"statements\": [", "\"arrays\": [",
    "\"context\": \"", "[n] -> { : }", "{ Stmt_0[i0] -> [i0] }", "exists (e0: ", " mod ", "floor(", " -> ", ";",
    "2147483648", "-9223372036854775808", "1e999", "\\u0000", "\\ud800", "Stmt_for_body", "MemRef_A[i0]",
  ]

  /// Each JSCoP input builds an isl model (about 0.2 s in a debug build):
  /// `make test` runs a tenth of the inputs of the other parsers.
  static var jscopInputs: Int { environment["POLYC_FUZZ_INPUTS"] != nil ? inputs : inputs / 10 }

  @Test func jscopFilesEndInSuccessOrAJSCoPError() throws {
    let corpus = Self.files("Tests/Inputs/jscop", ".jscop")
    #expect(!corpus.isEmpty)
    _ = fuzz("JSCoP reader", tag: "jscop", corpus: corpus, dictionary: Self.jscopTokens, count: Self.jscopInputs,
             errorName: "JSCoPError", expected: { $0 is JSCoPError }) { input in
      _ = try JSCoPFile.parse(String(decoding: input, as: UTF8.self), file: "fuzz.jscop").scop()
    }
  }
}
