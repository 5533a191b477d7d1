//===- NPUCodeGen.swift - The NPU backend: schedule tree -> NPU program ----===//
//
// The stage after scheduling for the NPU target (docs/npu.md):
//
//   Scop + schedule tree + strategy + hardware
//     -> Tensorizer        the GEMM intrinsic on isl access relations (roles of
//                          the iterators, operand layouts, the convolution)
//     -> epilogue          bias initialisation and requantization as ALU work
//     -> ScheduleTiling    tile sizes and loop order from the schedule and the strategy
//     -> mark              the tensorized band gets an `npu_gemm` mark
//     -> NPULowering       LOAD/GEMM/ALU/STORE with dependency tokens
//
// `NPUKernel` is the typed result of the analysis; `lower` adds data and
// produces the `NPUProgram` the simulator runs. A kernel or statement that
// cannot run on the NPU is an `NPUCodeGenError` naming it.
//
//===----------------------------------------------------------------------===//

import PolycISL
import PolycModel
import PolycNPU
import PolycScheduler

/// What every kernel mapped onto the NPU reports (a GEMM kernel or an ALU kernel).
public protocol NPUMappedKernel: Sendable {
  var name: String { get }
  var sizes: [String: Int] { get }
  /// One line: what runs on the NPU.
  var summary: String { get }
  /// Decisions of the NPU backend.
  var notes: [String] { get }
  var isFloat: Bool { get }
  /// Multiply-accumulates the kernel needs.
  var usefulMACs: Int { get }
  var hardware: HardwareConfig { get }
  /// The NPU's output (its canonical layout) in the layout of the kernel's output array.
  func outputInKernelLayout(_ out: [Int8]) -> [Int8]
  func outputInKernelLayout(_ out: [Double]) -> [Double]
}

/// A kernel mapped onto the NPU's GEMM core: what it computes and how the schedule tiles it.
package struct NPUKernel: NPUMappedKernel {
  package var name: String
  package var sizes: [String: Int]
  package var gemm: TensorizedReduction
  package var epilogue: GemmEpilogue
  package var plan: NPUTilePlan
  package var hardware: HardwareConfig
  /// The schedule tree with the tensorized band marked `npu_gemm` (isl's text).
  package var markedSchedule: String

  /// Multiply-accumulates the kernel needs (a depthwise convolution: one input channel per output).
  package var usefulMACs: Int {
    let s = gemm.shape
    return gemm.isDepthwise ? s.gemmM * s.outChannels * s.kernelHeight * s.kernelWidth : s.usefulMACs
  }

  /// Decisions of the NPU backend, for `-v` and reports.
  package var notes: [String] { plan.notes }
  package var isFloat: Bool { gemm.isFloat }

  /// `conv 14x14x16 -> 14x14x24, 3x3, stride 1x1, pad 1 (statement Mac)`.
  package var summary: String {
    let s = gemm.shape
    var text = gemm.shape.kernelHeight * gemm.shape.kernelWidth == 1 && s.height == 1
      ? "gemm \(s.batch > 1 ? "batch=\(s.batch) " : "")M=\(s.outputWidth) N=\(s.outChannels) K=\(s.inChannels)"
      : "conv \(s.batch > 1 ? "\(s.batch)x" : "")\(s.height)x\(s.width)x\(s.inChannels) -> \(s.outputHeight)x\(s.outputWidth)x\(s.outChannels), "
        + "\(s.kernelHeight)x\(s.kernelWidth), stride \(s.strideH)x\(s.strideW), pad \(s.padTop),\(s.padLeft)"
        + (s.dilationH * s.dilationW > 1 ? ", dilation \(s.dilationH)x\(s.dilationW)" : "")
    text += " (statement \(gemm.statement)"
    if let zp = gemm.input.zeroPoint { text += ", input zero point \(zp)" }
    if let zp = gemm.weights.zeroPoint { text += ", weight zero point \(zp)" }
    if gemm.isDepthwise { text += ", depthwise: channel groups with diagonal weight blocks" }
    if gemm.shape.weightSets > 1 { text += ", weights per batch" }
    if let r = epilogue.requant {
      text += ", requant \(r.multiplier)/\(r.shift)\(r.relu ? " relu" : "")"
    }
    return text + ")"
  }
}

/// One lowered run: the kernel, its data, the NPU program and the Swift
/// reference of what the program must compute (canonical layout).
public struct NPUCompiledKernel: Sendable {
  /// The kernel as the NPU backend mapped it (its summary, sizes and decisions).
  public var kernel: any NPUMappedKernel
  package var data: KernelData
  /// The NPU program, with its initial DRAM image.
  public var program: NPUProgram
  /// The output the program must produce, computed in Swift (int8, canonical layout).
  public var reference: [Int8]
}

