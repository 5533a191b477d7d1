//===- TuneCommand.swift - `polyc tune` -----------------------------------===//
//
// Thin: searches the strategy knobs of one kernel for the NPU
// (Tune/NPUTuner.swift: simulated cycles) or the CPU (Tune/CPUTuner.swift:
// generated C compiled, verified and timed) with each search of --search at
// the same budget, writes the best strategy file and the reports.
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import PolycDriver
import Foundation
import PolycNPU
import PolycTune

struct TuneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tune",
    abstract: "Search the strategy space of one kernel and write the best strategy file (CPU or NPU target).")

  @Argument(help: "The kernel source (.loop).")
  var kernel: String

  @Option(name: .long, help: "The target: cpu (time of the generated C) or npu (simulated cycles).")
  var target: String = "npu"

  @Option(name: .long, help: "The strategy the search starts from and is compared with (default Configs/npu.json, Configs/cpu.json for --target cpu).")
  var config: String?

  @Option(name: .long, help: "Stop each search after this time, e.g. 90s, 10m, 1h (as well as the budget).")
  var time: String?

  @Option(name: .long, help: "--target cpu: timed rounds per candidate (each beside the preset).")
  var repetitions: Int = 3

  @Option(name: .long, help: "Candidates measured (or found invalid) per search.")
  var budget: Int = 24

  @Option(name: .long, help: "The data set tuned for (default SMALL for npu, LARGE for cpu).")
  var dataset: String?

  @Option(name: .long, parsing: .singleValue, help: "Size parameters, e.g. --set M=512,N=512,K=512.")
  var set: [String] = []

  @Option(name: .long, help: "The hardware description (JSON).")
  var hw: String?

  @Option(name: .long, help: "The searches run, each at the budget: model, evolutionary, random (default model,random for cpu; all three for npu).")
  var search: String?

  @Option(name: .long, help: "Seed of the search and of the data.")
  var seed: UInt64 = 1

  @Option(name: .shortAndLong, help: "Where to write the best strategy file.")
  var output: String?

  @Option(name: .long, help: "Directory of the reports (tune.json, tune.md, tune.svg).")
  var report: String = "tune-results"

  func validate() throws {
    guard target == "npu" || target == "cpu" else { throw ValidationError("--target must be cpu or npu (got '\(target)')") }
    guard budget >= 1 && budget <= 10_000 else { throw ValidationError("--budget must be in 1...10000 (got \(budget))") }
    guard repetitions >= 1 && repetitions <= 100 else { throw ValidationError("--repetitions must be in 1...100 (got \(repetitions))") }
    if let time, Self.seconds(time) == nil { throw ValidationError("--time expects a duration such as 90s, 10m or 1h (got '\(time)')") }
    if target == "cpu", let d = dataset, !["MINI", "SMALL", "MEDIUM", "LARGE", "EXTRALARGE"].contains(d) {
      throw ValidationError("--dataset must be MINI, SMALL, MEDIUM, LARGE or EXTRALARGE (got '\(d)')")
    }
    if target == "cpu", !set.isEmpty || hw != nil { throw ValidationError("--set and --hw apply to --target npu only") }
    _ = try searches()
  }

  /// The searches of `--search`, in the order given.
  func searches() throws -> [TuningSearch] {
    guard let search else { return target == "cpu" ? [.model, .random] : TuningSearch.allCases }
    let names = search.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var list: [TuningSearch] = []
    for n in names {
      guard let s = TuningSearch(rawValue: n) else {
        throw ValidationError("--search expects model, evolutionary or random, separated by commas (got '\(n)')")
      }
      if !list.contains(s) { list.append(s) }
    }
    return list
  }

  /// "90s", "10m", "1h" or a number of seconds.
  static func seconds(_ text: String) -> Double? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    if let u = text.last, let f = units[u], let v = Double(text.dropLast()), v > 0, v <= 1e6 { return v * f }
    if let v = Double(text), v > 0, v <= 1e7 { return v }
    return nil
  }

  func run() throws {
    if target == "cpu" { return try runCPU() }
    let config = self.config ?? "Configs/npu.json"
    try runReportingErrors {
      let k = try Pipeline.loadKernel(path: kernel)
      let sizes = try NPURunner.sizes(of: k, dataset: dataset, overrides: try NPURunner.parseSet(set))
      let tuner = try NPUTuner(kernelPath: kernel, baseStrategyPath: config, sizes: sizes, hardware: try loadHardware(hw), seed: seed)
      var results: [NPUTuningResult] = []
      for search in try searches() {
        let r = try tuner.run(search: search, budget: budget, timeLimit: time.flatMap(Self.seconds))
        FileHandle.standardError.write("\(TuningReport.summary(r))\n".data(using: .utf8)!)
        results.append(r)
      }
      try TuningReport.write(results, to: report)
      let best = results.min { $0.bestCycles < $1.bestCycles }!
      let path = output ?? "Configs/tuned/\(k.name).json"
      try writeStrategyFile(try tuner.strategyText(best.best, writtenTo: path), to: path)
      print("best: \(best.best), \(best.bestCycles) cycles (\(String(format: "%.3fx", best.speedup)) over \(config)); strategy written to \(path); reports in \(report)/")
    }
  }

  func runCPU() throws {
    try runReportingErrors {
      let config = self.config ?? "Configs/cpu.json"
      let configs = URL(fileURLWithPath: config).deletingLastPathComponent().path
      let preset = URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent
      var options = CPUTuningOptions()
      options.dataset = dataset ?? "LARGE"
      options.repetitions = repetitions
      options.timeLimit = time.flatMap(Self.seconds)
      // Candidates compile in child processes of this very executable, each under a timeout.
      options.polyc = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
      let tuner = try CPUTuner(kernelPath: kernel, configsDirectory: configs, basePreset: preset, seed: seed, options: options)
      tuner.progress = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
      if let warning = MachineLoad.warning(threads: options.threads) { FileHandle.standardError.write(warning.data(using: .utf8)!) }
      var results: [CPUTuningResult] = []
      for search in try searches() {
        let r = try tuner.run(search: search, budget: budget)
        FileHandle.standardError.write("\(TuningReport.summary(r))\n".data(using: .utf8)!)
        if let warning = MachineLoad.warning(threads: options.threads) { FileHandle.standardError.write(warning.data(using: .utf8)!) }
        results.append(r)
      }
      try TuningReport.write(results, to: report)
      let best = results.max { $0.speedup < $1.speedup }!
      let name = URL(fileURLWithPath: kernel).deletingPathExtension().lastPathComponent
      let path = output ?? "\(configs)/tuned/\(name).json"
      try writeStrategyFile(try tuner.strategyText(best.best), to: path)
      print("best: \(best.best), \(String(format: "%.4f", best.bestSeconds)) s (\(String(format: "%.3fx", best.speedup)) over \(config)"
        + "\(best.confirmed ? "" : "; no candidate beat it beyond noise, the preset's settings are written")); strategy written to \(path); reports in \(report)/")
    }
  }

  /// Writes the best strategy file, creating its folder (`Configs/tuned/` by default).
  func writeStrategyFile(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
    try writeOutput(text, to: path)
  }
}
