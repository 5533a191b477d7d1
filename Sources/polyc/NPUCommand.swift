//===- NPUCommand.swift - `polyc npu` -------------------------------------===//
//
// Thin: compiles the kernel, maps it to an NPU workload, simulates it and
// cross-checks it against the CPU backend (`NPURunner`); prints the report as
// text or JSON. `--bench` prints the NPU benchmark table instead. See
// docs/npu.md.
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import PolycDriver
import PolycToolchain
import Foundation
import PolycNPU

struct NPUCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "npu",
    abstract: "Compile a quantized .loop kernel to the NPU, simulate it and check it bit for bit against the CPU backend.")

  @Argument(help: "The kernel source (.loop), e.g. Kernels/npu/qmatmul.loop (not needed with --bench).")
  var kernel: String?

  @Option(name: .long, help: "The strategy file (JSON), e.g. Configs/npu.json.")
  var config: String?

  @Option(name: .long, help: "The hardware description (JSON), e.g. Configs/hw/npu32.json (default: the strategy's target.hardware, else the built-in npu16).")
  var hw: String?

  @Option(name: .long, parsing: .singleValue, help: "Size parameters, e.g. --set M=37,N=50,K=75 (override the data set's values).")
  var set: [String] = []

  @Option(name: .long, help: "The data set whose sizes are used (default: SMALL, else the first one).")
  var dataset: String?

  @Option(name: .long, help: "Seed of the deterministic input data.")
  var seed: UInt64 = 1

  @Option(name: .long, help: "Tiles: 'strategy' (the schedule's loop order, the strategy's tiling.sizes or the NPU model) or 'minimal' (one GEMM block).")
  var tiles: String = "strategy"

  @Flag(name: .long, help: "Use one buffer per scratchpad (no overlap of load, compute and store).")
  var noDoubleBuffer = false

  @Flag(name: .long, help: "Print one JSON object instead of the text report.")
  var json = false

  @Flag(name: .long, help: "Do not compile and run the kernel on the CPU for the bit-exact check.")
  var noCpuCheck = false

  @Option(name: .long, help: "The C compiler of the CPU check.")
  var cc: String = "cc"

  @Flag(name: .long, help: "Print the NPU benchmark table: matmul 512^3, conv 56x56x64->64 and matmul 49000x64x64 under the npu, tensor, isl and a small-tile strategy (use a release build).")
  var bench = false

  @Option(name: .long, help: "--bench: the repository root holding Kernels/ and Configs/.")
  var root: String = "."

  @Option(name: .shortAndLong, help: "Write the report to this file instead of stdout.")
  var output: String?

  func run() throws {
    try runReportingErrors {
      let hardware = try loadHardware(hw)
      if bench {
        let rows = try NPUKernelBenchmark.run(root: root, hw: hardware)
        try writeOutput(json ? benchJSON(rows) : NPUKernelBenchmark.table(rows), to: output)
        return
      }
      guard let kernel else { throw PolycError.usage("missing the kernel argument (or --bench)") }
      guard ["strategy", "auto", "minimal"].contains(tiles) else {
        throw PolycError.usage("--tiles must be 'strategy' or 'minimal' (got '\(tiles)')")
      }
      let k = try Pipeline.loadKernel(path: kernel)
      let sizes = try NPURunner.sizes(of: k, dataset: dataset, overrides: try NPURunner.parseSet(set))
      let s = try Pipeline.loadStrategy(path: config)
      let c = try Pipeline.compile(kernel: k, strategy: s, ctx: makeContext())
      let options = NPUKernelRunOptions(hw: hardware, minimalTiles: tiles == "minimal", singleBuffer: noDoubleBuffer,
                                        seed: seed, cpuRunner: noCpuCheck ? nil : SystemCProgramRunner(compiler: CCompiler(command: cc, flags: ["-O2", "-ffp-contract=off"])))
      let result = try NPURunner.run(c, sizes: sizes, options: options)
      try writeOutput(json ? result.jsonString() : result.textReport(), to: output)
      if !result.bitExact {
        FileHandle.standardError.write("error: the NPU result is not bit-exact\n".data(using: .utf8)!)
        throw ExitCode(1)
      }
    }
  }

  func benchJSON(_ rows: [NPUBenchmarkRow]) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? enc.encode(rows)) ?? Data(), as: UTF8.self) + "\n"
  }
}
