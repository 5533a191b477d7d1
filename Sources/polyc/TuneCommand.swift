//===- TuneCommand.swift - `polyc tune` -----------------------------------===//
//
// Thin: searches the NPU strategy knobs of one kernel (Tune/NPUTuner.swift),
// evolutionary and random at the same budget, writes the best strategy file
// and the reports.
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
    abstract: "Search the strategy space of one kernel and write the best strategy file (NPU target).")

  @Argument(help: "The kernel source (.loop).")
  var kernel: String

  @Option(name: .long, help: "The target: npu (the CPU target is not available yet).")
  var target: String = "npu"

  @Option(name: .long, help: "The strategy the search starts from.")
  var config: String = "Configs/npu.json"

  @Option(name: .long, help: "Candidates measured (or found invalid) per search.")
  var budget: Int = 24

  @Option(name: .long, help: "The data set whose sizes are tuned for (default SMALL).")
  var dataset: String?

  @Option(name: .long, parsing: .singleValue, help: "Size parameters, e.g. --set M=512,N=512,K=512.")
  var set: [String] = []

  @Option(name: .long, help: "The hardware description (JSON).")
  var hw: String?

  @Option(name: .long, help: "Seed of the search and of the data.")
  var seed: UInt64 = 1

  @Option(name: .shortAndLong, help: "Where to write the best strategy file.")
  var output: String?

  @Option(name: .long, help: "Directory of the reports (tune.json, tune.md, tune.svg).")
  var report: String = "tune-results"

  func validate() throws {
    guard target == "npu" else { throw ValidationError("--target cpu is not available yet; use --target npu") }
    guard budget >= 1 && budget <= 10_000 else { throw ValidationError("--budget must be in 1...10000 (got \(budget))") }
  }

  func run() throws {
    try runReportingErrors {
      let k = try Pipeline.loadKernel(path: kernel)
      let sizes = try NPURunner.sizes(of: k, dataset: dataset, overrides: try NPURunner.parseSet(set))
      let tuner = try NPUTuner(kernelPath: kernel, baseStrategyPath: config, sizes: sizes, hardware: try loadHardware(hw), seed: seed)
      var results: [NPUTuningResult] = []
      for search in NPUSearch.allCases {
        let r = try tuner.run(search: search, budget: budget)
        FileHandle.standardError.write("\(TuningReport.summary(r))\n".data(using: .utf8)!)
        results.append(r)
      }
      try TuningReport.write(results, to: report)
      let best = results.min { $0.bestCycles < $1.bestCycles }!
      let path = output ?? "Configs/tuned/\(k.name).json"
      try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
      try writeOutput(try tuner.strategyText(best.best, writtenTo: path), to: path)
      print("best: \(best.best), \(best.bestCycles) cycles (\(String(format: "%.3fx", best.speedup)) over \(config)); strategy written to \(path); reports in \(report)/")
    }
  }
}
