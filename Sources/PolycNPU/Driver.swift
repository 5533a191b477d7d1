// The narrow driver API the CLI calls: lower, simulate, check against the CPU reference.

import Foundation

/// Everything one NPU run produces.
public struct NPURunResult: Sendable {
  /// The simulator's profile: cycles, operation and byte counters, stalls per module.
  public var report: NPUReport
  /// The simulator's output in the workload's logical layout.
  public var output: [Int8]
  /// The CPU reference output.
  public var reference: [Int8]
  /// Number of elements where output and reference differ (0 = bit-exact).
  public var mismatches: Int
  /// The output equals the reference byte for byte.
  public var bitExact: Bool { mismatches == 0 }
  /// Canonical assembly of the program (with a commented header).
  public var assembly: String
  /// The program that ran.
  public var program: NPUProgram

  /// A run's result from its parts.
  public init(report: NPUReport, output: [Int8], reference: [Int8], mismatches: Int, assembly: String, program: NPUProgram) {
    self.report = report
    self.output = output
    self.reference = reference
    self.mismatches = mismatches
    self.assembly = assembly
    self.program = program
  }
}

package enum NPUDriver {
  /// Lowers the workload, simulates it and compares the result with the Swift reference.
  package static func run(workload: NPUWorkload, hw: HardwareConfig = .npu16, options: LoweringOptions = LoweringOptions()) throws -> NPURunResult {
    let program = try NPULowering.lower(workload, hw: hw, options: options)
    let (report, output) = try program.simulate()
    let reference = workload.referenceOutput()
    let mismatches = zip(output, reference).filter { $0 != $1 }.count + abs(output.count - reference.count)
    return NPURunResult(report: report, output: output, reference: reference, mismatches: mismatches,
                        assembly: program.assembly(), program: program)
  }

  package static func run(gemm: GemmWorkload, hw: HardwareConfig = .npu16, options: LoweringOptions = LoweringOptions()) throws -> NPURunResult {
    try run(workload: .gemm(gemm), hw: hw, options: options)
  }

  package static func run(conv: Conv2DWorkload, hw: HardwareConfig = .npu16, options: LoweringOptions = LoweringOptions()) throws -> NPURunResult {
    try run(workload: .conv2d(conv), hw: hw, options: options)
  }

  /// Assembles and simulates a hand-written program on a given DRAM image.
  package static func simulate(assembly: String, dram: [UInt8], hw: HardwareConfig = .npu16) throws -> (report: NPUReport, dram: [UInt8]) {
    let machine = NPUMachine(hw: hw, dram: dram)
    let report = try machine.run(try NPUAssembler.assemble(assembly))
    return (report, machine.dram)
  }
}
