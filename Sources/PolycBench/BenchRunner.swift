//===- BenchRunner.swift - Runs a benchmark campaign ----------------------===//
//
// First polyc compiles every kernel under the original schedule and every
// strategy, back to back: the compile times (`polycSeconds`) are those of a
// suite compilation, not disturbed by the timed runs. (On a VM that pages out
// memory idle for a minute, e.g. DAMON's reclaim, polyc's code pages go cold
// during the runs of the kernels before; compiled between runs, deriche took
// 1.0 s instead of 0.6 s.) Then, for each kernel:
//   1. build every variant: the original schedule's program, polyc's program
//      for each strategy, the original program under each peer compiler;
//      each as a timed binary and a verification binary (same flags plus
//      -DPOLYBENCH_DUMP_ARRAYS and `verifyFlags`);
//   2. run the verification binaries; a dump that differs from the
//      original's (DumpComparison) marks the variant failed, never fast;
//   3. time the verified variants round-robin, `repetitions` rounds, so a
//      noisy machine disturbs all of them alike; report medians and speedups
//      over the original.
//
//===----------------------------------------------------------------------===//

import PolycDriver
import PolycToolchain
import Foundation
import PolycScheduler
import PolycTransforms

package final class BenchRunner {
  package let config: BenchConfiguration
  /// Receives one line per step (the CLI prints them on stderr).
  package var progress: (String) -> Void = { _ in }
  private var notices: [String] = []

  package init(config: BenchConfiguration) { self.config = config }

  /// A variant that built: its binaries and what was measured so far.
  struct Built {
    var result: VariantResult
    var timedBinary: String
    var verifyBinary: String
  }

  package func run() throws -> CampaignResult {
    try validate()
    let out = config.outputDirectory
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let strategies = availableStrategies()
    let polly = config.peers.contains(.polly) ? PeerCompiler.findPolly(config.pollyCompiler) : nil
    if config.peers.contains(.polly) && polly == nil {
      notice("Polly not found (tried \(PeerCompiler.pollyCandidates.joined(separator: ", ")) with -mllvm -polly); the polly column is skipped")
    }
    compileAll(strategies: strategies)
    var kernels: [KernelResult] = []
    for (i, k) in config.kernels.enumerated() {
      progress("[\(i + 1)/\(config.kernels.count)] \(k) (\(config.dataset))")
      kernels.append(try runKernel(k, strategies: strategies, polly: polly))
    }
    var columns = config.strategies
    if config.peers.contains(.polly) { columns.append(Peer.polly.rawValue) }
    let result = CampaignResult(
      date: ISO8601DateFormatter().string(from: Date()), host: ProcessInfo.processInfo.hostName,
      dataset: config.dataset, threads: config.threads, repetitions: config.repetitions,
      minimumTimedSeconds: config.minimumTimedSeconds, maximumRepetitions: config.maximumRepetitions,
      cc: config.cc, cflags: config.cflags, pollyCompiler: polly,
      pollyFlags: config.peers.contains(.polly) ? config.pollyFlags : nil, ompWaitPolicy: config.ompWaitPolicy,
      columns: columns, kernels: kernels, notices: notices)
    try Reports.write(result, to: out)
    return result
  }

  func validate() throws {
    guard BenchConfiguration.allDatasets.contains(config.dataset) else {
      throw BenchError("unknown dataset '\(config.dataset)' (one of \(BenchConfiguration.allDatasets.joined(separator: ", ")))")
    }
    guard config.repetitions >= 1 else { throw BenchError("--repetitions must be at least 1") }
    guard config.threads >= 1 else { throw BenchError("--threads must be at least 1") }
    for k in config.kernels where !FileManager.default.fileExists(atPath: config.kernelPath(k)) {
      throw BenchError("no kernel '\(k)' (\(config.kernelPath(k)) does not exist)")
    }
    guard ProcessRunner.which(config.cc) != nil else { throw BenchError("C compiler '\(config.cc)' not found") }
  }

  func notice(_ text: String) {
    notices.append(text)
    progress("notice: \(text)")
  }

  /// Strategies whose Configs/<name>.json exists (the others are skipped with a notice).
  func availableStrategies() -> [String] {
    config.strategies.filter { s in
      if s == BenchConfiguration.tuned || FileManager.default.fileExists(atPath: config.strategyPath(s)) { return true }
      notice("strategy '\(s)' skipped: \(config.strategyPath(s)) does not exist")
      return false
    }
  }

  func runKernel(_ kernel: String, strategies: [String], polly: String?) throws -> KernelResult {
    let dir = "\(config.outputDirectory)/src/\(kernel)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let host = CCompiler(command: config.cc, flags: config.cflags)
    var original = VariantResult(variant: "original", status: .failed)
    var reference: String?
    var built: [Built] = []

    do {
      let (source, seconds, _) = try generate(kernel, strategy: nil)
      original.polycSeconds = seconds
      let b = try build(source, name: "original", in: dir, compiler: host, result: original)
      reference = try dump(b.verifyBinary)
      built.append(b)
    } catch {
      original.message = "\(error)"
      progress("  original: FAILED: \(firstLine(error))")
    }

    var strategyResults: [VariantResult] = []
    for s in config.strategies {
      var r = VariantResult(variant: s, status: .skipped)
      guard strategies.contains(s), FileManager.default.fileExists(atPath: config.strategyPath(s, kernel: kernel)) else {
        r.message = "no \(config.strategyPath(s, kernel: kernel))"
        strategyResults.append(r)
        continue
      }
      guard let reference else {
        r.message = "the original program failed"
        strategyResults.append(r)
        continue
      }
      r.status = .failed
      do {
        let (source, seconds, notes) = try generate(kernel, strategy: s)
        r.polycSeconds = seconds
        r.notes = notes
        let hooked = config.sourceHook?(kernel, s, source) ?? source
        var b = try build(hooked, name: s, in: dir, compiler: host, result: r)
        try verify(&b, reference: reference)
        built.append(b)
        r = b.result
      } catch {
        r.message = "\(error)"
        progress("  \(s): FAILED: \(firstLine(error))")
      }
      strategyResults.append(r)
    }

    var peerResults: [VariantResult] = []
    if config.peers.contains(.polly) {
      var r = VariantResult(variant: Peer.polly.rawValue, status: .skipped)
      if let polly, let reference, let originalSource = try? String(contentsOfFile: "\(dir)/original.c", encoding: .utf8) {
        r.status = .failed
        do {
          var b = try build(originalSource, name: "polly", in: dir, compiler: CCompiler(command: polly, flags: config.pollyFlags), result: r)
          try verify(&b, reference: reference)
          built.append(b)
          r = b.result
        } catch {
          r.message = "\(error)"
          progress("  polly: FAILED: \(firstLine(error))")
        }
      } else {
        r.message = polly == nil ? "Polly not found" : "the original program failed"
      }
      peerResults.append(r)
    }

    let timed = try time(built)
    func pick(_ r: VariantResult) -> VariantResult { timed.first { $0.variant == r.variant } ?? r }
    var result = KernelResult(kernel: kernel, dataset: config.dataset, original: pick(original),
                              strategies: strategyResults.map(pick), peers: peerResults.map(pick))
    if let base = result.original.median {
      result.original.speedup = 1
      for i in result.strategies.indices { result.strategies[i].speedup = result.strategies[i].median.map { Self.speedup(base, $0) } }
      for i in result.peers.indices { result.peers[i].speedup = result.peers[i].median.map { Self.speedup(base, $0) } }
    }
    progress("  " + result.all.map { v in
      switch v.status {
      case .ok: return "\(v.variant) \(Reports.seconds(v.median))s" + (v.variant == "original" ? "" : " (\(Reports.speedup(v.speedup)))")
      case .failed: return "\(v.variant) FAILED"
      case .skipped: return "\(v.variant) skipped"
      }
    }.joined(separator: ", "))
    return result
  }

  /// The timer prints microseconds: times below one count as one.
  static func speedup(_ base: Double, _ t: Double) -> Double { max(base, 1e-6) / max(t, 1e-6) }

  /// polyc's programs, by `key(kernel, strategy)`, from the compile phase.
  private var generated: [String: Result<(String, Double, [String]), any Error>] = [:]

  func key(_ kernel: String, _ strategy: String?) -> String { "\(kernel)|\(strategy ?? "")" }

  /// The compile phase: every kernel under the original schedule and each strategy whose file exists.
  func compileAll(strategies: [String]) {
    progress("compiling \(config.kernels.count) kernels with polyc (original schedule, \(strategies.joined(separator: ", ")))")
    for k in config.kernels {
      let variants: [String?] = [nil] + strategies.filter { FileManager.default.fileExists(atPath: config.strategyPath($0, kernel: k)) }
      for s in variants {
        generated[key(k, s)] = Result { try compile(k, strategy: s) }
      }
    }
  }

  /// The compile phase's program for `kernel` under `strategy`, or polyc's error.
  func generate(_ kernel: String, strategy: String?) throws -> (String, Double, [String]) {
    if let r = generated[key(kernel, strategy)] { return try r.get() }
    return try compile(kernel, strategy: strategy)
  }

  /// polyc's program for `kernel` under `strategy` (nil: the original schedule), how long polyc took, and its notes.
  func compile(_ kernel: String, strategy: String?) throws -> (String, Double, [String]) {
    let start = DispatchTime.now()
    let k = try Pipeline.loadKernel(path: config.kernelPath(kernel))
    let s = try strategy.map { try Pipeline.loadStrategy(path: config.strategyPath($0, kernel: kernel)) } ?? Strategy()
    var options = strategy == nil ? TransformOptions.none : TransformOptions(strategy: s)
    options.restrictArrays = config.restrictArrays
    let c = try Pipeline.compile(kernel: k, strategy: s, transforms: options)
    let text = try Pipeline.emit(.program, c, dataset: config.dataset)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return (text, seconds, c.result.notes + (c.transforms?.notes ?? []))
  }

  func build(_ source: String, name: String, in dir: String, compiler: CCompiler, result: VariantResult) throws -> Built {
    let b = try ProgramBinaries.build(source, name: name, in: dir, compiler: compiler, verifyFlags: config.verifyFlags)
    var r = result
    r.compileSeconds = b.compileSeconds
    return Built(result: r, timedBinary: b.timed, verifyBinary: b.verify)
  }

  var environment: [String: String] {
    var env = ["OMP_NUM_THREADS": "\(config.threads)"]
    if let policy = config.ompWaitPolicy { env["OMP_WAIT_POLICY"] = policy }
    return env
  }

  func dump(_ binary: String) throws -> String {
    try ProgramRun.dump(binary, timeout: config.timeout, environment: environment)
  }

  func verify(_ b: inout Built, reference: String) throws {
    let d = try dump(b.verifyBinary)
    if let m = DumpComparison.compare(expected: reference, actual: d) {
      throw BenchError("wrong output: the array dump differs from the original's at \(m)")
    }
  }

  /// Runs the timed binaries round-robin; a variant whose run fails is marked failed.
  func time(_ built: [Built]) throws -> [VariantResult] {
    var results = built.map(\.result)
    var alive = Array(repeating: true, count: built.count)
    var rounds = 0
    while rounds < config.repetitions || wantsAnotherRound(results, alive, rounds) {
      rounds += 1
      for (i, b) in built.enumerated() where alive[i] {
        do {
          results[i].times.append(try ProgramRun.seconds(b.timedBinary, timeout: config.timeout, environment: environment))
        } catch {
          alive[i] = false
          results[i].status = .failed
          results[i].message = "timed run: \(error)"
        }
      }
    }
    for i in results.indices where alive[i] {
      results[i].status = .ok
      results[i].median = Statistics.median(results[i].times)
    }
    return results
  }

  /// After the configured rounds: another round while the kernel's timed runs
  /// are too short in total to give a stable median.
  func wantsAnotherRound(_ results: [VariantResult], _ alive: [Bool], _ rounds: Int) -> Bool {
    guard rounds < max(config.repetitions, config.maximumRepetitions), alive.contains(true) else { return false }
    let total = zip(results, alive).filter(\.1).map { $0.0.times.reduce(0, +) }.reduce(0, +)
    return total < config.minimumTimedSeconds
  }

  func firstLine(_ e: Error) -> String { "\(e)".split(separator: "\n").first.map(String.init) ?? "\(e)" }
}

