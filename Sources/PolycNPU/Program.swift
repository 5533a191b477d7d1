// A lowered NPU program: instructions, micro-ops and the initial DRAM image, plus where each
// tensor lives in DRAM.
//
// DRAM layouts (BI = BLOCK_IN, BO = BLOCK_OUT, CB = ceil(C/BI), NB = ceil(OC/BO); channel
// padding is zero):
//   input    [N][CB][H][W][BI] int8       channel-blocked NHWC ("NCHW16c"), so that one 2-D LOAD
//                                         fetches an (H x W) window of one channel block. GEMM:
//                                         A as a 1 x M image, i.e. [K/BI][M][BI].
//   weights  [NB][KH][KW][CB][BO][BI] int8 one BO x BI block per (nb, kh, kw, cb), output-major.
//   requant  [NB][4][BO] int32            per channel block: bias' = bias - zp_in * sum(W),
//                                         multiplier, right shift, left shift.
//   output   [N][OH][OW][NB][BO] int8      NHWC with OC padded to NB*BO (GEMM: C[M][Npad]).
//   microOps [count] 64-bit micro-ops.

import Foundation

/// A lowered NPU program: instructions, micro-ops, the initial DRAM image and its layout.
public struct NPUProgram: Sendable {
  /// The hardware it was lowered for.
  public var hardware: HardwareConfig
  package var instructions: [Instruction]
  package var microOps: [MicroOp]
  /// The initial DRAM image (inputs, weights, parameters, micro-ops; the output region zeroed).
  public var dram: [UInt8]
  package var regions: [DRAMRegion]
  package var tiles: TileShape
  /// Two slots per scratchpad, so that loads, compute and stores of consecutive tiles overlap.
  public var doubleBuffer: Bool
  /// The convolution the program computes (GEMM and FC as 1x1 convolutions).
  package var shape: ConvShape
  /// Multiply-accumulates the computation needs (without padding; 0 for ALU-only kernels).
  public var usefulMACs: Int

  package func region(_ name: String) -> DRAMRegion? { regions.first { $0.name == name } }

  /// Bytes a perfect program moves: the input, the weights, the per-channel
  /// parameters (folded bias, multiplier, shifts: 4 int32 each) and the output, once each.
  public var compulsoryBytes: Int {
    compulsoryBytesOverride
      ?? shape.inputCount + shape.weightCount + 4 * BufferPlan.paramsPerBlock * shape.channelParameterCount + shape.outputCount
  }
  /// Set by lowerings whose tensors are not a convolution's (ALU-only kernels).
  public var compulsoryBytesOverride: Int?

  /// The output tensor in its logical layout (NHWC; C[M][N] for GEMM and FC) read from a DRAM image.
  public func output(from dram: [UInt8]) -> [Int8] {
    let p = BlockedConv(shape, hw: hardware)
    let base = region("output")!.byteOffset
    var out = [Int8](repeating: 0, count: shape.outputCount)
    let pixels = shape.batch * p.oh * p.ow
    for px in 0..<pixels {
      for oc in 0..<shape.outChannels {
        out[px * shape.outChannels + oc] = Int8(bitPattern: dram[base + px * p.nb * p.bo + oc])
      }
    }
    return out
  }

  /// The binary instruction stream.
  public func binary() throws -> [UInt8] { try NPUBinary.encode(instructions) }