package enum NPUCodeGen {
  /// The name of the mark put on the tensorized band.
  package static let markName = "npu_gemm"

  /// Maps a scheduled kernel onto the NPU for concrete `sizes`.
  package static func analyze(scop: Scop, schedule: Schedule, strategy: Strategy, sizes: [String: Int],
                             hardware: HardwareConfig) throws -> NPUKernel {
    do {
      try hardware.validate()
    } catch {
      throw NPUCodeGenError(kernel: scop.kernel.name, part: "hardware", message: "\(error)")
    }
    let tz = Tensorizer(scop: scop, sizes: sizes)
    do {
      let gemm = try tz.run()
      let epilogue = try tz.epilogue(gemm)
      guard let st = scop.statement(named: gemm.statement) else {
        throw NPUCodeGenError(kernel: scop.kernel.name, part: "gemm", message: "statement '\(gemm.statement)' vanished")
      }
      var shape = gemm.shape
      if gemm.weights.zeroPoint != nil { shape.inChannels *= 2 }
      if gemm.isDepthwise {
        let group = Swift.min(hardware.blockOut, hardware.blockIn)
        shape.batch *= (shape.inChannels + group - 1) / group
        shape.inChannels = group
        shape.outChannels = group
        shape.weightSets = shape.batch
      }
      let plan = try ScheduleTiling.plan(gemm, iterators: st.iterators, schedule: schedule, strategy: strategy, hw: hardware, shape: shape)
      let marked = try mark(schedule, statement: gemm.statement)
      return NPUKernel(name: scop.kernel.name, sizes: sizes, gemm: gemm, epilogue: epilogue, plan: plan, hardware: hardware,
                       markedSchedule: marked.description)
    } catch var e as NPUCodeGenError {
      e.kernel = scop.kernel.name
      throw e
    }
  }

  /// The ALU form of a kernel without a multiply-accumulate, or nil (then `analyze` applies).
  package static func analyzeElementwise(scop: Scop, sizes: [String: Int], hardware: HardwareConfig) throws -> NPUElementwiseKernel? {
    do {
      try hardware.validate()
      return try Tensorizer(scop: scop, sizes: sizes).elementwise(hardware: hardware)
    } catch var e as NPUCodeGenError {
      e.kernel = scop.kernel.name
      throw e
    } catch let e as HardwareConfigError {
      throw NPUCodeGenError(kernel: scop.kernel.name, part: "hardware", message: e.description)
    }
  }

  /// Lowers an ALU kernel on deterministic data.
  package static func lower(_ k: NPUElementwiseKernel, seed: UInt64) throws -> NPUCompiledKernel {
    let (workload, data) = try k.data(seed: seed)
    do {
      let program = try ElementwiseLowering.lower(workload, hw: k.hardware)
      return NPUCompiledKernel(kernel: k, data: data, program: program, reference: workload.referenceOutput())
    } catch let e as NPULoweringError {
      throw NPUCodeGenError(kernel: k.name, statement: k.statement, part: "lowering", message: e.description)
    }
  }

  /// `schedule` with an `npu_gemm` mark above the outermost band that schedules `statement`.
  package static func mark(_ schedule: Schedule, statement: String) throws -> Schedule {
    guard let band = try ScheduleTiling.path(to: statement, in: schedule).first(where: { try $0.kind() == .band }) else { return schedule }
    return try band.insertMark(markName).schedule()
  }

  /// Lowers the kernel on deterministic data; falls back to single
  /// buffering (with a note) when no tile fits twice in the scratchpads.
  /// With `scop`, the tile's DMA is checked against the isl footprint of the input access.
  package static func lower(_ k: NPUKernel, seed: UInt64, scop: Scop? = nil) throws -> NPUCompiledKernel {
    var k = k
    let data = try k.data(seed: seed)
    func build(_ k: inout NPUKernel) throws -> NPUCompiledKernel {
      var program = try NPULowering.lower(.conv2d(data.workload), hw: k.hardware, options: k.plan.lowering)
      program.usefulMACs = k.usefulMACs
      if let scop, !k.gemm.isDepthwise { k.plan.notes.append(try k.checkFootprint(program, scop: scop)) }
      return NPUCompiledKernel(kernel: k, data: data.kernel, program: program, reference: NPUWorkload.conv2d(data.workload).referenceOutput())
    }
    do {
      do {
        return try build(&k)
      } catch NPULoweringError.tilesDoNotFit(let why) where k.plan.lowering.doubleBuffer {
        k.plan.notes.append("npu: no tile fits twice in the scratchpads (\(why)): single buffering")
        k.plan.lowering.doubleBuffer = false
        return try build(&k)
      }
    } catch let e as NPULoweringError {
      throw NPUCodeGenError(kernel: k.name, statement: k.gemm.statement, part: "lowering", message: e.description)
    }
  }
}