/// The two binaries of a PolyBench-style program: a timed one (`-DPOLYBENCH_TIME`) and a
/// verification one that dumps its arrays. Built the same way by `polyc bench` and `polyc tune`.
package struct ProgramBinaries: Sendable {
  package var timed: String
  package var verify: String
  /// Seconds the C compiler took for the timed binary.
  package var compileSeconds: Double

  /// Writes `source` to `<dir>/<name>.c` and compiles `<name>.time` and `<name>.verify`
  /// (`verifyFlags`: e.g. the verification data set).
  package static func build(_ source: String, name: String, in dir: String, compiler: CCompiler,
                            verifyFlags: [String]) throws -> ProgramBinaries {
    let src = "\(dir)/\(name).c"
    try source.write(toFile: src, atomically: true, encoding: .utf8)
    let start = DispatchTime.now()
    try compiler.compile(source: src, output: "\(dir)/\(name).time", extraFlags: ["-DPOLYBENCH_TIME"])
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    try compiler.compile(source: src, output: "\(dir)/\(name).verify", extraFlags: verifyFlags + ["-DPOLYBENCH_DUMP_ARRAYS"])
    return ProgramBinaries(timed: "\(dir)/\(name).time", verify: "\(dir)/\(name).verify", compileSeconds: seconds)
  }
}

