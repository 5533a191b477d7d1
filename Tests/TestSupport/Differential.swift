//===- Differential.swift - Every preset against the original schedule ----===//
//
// PPCG's polybench_test, for random programs: a program is compiled by the
// polyc executable under a strategy preset (`--emit program`), built with
// `gcc -O2 -fopenmp -ffp-contract=off`, run with two OpenMP threads on a
// dataset, and its dump compared with the dump of the original schedule (the
// identity preset, built without OpenMP). polyc runs as a child process with
// a timeout, so a crash or a hang is a reported failure, not a dead test run.
// The executable is the one built next to the tests (debug), or the one
// POLYC_FUZZ_POLYC names (`make fuzz` passes the release build, so that the
// time limit measures polyc as users run it).
//
// A failure can be shrunk (`shrink`): smaller programs
// (`RandomProgram.smaller`) are tried while the same preset still fails on
// the same dataset, until no smaller one fails.
//
//===----------------------------------------------------------------------===//

import PolycDriver
import PolycToolchain
import Foundation

public enum Differential {
  /// Seconds polyc may take for one compilation (debug build) and the program for one run.
  public static let compileTimeout = 120.0
  public static let runTimeout = 60.0
  public static let flags = ["-O2", "-fopenmp", "-ffp-contract=off", "-w"]
  public static let referenceFlags = ["-O2", "-ffp-contract=off", "-w"]

  /// One preset disagreeing with the original schedule, or failing.
  public struct Failure: Error, CustomStringConvertible {
    public var preset: String
    public var dataset: String
    public var message: String
    public var description: String { "\(preset) on \(dataset): \(message)" }
  }

  /// The polyc executable the tester runs: `POLYC_FUZZ_POLYC`, else the one next to the tests.
  public static var polyc: String? {
    if let path = ProcessInfo.processInfo.environment["POLYC_FUZZ_POLYC"], !path.isEmpty { return path }
    return Fixtures.polycBinary
  }

  /// Seconds (wall clock) of each polyc compilation by preset, over the whole test process.
  public static let compileSeconds = CompileTimes()

  /// The dumps of `source` under `preset`, one per dataset, or the first failure.
  public static func dumps(source: String, preset: String, datasets: [String], in dir: String) -> Result<[String: String], Failure> {
    guard let polyc else {
      return .failure(Failure(preset: preset, dataset: "-", message: "polyc executable not found next to the tests"))
    }
    let tag = preset.replacingOccurrences(of: "/", with: "_")
    let loop = "\(dir)/p.loop", c = "\(dir)/\(tag).c", bin = "\(dir)/\(tag)"
    do {
      try source.write(toFile: loop, atomically: true, encoding: .utf8)
      let start = Date()
      let r = try ProcessRunner.run(polyc, [loop, "--config", Fixtures.configPath(preset), "--emit", "program", "-o", c],
                                    timeout: compileTimeout)
      compileSeconds.add(preset, Date().timeIntervalSince(start))
      guard !r.timedOut else {
        return .failure(Failure(preset: preset, dataset: "-", message: "polyc ran longer than \(Int(compileTimeout)) s"))
      }
      guard r.status == 0 else {
        return .failure(Failure(preset: preset, dataset: "-", message: "polyc exited with status \(r.status): \(r.stderr.prefix(600))"))
      }
      var out: [String: String] = [:]
      for dataset in datasets {
        let exe = "\(bin)-\(dataset)"
        _ = try CCompiler(command: "gcc", flags: preset == "identity" ? referenceFlags : flags)
          .compile(source: c, output: exe, extraFlags: ["-DPOLYBENCH_DUMP_ARRAYS", "-D\(dataset)_DATASET"])
        let run = try ProcessRunner.run(exe, [], timeout: runTimeout, environment: ["OMP_NUM_THREADS": "2"])
        guard !run.timedOut, run.status == 0 else {
          let why = run.timedOut ? "ran longer than \(Int(runTimeout)) s" : "exited with status \(run.status)"
          return .failure(Failure(preset: preset, dataset: dataset, message: "the program \(why)"))
        }
        out[dataset] = run.stderr
      }
      return .success(out)
    } catch {
      return .failure(Failure(preset: preset, dataset: "-", message: "\(error)".prefix(600).description))
    }
  }

  /// Every preset of `presets` that disagrees with the identity preset on one
  /// of `datasets` (an empty list when all agree). Throws when the original
  /// schedule itself fails (a generator bug or an identity-preset bug).
  public static func check(source: String, presets: [String], datasets: [String]) throws -> [Failure] {
    let dir = try Fixtures.temporaryDirectory("diff")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let reference = try dumps(source: source, preset: "identity", datasets: datasets, in: dir).get()
    var failures: [Failure] = []
    for preset in presets where preset != "identity" {
      switch dumps(source: source, preset: preset, datasets: datasets, in: dir) {
      case .failure(let f):
        failures.append(f)
      case .success(let got):
        for dataset in datasets {
          if let m = DumpComparison.compare(expected: reference[dataset]!, actual: got[dataset]!) {
            failures.append(Failure(preset: preset, dataset: dataset, message: "dump differs from the original schedule's: \(m)"))
            break
          }
        }
      }
    }
    return failures
  }

  /// Whether `program` still shows `failure` (same preset; the same dataset
  /// when the failure is a run's).
  static func stillFails(_ program: RandomProgram, _ failure: Failure) -> Bool {
    let datasets = failure.dataset == "-" ? ["MINI"] : [failure.dataset]
    guard let failures = try? check(source: program.source, presets: [failure.preset], datasets: datasets) else { return false }
    return !failures.isEmpty
  }

  /// A smallest program, found greedily from `program`, that still shows
  /// `failure`; at most `attempts` candidates are tried.
  public static func shrink(_ program: RandomProgram, _ failure: Failure, attempts: Int = 300) -> RandomProgram {
    var current = program
    var left = attempts
    var progress = true
    while progress && left > 0 {
      progress = false
      for candidate in current.smaller() {
        left -= 1
        if stillFails(candidate, failure) {
          current = candidate
          progress = true
          break
        }
        if left <= 0 { break }
      }
    }
    return current
  }
}

/// Compile times of the random tester, by preset (thread-safe: Swift Testing runs seeds in parallel).
public final class CompileTimes: @unchecked Sendable {
  private let lock = NSLock()
  private var seconds: [String: [Double]] = [:]
  private var programs = 0

  func add(_ preset: String, _ s: Double) {
    lock.lock(); defer { lock.unlock() }
    seconds[preset, default: []].append(s)
  }

  /// Counts one program as done; returns the summary every `every` programs and after the last of `total`.
  public func finishProgram(total: Int, every: Int = 25) -> String? {
    lock.lock()
    programs += 1
    let n = programs
    lock.unlock()
    return n % every == 0 || n == total ? "after \(n) of \(total) programs, polyc compile times: \(summary)" : nil
  }

  /// `cpu: 12 compilations, median 0.41 s, max 3.2 s; ...` for the presets seen so far.
  public var summary: String {
    lock.lock(); defer { lock.unlock() }
    return seconds.keys.sorted().map { p in
      let v = seconds[p]!.sorted()
      return "\(p): \(v.count) compilations, median \(String(format: "%.2f", v[v.count / 2])) s, max \(String(format: "%.2f", v.last!)) s"
    }.joined(separator: "; ")
  }
}
