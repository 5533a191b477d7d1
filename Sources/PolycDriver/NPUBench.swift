//===- NPUBench.swift - The NPU benchmark: kernels x strategies -----------===//
//
// `polyc npu --bench` / `make bench-npu`: each benchmark kernel (a .loop file
// of Kernels/npu with sizes) is compiled under each strategy through the
// whole pipeline (scheduler, NPU backend, simulator), so the table shows what
// the strategy changes. Every run is checked bit for bit against the NPU's
// Swift reference of the same computation; the CPU backend check is left to
// `polyc npu` and the tests (it would dominate the run time).
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycNPU
import PolycNPUCodeGen

/// One benchmark workload: a kernel file and its sizes.
package struct NPUBenchmarkCase: Sendable {
  package var name: String
  /// Relative to the repository root.
  package var kernel: String
  package var sizes: [String: Int]
  /// Strategies run on this case only (e.g. a directive naming its statements).
  package var extraStrategies: [String]
  package init(name: String, kernel: String, sizes: [String: Int], extraStrategies: [String] = []) {
    self.name = name
    self.kernel = kernel
    self.sizes = sizes
    self.extraStrategies = extraStrategies
  }
}

/// One measured (kernel, strategy) pair.
package struct NPUBenchmarkRow: Codable, Equatable, Sendable {
  package var workload: String
  package var strategy: String
  package var tiles: String
  package var doubleBuffer: Bool
  package var cycles: Int
  package var macUtilization: Double
  package var rooflineCycles: Int
  package var rooflineRatio: Double
  package var trafficRatio: Double
  package var bytesMoved: Int
  package var compulsoryBytes: Int
  package var instructions: Int
  package var bitExact: Bool
}

package enum NPUKernelBenchmark {
  /// matmul 512^3, conv 56x56x64 -> 64 (3x3, stride 1, pad 1), and a long matmul M=49000, N=K=64.
  package static let cases: [NPUBenchmarkCase] = [
    NPUBenchmarkCase(name: "qmatmul 512x512x512", kernel: "Kernels/npu/qmatmul.loop", sizes: ["M": 512, "N": 512, "K": 512],
                     extraStrategies: ["Configs/variants/qmatmul-channel-outer.json"]),
    NPUBenchmarkCase(name: "qconv2d 56x56x64->64 3x3", kernel: "Kernels/npu/qconv2d.loop", sizes: ["H": 56, "W": 56, "C": 64, "K": 64],
                     extraStrategies: ["Configs/variants/qconv2d-channel-outer.json"]),
    NPUBenchmarkCase(name: "qmatmul 49000x64x64", kernel: "Kernels/npu/qmatmul.loop", sizes: ["M": 49000, "N": 64, "K": 64],
                     extraStrategies: ["Configs/variants/qmatmul-channel-outer.json"]),
  ]

  /// The strategies compared (relative to the repository root).
  package static let strategies = ["Configs/npu.json", "Configs/tensor.json", "Configs/isl.json", "Configs/variants/npu-tiles16.json"]

  /// Runs every case under every strategy (use a release build).
  package static func run(root: String, hw: HardwareConfig?, cases: [NPUBenchmarkCase] = cases,
                         strategies: [String] = strategies) throws -> [NPUBenchmarkRow] {
    var rows: [NPUBenchmarkRow] = []
    for bench in cases {
      let kernel = try Pipeline.loadKernel(path: "\(root)/\(bench.kernel)")
      for path in strategies + bench.extraStrategies {
        let strategy = try Pipeline.loadStrategy(path: "\(root)/\(path)")
        let c = try Pipeline.compile(kernel: kernel, strategy: strategy)
        let r = try NPURunner.run(c, sizes: bench.sizes, options: NPUKernelRunOptions(hw: hw, seed: 42))
        let report = r.run.report
        rows.append(NPUBenchmarkRow(
          workload: bench.name, strategy: strategy.name, tiles: r.run.program.tiles.description,
          doubleBuffer: r.run.program.doubleBuffer, cycles: report.cycles, macUtilization: report.macUtilization,
          rooflineCycles: report.rooflineCycles, rooflineRatio: report.rooflineRatio, trafficRatio: report.trafficRatio,
          bytesMoved: report.bytesLoaded + report.bytesStored, compulsoryBytes: report.compulsoryBytes,
          instructions: r.run.program.instructions.count, bitExact: r.run.bitExact))
      }
    }
    return rows
  }

  /// A Markdown table of benchmark rows.
  package static func table(_ rows: [NPUBenchmarkRow]) -> String {
    var out = "| workload | strategy | tiles | cycles | MAC util | cycles / roofline | traffic / compulsory | bit-exact |\n"
    out += "|---|---|---|---:|---:|---:|---:|---|\n"
    for r in rows {
      out += "| \(r.workload) | \(r.strategy) | \(r.tiles)\(r.doubleBuffer ? "" : ", single buffer") | \(r.cycles) | "
        + String(format: "%.1f%%", r.macUtilization * 100) + " | " + String(format: "%.3f", r.rooflineRatio) + " | "
        + String(format: "%.2f", r.trafficRatio) + " | \(r.bitExact ? "yes" : "NO") |\n"
    }
    return out
  }
}