/// Running the two binaries of a PolyBench-style program: the array dump of the verification
/// binary, the seconds the timed binary prints. Shared by `polyc bench` and `polyc tune`.
package enum ProgramRun {
  /// The array dump (stderr) of a verification binary.
  package static func dump(_ binary: String, timeout: Double, environment: [String: String]) throws -> String {
    let r = try ProcessRunner.run(binary, [], timeout: timeout, environment: environment)
    guard !r.timedOut else { throw BenchError("\(binary) timed out after \(Int(timeout)) s") }
    guard r.status == 0 else { throw BenchError("\(binary) exited with status \(r.status)") }
    return r.stderr
  }

  /// The seconds a timed binary (`-DPOLYBENCH_TIME`) prints as its last line on stdout.
  package static func seconds(_ binary: String, timeout: Double, environment: [String: String]) throws -> Double {
    let r = try ProcessRunner.run(binary, [], timeout: timeout, environment: environment)
    guard !r.timedOut else { throw BenchError("timed out after \(Int(timeout)) s") }
    return try seconds(fromOutput: r)
  }

  /// The time a finished timed binary printed (its last line).
  package static func seconds(fromOutput r: ProcessResult) throws -> Double {
    guard r.status == 0 else { throw BenchError("exited with status \(r.status)") }
    guard let t = r.stdout.split(separator: "\n").last.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) else {
      throw BenchError("printed no time (expected seconds on stdout)")
    }
    return t
  }
}

/// Finding a clang that runs Polly.
package enum PeerCompiler {
  package static let pollyCandidates = ["clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14", "clang"]

  /// The first candidate (or `preferred`) that compiles a file with `-mllvm -polly`.
  package static func findPolly(_ preferred: String?) -> String? {
    for name in preferred.map({ [$0] }) ?? pollyCandidates {
      guard let path = ProcessRunner.which(name) else { continue }
      if accepts(path) { return path }
    }
    return nil
  }

  static func accepts(_ clang: String) -> Bool {
    let dir = NSTemporaryDirectory() + "polyc-polly-probe-\(UUID().uuidString.prefix(8))"
    guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return false }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let src = "\(dir)/p.c"
    guard (try? "int main(void) { return 0; }\n".write(toFile: src, atomically: true, encoding: .utf8)) != nil else { return false }
    let r = try? ProcessRunner.run(clang, ["-O3", "-mllvm", "-polly", "-fopenmp", src, "-o", "\(dir)/p"], timeout: 60)
    return r?.status == 0
  }
}
