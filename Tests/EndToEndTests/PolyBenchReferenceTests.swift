// Differential tests against PolyBench/C 4.2.1 itself: every kernel's emitted
// program (original schedule and every strategy preset) must compile with
// `cc -O2 -Wall` without warnings and write the dump PolyBench's own program
// writes (Tests/Inputs/polybench-ref, MINI and SMALL).

import PolycDriver
import Foundation
import Testing
import TestSupport

@Suite struct PolyBenchReferenceTests {
  static let datasets = ["MINI", "SMALL"]

  @Test(arguments: Fixtures.polybenchKernels, datasets)
  func originalScheduleReproducesPolyBench(kernel: String, dataset: String) throws {
    let (dump, warnings) = try Fixtures.runProgram(kernel: kernel, strategy: "identity", dataset: dataset)
    #expect(warnings.isEmpty, "cc -O2 -Wall warned on \(kernel):\n\(warnings)")
    let reference = try Fixtures.referenceDump(kernel, dataset)
    let mismatch = DumpComparison.compare(expected: reference, actual: dump)
    #expect(mismatch == nil, "\(kernel) \(dataset): \(mismatch.map(\.description) ?? "")")
  }

  @Test(arguments: Fixtures.presets().filter { $0 != "identity" }, datasets)
  func everyPresetReproducesPolyBench(strategy: String, dataset: String) throws {
    var failures: [String] = []
    for kernel in Fixtures.sweepKernels {
      do {
        let (dump, _) = try Fixtures.runProgram(kernel: kernel, strategy: strategy, dataset: dataset)
        if let m = DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump) {
          failures.append("\(kernel): \(m)")
        }
      } catch {
        failures.append("\(kernel): \(error)")
      }
    }
    #expect(failures.isEmpty, "strategy \(strategy) on \(dataset):\n\(failures.joined(separator: "\n"))")
  }

  /// The tuned strategies of Configs/tuned (written by `polyc tune --target cpu`): each
  /// reproduces PolyBench's dump for its own kernel, with 2 OpenMP threads.
  static let tunedKernels: [String] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(Fixtures.root)/Configs/tuned")) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter(Fixtures.polybenchKernels.contains).sorted()
  }()

  @Test func everyTunedStrategyReproducesPolyBench() throws {
    #expect(Self.tunedKernels.count >= 10, "Configs/tuned holds the tuned files of docs/tune.md")
    for kernel in Self.tunedKernels {
      let strategy = try Pipeline.loadStrategy(path: "\(Fixtures.root)/Configs/tuned/\(kernel).json")
      let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel)), strategy: strategy)
      try Self.expectReproducesPolyBench(try Pipeline.emit(.program, c), kernel: kernel, label: "tuned")
    }
  }

  /// Runs `text` (a complete program of `kernel`) with 2 OpenMP threads on every data set of
  /// the suite: no `cc -Wall` warning, and PolyBench's own dump.
  static func expectReproducesPolyBench(_ text: String, kernel: String, label: String) throws {
    for dataset in datasets {
      let (dump, warnings) = try Fixtures.runProgram(text: text, kernel: kernel, label: label, dataset: dataset,
                                                     env: ["OMP_NUM_THREADS": "2"])
      #expect(warnings.isEmpty, "\(label) \(kernel): \(warnings)")
      let m = DumpComparison.compare(expected: try Fixtures.referenceDump(kernel, dataset), actual: dump)
      #expect(m == nil, "\(label) \(kernel) \(dataset): \(m.map(\.description) ?? "")")
    }
  }

  /// `"scalarExpansion": "accumulators"` (the cpu preset's) on the kernel it changes: ludcmp's
  /// `w` becomes `w_ij[i][j]` in the LU part, with the pluto preset's scheduler too.
  @Test(arguments: ["cpu", "pluto"])
  func accumulatorExpansionReproducesPolyBench(preset: String) throws {
    let kernel = "ludcmp"
    var strategy = try Pipeline.loadStrategy(path: Fixtures.configPath(preset))
    if preset == "cpu" { #expect(strategy.expandAccumulators, "cpu.json sets \"scalarExpansion\": \"accumulators\"") }
    strategy.scalarExpansion = true
    strategy.expandAccumulators = true
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: Fixtures.kernelPath(kernel)), strategy: strategy)
    #expect(c.result.notes.filter { $0.hasPrefix("scalar expansion:") && $0.contains("w_ij") }.count == 2, "\(c.result.notes)")
    try Self.expectReproducesPolyBench(try Pipeline.emit(.program, c), kernel: kernel, label: "accumulators")
  }
}