  /// Canonical assembly, preceded by comment lines describing the tiling and DRAM layout (the
  /// text reassembles to the same instructions).
  public func assembly() -> String {
    var s = "; polyc NPU program for \(hardware.name) (\(hardware.blockOut)x\(hardware.blockIn))\n"
    s += "; conv: N=\(shape.batch) H=\(shape.height) W=\(shape.width) C=\(shape.inChannels) -> OC=\(shape.outChannels), "
    s += "kernel \(shape.kernelHeight)x\(shape.kernelWidth), stride \(shape.strideH)x\(shape.strideW), "
    s += "pad \(shape.padTop),\(shape.padBottom),\(shape.padLeft),\(shape.padRight)"
    s += shape.dilationH == 1 && shape.dilationW == 1 ? "\n" : ", dilation \(shape.dilationH)x\(shape.dilationW)\n"
    s += "; tiles: \(tiles), double buffering \(doubleBuffer ? "on" : "off")\n"
    for r in regions {
      s += "; dram \(r.name): bytes \(r.byteOffset)..<\(r.byteOffset + r.byteCount), element \(r.elementBytes) B, \(r.layout)\n"
    }
    s += "; \(instructions.count) instructions, \(microOps.count) micro-ops\n"
    return s + NPUAssembler.disassemble(instructions)
  }

  /// Runs the program on a fresh machine; returns the report and the output tensor.
  public func simulate(operationBudget: Int = 400_000_000) throws -> (report: NPUReport, output: [Int8]) {
    let machine = NPUMachine(hw: hardware, dram: dram, operationBudget: operationBudget)
    let report = try machine.run(instructions, usefulMACs: usefulMACs, compulsoryBytes: compulsoryBytes)
    return (report, output(from: machine.dram))
  }
}

