//===- BenchCommand.swift - `polyc bench` ---------------------------------===//
//
// Thin: turns options into a BenchConfiguration, runs the campaign with
// progress on stderr, prints the table. See docs/bench.md.
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import PolycBench
import PolycDriver
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Run a PolyBench campaign: generate, compile, verify and time each kernel under each strategy.")

  @Option(name: .long, help: "Comma-separated kernels (default: all 30 PolyBench kernels).")
  var kernels: String?

  @Option(name: .long, help: "Comma-separated strategies, Configs/<name>.json (default: identity,pluto,isl,cpu).")
  var strategies: String?

  @Option(name: .long, help: "Data set: MINI, SMALL, MEDIUM, LARGE or EXTRALARGE.")
  var dataset: String = "MEDIUM"

  @Option(name: .long, help: "OpenMP threads (OMP_NUM_THREADS) of every run.")
  var threads: Int = 2

  @Option(name: .long, help: "Timed runs per variant; the median is reported.")
  var repetitions: Int = 3

  @Option(name: .long, help: "Short kernels get extra rounds (at most 31) until their runs add up to this many seconds; 0: exactly --repetitions.")
  var minTimedSeconds: Double = 1.0

  @Option(name: .long, help: "C compiler of the original and polyc's programs.")
  var cc: String = "gcc"

  @Option(name: .long, help: "C compiler flags, one string (default: \(BenchConfiguration.defaultCFlags.joined(separator: " "))).")
  var cflags: String?

  @Option(name: .long, help: "Output folder for results.json, results.csv, results.md, speedups.svg and the generated sources.")
  var out: String = "bench-results"

  @Option(name: .long, help: "Comma-separated peers to compare with: polly (clang -mllvm -polly on the original program).")
  var peers: String?

  @Option(name: .long, help: "The clang that runs Polly (default: the first of clang-19 ... clang that accepts -mllvm -polly).")
  var pollyCc: String?

  @Option(name: .long, help: "The folder holding Kernels/polybench and Configs (default: found from the current folder).")
  var root: String?

  @Option(name: .long, help: "Seconds before a run is killed and reported as failed.")
  var timeout: Double = 900

  @Option(name: .long, help: "OMP_WAIT_POLICY of every run: passive, active or default (the runtime's own).")
  var ompWaitPolicy: String = "passive"

  @Flag(name: .long, help: "Do not declare polyc's array parameters restrict.")
  var noRestrict = false

  func validate() throws {
    guard BenchConfiguration.allDatasets.contains(dataset) else {
      throw ValidationError("unknown dataset '\(dataset)' (one of \(BenchConfiguration.allDatasets.joined(separator: ", ")))")
    }
    guard ["passive", "active", "default"].contains(ompWaitPolicy.lowercased()) else {
      throw ValidationError("--omp-wait-policy must be passive, active or default, not '\(ompWaitPolicy)'")
    }
    guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    guard minTimedSeconds >= 0, minTimedSeconds.isFinite else {
      throw ValidationError("--min-timed-seconds must be a finite number of seconds, not negative")
    }
    guard timeout > 0, timeout.isFinite else {
      throw ValidationError("--timeout must be a positive finite number of seconds, not '\(timeout)'")
    }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    for p in list(peers) where Peer(rawValue: p) == nil {
      throw ValidationError("unknown peer '\(p)' (known: \(Peer.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
  }

  func list(_ s: String?) -> [String] {
    (s ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  func run() throws {
    try runReportingErrors {
      guard let root = root ?? BenchConfiguration.findRoot(from: FileManager.default.currentDirectoryPath)
        ?? BenchConfiguration.findRoot(from: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path)
      else { throw PolycError.usage("cannot find Kernels/polybench; run from the polyc folder or pass --root") }
      var config = BenchConfiguration(root: root)
      if kernels != nil { config.kernels = list(kernels) }
      if strategies != nil { config.strategies = list(strategies) }
      config.dataset = dataset
      config.threads = threads
      config.repetitions = repetitions
      config.minimumTimedSeconds = minTimedSeconds
      config.cc = cc
      if let cflags { config.cflags = cflags.split(separator: " ").map(String.init) }
      config.outputDirectory = out
      config.peers = list(peers).compactMap(Peer.init(rawValue:))
      config.pollyCompiler = pollyCc
      config.timeout = timeout
      config.restrictArrays = !noRestrict
      config.ompWaitPolicy = ompWaitPolicy.lowercased() == "default" ? nil : ompWaitPolicy.uppercased()
      let runner = BenchRunner(config: config)
      runner.progress = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
      do {
        let result = try runner.run()
        print(Reports.table(result), terminator: "")
        FileHandle.standardError.write("wrote \(Reports.files.map { "\(out)/\($0)" }.joined(separator: ", "))\n".data(using: .utf8)!)
      } catch let e as BenchError {
        throw PolycError.usage(e.message)
      }
    }
  }
}
