// The narrow driver API the CLI calls: lower, simulate, check against the CPU reference.

import Foundation

/// Everything one NPU run produces.
public struct NPURunResult: Sendable {
  public var report: NPUReport
  /// The simulator's output in the workload's logical layout.
  public var output: [Int8]
  /// The CPU reference output.
  public var reference: [Int8]
  /// Number of elements where output and reference differ (0 = bit-exact).
  public var mismatches: Int
  public var bitExact: Bool { mismatches == 0 }
  /// Canonical assembly of the program (with a commented header).
  public var assembly: String
  public var program: NPUProgram

  public init(report: NPUReport, output: [Int8], reference: [Int8], mismatches: Int, assembly: String, program: NPUProgram) {
    self.report = report
    self.output = output
    self.reference = reference
    self.mismatches = mismatches
    self.assembly = assembly
    self.program = program
  }
}

public enum NPUDriver {
  /// Lowers the workload, simulates it and compares the result with the Swift reference.
  public static func run(workload: NPUWorkload, hw: HardwareConfig = .npu16, options: LoweringOptions = LoweringOptions()) throws -> NPURunResult {
    let program = try NPULowering.lower(workload, hw: hw, options: options)
    let (report, output) = try program.simulate()
    let reference = workload.referenceOutput()
    let mismatches = zip(output, reference).filter { $0 != $1 }.count + abs(output.count - reference.count)
    return NPURunResult(report: report, output: output, reference: reference, mismatches: mismatches,
                        assembly: program.assembly(), program: program)
  }

  public static func run(gemm: GemmWorkload, hw: HardwareConfig = .npu16, options: LoweringOptions = LoweringOptions()) throws -> NPURunResult {
    try run(workload: .gemm(gemm), hw: hw, options: options)
  }

  public static func run(conv: Conv2DWorkload, hw: HardwareConfig = .npu16, options: LoweringOptions = LoweringOptions()) throws -> NPURunResult {
    try run(workload: .conv2d(conv), hw: hw, options: options)
  }

  /// Assembles and simulates a hand-written program on a given DRAM image.
  public static func simulate(assembly: String, dram: [UInt8], hw: HardwareConfig = .npu16) throws -> (report: NPUReport, dram: [UInt8]) {
    let machine = NPUMachine(hw: hw, dram: dram)
    let report = try machine.run(try NPUAssembler.assemble(assembly))
    return (report, machine.dram)
  }
}

// MARK: - Benchmarks

/// One measured benchmark configuration.
public struct NPUBenchmarkRow: Codable, Equatable, Sendable {
  public var workload: String
  public var variant: String
  public var tiles: String
  public var cycles: Int
  public var macUtilization: Double
  public var rooflineCycles: Int
  public var rooflineRatio: Double
  public var bytesLoaded: Int
  public var bytesStored: Int
  public var instructions: Int
  public var bitExact: Bool
}

public enum NPUBenchmark {
  /// The benchmark workloads: 512x512x512 matmul and a 56x56x64 -> 64 3x3 conv (stride 1, pad 1).
  public static func workloads() -> [(String, NPUWorkload)] {
    [
      ("matmul 512x512x512", .gemm(GemmWorkload.random(m: 512, n: 512, k: 512, seed: 42))),
      ("conv 56x56x64->64 3x3 s1 p1", .conv2d(Conv2DWorkload.random(
        shape: ConvShape(height: 56, width: 56, inChannels: 64, outChannels: 64, kernel: 3, stride: 1, pad: 1), seed: 43, relu: true))),
    ]
  }

  /// The variants: auto tiles with and without double buffering, minimal tiles with and without.
  public static let variants: [(String, LoweringOptions)] = [
    ("auto tiles, double buffer", LoweringOptions(doubleBuffer: true, tiles: .auto)),
    ("auto tiles, single buffer", LoweringOptions(doubleBuffer: false, tiles: .auto)),
    ("minimal tiles, double buffer", LoweringOptions(doubleBuffer: true, tiles: .minimal)),
    ("minimal tiles, single buffer", LoweringOptions(doubleBuffer: false, tiles: .minimal)),
  ]

  /// Runs every workload under every variant (use a release build: ~250M MACs per run).
  public static func run(hw: HardwareConfig = .npu16, workloads: [(String, NPUWorkload)]? = nil,
                         variants: [(String, LoweringOptions)]? = nil) throws -> [NPUBenchmarkRow] {
    var rows: [NPUBenchmarkRow] = []
    for (name, w) in workloads ?? Self.workloads() {
      let reference = w.referenceOutput()
      for (variant, options) in variants ?? Self.variants {
        let program = try NPULowering.lower(w, hw: hw, options: options)
        let (report, output) = try program.simulate()
        rows.append(NPUBenchmarkRow(
          workload: name, variant: variant, tiles: program.tiles.description, cycles: report.cycles,
          macUtilization: report.macUtilization, rooflineCycles: report.rooflineCycles, rooflineRatio: report.rooflineRatio,
          bytesLoaded: report.bytesLoaded, bytesStored: report.bytesStored, instructions: program.instructions.count,
          bitExact: output == reference))
      }
    }
    return rows
  }

  /// A text table of benchmark rows.
  public static func table(_ rows: [NPUBenchmarkRow]) -> String {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    var out = pad("workload", 30) + pad("variant", 30) + pad("cycles", 12) + pad("util", 9) + pad("roofline", 12)
      + pad("ratio", 8) + pad("loaded", 12) + pad("stored", 10) + pad("insns", 8) + "exact\n"
    for r in rows {
      out += pad(r.workload, 30) + pad(r.variant, 30) + pad("\(r.cycles)", 12)
        + pad(String(format: "%.1f%%", r.macUtilization * 100), 9) + pad("\(r.rooflineCycles)", 12)
        + pad(String(format: "%.3f", r.rooflineRatio), 8) + pad("\(r.bytesLoaded)", 12) + pad("\(r.bytesStored)", 10)
        + pad("\(r.instructions)", 8) + (r.bitExact ? "yes" : "NO") + "\n"
    }
    return out
  }
}