package enum NPULowering {
  /// Lowers any workload (GEMM and FC become 1x1 convolutions).
  package static func lower(_ workload: NPUWorkload, hw: HardwareConfig, options: LoweringOptions = LoweringOptions()) throws -> NPUProgram {
    do { try workload.validate() } catch let e as WorkloadError { throw NPULoweringError.invalidWorkload(e) }
    var program = try lower(workload.asConv2D(), hw: hw, options: options)
    program.usefulMACs = workload.usefulMACs
    return program
  }

  package static func lower(_ gemm: GemmWorkload, hw: HardwareConfig, options: LoweringOptions = LoweringOptions()) throws -> NPUProgram {
    try lower(.gemm(gemm), hw: hw, options: options)
  }

  /// Lowers a quantized convolution.
  package static func lower(_ conv: Conv2DWorkload, hw: HardwareConfig, options: LoweringOptions = LoweringOptions()) throws -> NPUProgram {
    do { try hw.validate() } catch let e as HardwareConfigError { throw NPULoweringError.unsupported(e.description) }
    do { try conv.validate() } catch let e as WorkloadError { throw NPULoweringError.invalidWorkload(e) }
    let s = conv.shape
    let padMax = ISAFields.yPad0.maxValue
    if [s.padTop, s.padBottom, s.padLeft, s.padRight].contains(where: { $0 > padMax }) {
      throw NPULoweringError.unsupported("padding above \(padMax) (the LOAD pad fields are 4 bits)")
    }
    let p = BlockedConv(s, hw: hw)
    let epilogue = epilogueSteps(conv)
    let schedule = try schedule(p, hw: hw, options: options, epilogue: epilogue, inputZeroPoint: Int(conv.inputZeroPoint))
    let layout = DRAMLayout(p)
    var dram = [UInt8](repeating: 0, count: layout.microOps + schedule.microOps.count * MicroOp.byteCount)
    packInput(conv, p, into: &dram, at: layout.input)
    packWeights(conv, p, into: &dram, at: layout.weights)
    packRequant(conv, p, into: &dram, at: layout.requant)
    do {
      let bytes = try NPUBinary.encodeMicroOps(schedule.microOps)
      dram.replaceSubrange(layout.microOps..<(layout.microOps + bytes.count), with: bytes)
      _ = try NPUBinary.encode(schedule.schedule.instructions)
    } catch let e as ISAError {
      throw NPULoweringError.encoding(e)
    }
    let bi = p.bi, bo = p.bo
    let regions = [
      DRAMRegion(name: "input", byteOffset: layout.input, byteCount: s.batch * p.cb * s.height * s.width * bi, elementBytes: bi,
                 layout: "[N=\(s.batch)][C/\(bi)=\(p.cb)][H=\(s.height)][W=\(s.width)][\(bi)] int8"),
      DRAMRegion(name: "weights", byteOffset: layout.weights, byteCount: s.weightSets * p.nb * p.taps * p.cb * bo * bi, elementBytes: bo * bi,
                 layout: "[sets=\(s.weightSets)][OC/\(bo)=\(p.nb)][KH=\(p.kh)][KW=\(p.kw)][C/\(bi)=\(p.cb)][\(bo)][\(bi)] int8"),
      DRAMRegion(name: "requant", byteOffset: layout.requant, byteCount: s.weightSets * p.nb * BufferPlan.paramsPerBlock * bo * 4, elementBytes: 4 * bo,
                 layout: "[sets=\(s.weightSets)][OC/\(bo)=\(p.nb)][bias',mult,rshift,lshift][\(bo)] int32"),
      DRAMRegion(name: "output", byteOffset: layout.output, byteCount: s.batch * p.oh * p.ow * p.nb * bo, elementBytes: bo,
                 layout: "[N=\(s.batch)][OH=\(p.oh)][OW=\(p.ow)][OC/\(bo)=\(p.nb)][\(bo)] int8"),
      DRAMRegion(name: "microOps", byteOffset: layout.microOps, byteCount: schedule.microOps.count * MicroOp.byteCount,
                 elementBytes: MicroOp.byteCount, layout: "[\(schedule.microOps.count)] uop64"),
    ]
    return NPUProgram(hardware: hw, instructions: schedule.schedule.instructions, microOps: schedule.microOps, dram: dram,
                      regions: regions, tiles: schedule.tile, doubleBuffer: options.doubleBuffer, shape: s, usefulMACs: conv.usefulMACs)
  }

  /// The ranked tile candidates for a convolution shape (best first).
  package static func rankTiles(shape: ConvShape, hw: HardwareConfig, doubleBuffer: Bool) -> [TileEstimate] {
    TileChooser.rank(shape: shape, hw: hw, doubleBuffer: doubleBuffer)
  }

  // MARK: Schedule selection

  private struct Chosen {
    var schedule: Schedule
    var tile: TileShape
    var microOps: [MicroOp] { schedule.microOps }
  }

  private static func schedule(_ p: BlockedConv, hw: HardwareConfig, options: LoweringOptions, epilogue: [EpilogueStep],
                               inputZeroPoint: Int) throws -> Chosen {
    func build(_ t: TileShape) throws -> Chosen {
      var b = ScheduleBuilder(p: p, hw: hw, tile: t, doubleBuffer: options.doubleBuffer, epilogue: epilogue, inputZeroPoint: inputZeroPoint)
      return Chosen(schedule: try b.build(), tile: t)
    }
    switch options.tiles {
    case .fixed(let t):
      if let why = TileChooser.illegality(t, p, hw: hw, doubleBuffer: options.doubleBuffer) {
        throw NPULoweringError.tilesDoNotFit("tile \(t): \(why)")
      }
      return try build(t)
    case .minimal:
      let t = TileChooser.minimal(p)
      if let why = TileChooser.illegality(t, p, hw: hw, doubleBuffer: options.doubleBuffer) {
        throw NPULoweringError.tilesDoNotFit("minimal tile \(t): \(why)")
      }
      return try build(t)
    case .auto:
      let ranked = TileChooser.rank(p, hw: hw, doubleBuffer: options.doubleBuffer, orders: options.order.map { [$0] } ?? LoopOrder.allCases)
      var lastError: Error = NPULoweringError.tilesDoNotFit(
        "even the smallest tile does not fit: \(TileChooser.illegality(TileChooser.minimal(p), p, hw: hw, doubleBuffer: options.doubleBuffer) ?? "micro-op tables too large")")
      for candidate in ranked.prefix(64) {
        do {
          return try build(candidate.tile)
        } catch let e as NPULoweringError {
          guard case .tilesDoNotFit = e else { throw e }
          lastError = e
        }
      }
      throw lastError
    }
  }

  // MARK: Epilogue

  static func epilogueSteps(_ conv: Conv2DWorkload) -> [EpilogueStep] {
    let r = conv.requant
    let range = r.clampRange(relu: conv.relu)
    var steps: [EpilogueStep] = []
    if r.shifts.contains(where: { $0 > 0 }) { steps.append(.vector(.shl, param: 3)) }
    steps.append(.vector(.mulh, param: 1))
    if r.shifts.contains(where: { $0 < 0 }) { steps.append(.vector(.shr, param: 2)) }
    if r.outputZeroPoint != 0 { steps.append(.immediate(.add, Int(r.outputZeroPoint))) }
    steps.append(.immediate(.max, Int(range.lo)))
    steps.append(.immediate(.min, Int(range.hi)))
    return steps
  }

  // MARK: DRAM packing

  static func packInput(_ conv: Conv2DWorkload, _ p: BlockedConv, into dram: inout [UInt8], at base: Int) {
    let s = conv.shape
    for n in 0..<s.batch {
      for h in 0..<s.height {
        for w in 0..<s.width {
          let src = ((n * s.height + h) * s.width + w) * s.inChannels
          for c in 0..<s.inChannels {
            let cb = c / p.bi, i = c % p.bi
            dram[base + (((n * p.cb + cb) * s.height + h) * s.width + w) * p.bi + i] = UInt8(bitPattern: conv.input[src + c])
          }
        }
      }
    }
  }

  static func packWeights(_ conv: Conv2DWorkload, _ p: BlockedConv, into dram: inout [UInt8], at base: Int) {
    let s = conv.shape
    for ch in 0..<s.channelParameterCount {
      let set = ch / s.outChannels, oc = ch % s.outChannels
      let nb = set * p.nb + oc / p.bo, o = oc % p.bo
      for kh in 0..<p.kh {
        for kw in 0..<p.kw {
          for c in 0..<s.inChannels {
            let cb = c / p.bi, i = c % p.bi
            let block = ((nb * p.kh + kh) * p.kw + kw) * p.cb + cb
            dram[base + (block * p.bo + o) * p.bi + i] =
              UInt8(bitPattern: conv.weights[((ch * p.kh + kh) * p.kw + kw) * s.inChannels + c])
          }
        }
      }
    }
  }

  /// bias'[oc] = bias[oc] - zp_in * sum(W[oc]) (int32, wrapping), then multiplier and shifts.
  static func foldedBias(_ conv: Conv2DWorkload) -> [Int32] {
    let s = conv.shape
    let per = s.kernelHeight * s.kernelWidth * s.inChannels
    return (0..<s.channelParameterCount).map { oc in
      var sum: Int32 = 0
      for i in 0..<per { sum &+= Int32(conv.weights[oc * per + i]) }
      return conv.bias[oc] &- conv.inputZeroPoint &* sum
    }
  }

  static func packRequant(_ conv: Conv2DWorkload, _ p: BlockedConv, into dram: inout [UInt8], at base: Int) {
    let bias = foldedBias(conv)
    func put(_ v: Int32, _ at: Int) {
      let u = UInt32(bitPattern: v)
      for b in 0..<4 { dram[at + b] = UInt8((u >> UInt32(8 * b)) & 0xFF) }
    }
    for oc in 0..<conv.shape.channelParameterCount {
      let set = oc / conv.shape.outChannels, local = oc % conv.shape.outChannels
      let nb = set * p.nb + local / p.bo, o = local % p.bo
      let shift = conv.requant.shifts[oc]
      let values: [Int32] = [bias[oc], conv.requant.multipliers[oc], shift < 0 ? -shift : 0, shift > 0 ? shift : 0]
      for (k, v) in values.enumerated() {
        put(v, base + ((nb * BufferPlan.paramsPerBlock + k) * p.bo + o) * 4)
      }
    }
  }
}
