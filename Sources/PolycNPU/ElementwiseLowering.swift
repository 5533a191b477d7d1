// Elementwise and pooling kernels on the ALU (no GEMM): a residual add with requantization, a
// max pool, a bias-free rescale. Every output pixel's channel vector is an expression over
// *taps* (channel vectors of input tensors at affinely shifted pixels) and per-channel constant
// rows:
//
//   out[n][y][x][c] = E(tap_0, ..., tap_k, const_0, ...)      tap_i = In_a[n][sy*y+dy][sx*x+dx][c]
//
// The channels are the accumulator lanes (BLOCK_OUT per row, CB = ceil(C / BLOCK_OUT) rows per
// pixel). Inputs live in DRAM as int32 rows ([N][H][W][CB][BO], the host widens int8 values),
// constants as [K][CB][BO] int32. A tile is a run of T output pixels of one output row; per tile
// the COMPUTE module loads every tap with one strided LOAD ACC (T rows of CB entries, stride
// sx*CB), evaluates E with ALU instructions over whole tile regions (a vector operand, a
// constant row broadcast over the pixels, or an immediate), and STORE writes the int8 rows.
// Two accumulator slots alternate so that the STORE of tile t overlaps tile t+1's work.

import Foundation

/// An ALU expression over taps and constants; the left operand of every operation is tensor-valued.
package indirect enum AluExpr: Sendable, Equatable, CustomStringConvertible {
  case tap(Int)
  /// A per-channel constant row (`ElementwiseWorkload.constants`).
  case constant(Int)
  /// A 16-bit signed immediate.
  case immediate(Int)
  case op(AluOpcode, AluExpr, AluExpr)

  package var isTensor: Bool {
    switch self {
    case .tap: return true
    case .constant, .immediate: return false
    case .op(_, let a, _): return a.isTensor
    }
  }

  package var description: String {
    switch self {
    case .tap(let i): return "tap\(i)"
    case .constant(let i): return "const\(i)"
    case .immediate(let v): return "\(v)"
    case .op(let op, let a, let b): return "\(op.mnemonic)(\(a), \(b))"
    }
  }
}

/// One tap: input tensor `input` at pixel (n, sy*y + dy, sx*x + dx).
package struct ElementwiseTap: Sendable, Equatable {
  package var input: Int
  package var strideY: Int
  package var strideX: Int
  package var offsetY: Int
  package var offsetX: Int
  package init(input: Int, strideY: Int = 1, strideX: Int = 1, offsetY: Int = 0, offsetX: Int = 0) {
    self.input = input
    self.strideY = strideY
    self.strideX = strideX
    self.offsetY = offsetY
    self.offsetX = offsetX
  }
}

/// An input tensor, NHWC, int32 values.
package struct ElementwiseInput: Sendable, Equatable {
  package var height: Int
  package var width: Int
  package var values: [Int32]
  package init(height: Int, width: Int, values: [Int32]) {
    self.height = height
    self.width = width
    self.values = values
  }
}

/// An ALU-only kernel: output [batch][outHeight][outWidth][channels] int8.
package struct ElementwiseWorkload: Sendable, Equatable {
  package var batch: Int
  package var outHeight: Int
  package var outWidth: Int
  package var channels: Int
  package var inputs: [ElementwiseInput]
  package var taps: [ElementwiseTap]
  /// Per-channel constant rows, `channels` values each.
  package var constants: [[Int32]]
  package var expression: AluExpr

  package init(batch: Int, outHeight: Int, outWidth: Int, channels: Int, inputs: [ElementwiseInput], taps: [ElementwiseTap],
              constants: [[Int32]], expression: AluExpr) {
    self.batch = batch
    self.outHeight = outHeight
    self.outWidth = outWidth
    self.channels = channels
    self.inputs = inputs
    self.taps = taps
    self.constants = constants
    self.expression = expression
  }

  package var outputCount: Int { batch * outHeight * outWidth * channels }

  func validate() throws {
    for (name, v) in [("batch", batch), ("outHeight", outHeight), ("outWidth", outWidth), ("channels", channels)] where v < 1 {
      throw NPULoweringError.invalidWorkload(WorkloadError(field: name, message: "must be >= 1 (got \(v))"))
    }
    for (i, t) in taps.enumerated() {
      guard t.input >= 0 && t.input < inputs.count else {
        throw NPULoweringError.invalidWorkload(WorkloadError(field: "taps[\(i)].input", message: "no input \(t.input)"))
      }
      let inp = inputs[t.input]
      let lastY = (outHeight - 1) * t.strideY + t.offsetY, lastX = (outWidth - 1) * t.strideX + t.offsetX
      guard t.strideY >= 1, t.strideX >= 1, t.offsetY >= 0, t.offsetX >= 0, lastY < inp.height, lastX < inp.width else {
        throw NPULoweringError.invalidWorkload(WorkloadError(field: "taps[\(i)]", message: "reads outside input \(t.input)"))
      }
    }
    for (i, inp) in inputs.enumerated() where inp.values.count != batch * inp.height * inp.width * channels {
      throw NPULoweringError.invalidWorkload(WorkloadError(field: "inputs[\(i)]", message: "has \(inp.values.count) values"))
    }
    for (i, c) in constants.enumerated() where c.count != channels {
      throw NPULoweringError.invalidWorkload(WorkloadError(field: "constants[\(i)]", message: "has \(c.count) values, expected \(channels)"))
    }
  }

  /// The output computed in Swift with the ALU's semantics (`AluOpcode.apply`), truncated to int8 as STORE does.
  package func referenceOutput() -> [Int8] {
    var out = [Int8](repeating: 0, count: outputCount)
    func eval(_ e: AluExpr, _ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Int32 {
      switch e {
      case .tap(let i):
        let t = taps[i], inp = inputs[t.input]
        return inp.values[((n * inp.height + t.strideY * y + t.offsetY) * inp.width + t.strideX * x + t.offsetX) * channels + c]
      case .constant(let k): return constants[k][c]
      case .immediate(let v): return Int32(v)
      case .op(let op, let a, let b): return op.apply(eval(a, n, y, x, c), eval(b, n, y, x, c))
      }
    }
    for n in 0..<batch {
      for y in 0..<outHeight {
        for x in 0..<outWidth {
          for c in 0..<channels {
            out[((n * outHeight + y) * outWidth + x) * channels + c] = Int8(truncatingIfNeeded: eval(expression, n, y, x, c))
          }
        }
      }
    }
    return out
  }
}

package enum ElementwiseLowering {
  /// Lowers an ALU-only kernel; `pixelsPerTile` nil: the largest tile that fits twice.
  package static func lower(_ w: ElementwiseWorkload, hw: HardwareConfig, pixelsPerTile: Int? = nil) throws -> NPUProgram {
    do { try hw.validate() } catch let e as HardwareConfigError { throw NPULoweringError.unsupported(e.description) }
    try w.validate()
    var b = Builder(w: w, hw: hw)
    try b.plan(pixelsPerTile: pixelsPerTile)
    try b.build()
    return try b.program()
  }

  struct Builder {
    let w: ElementwiseWorkload
    let hw: HardwareConfig
    let bo: Int
    let cb: Int
    var tile = 1
    var regions = 0
    var slotRows = 0
    var constRows: Int { w.constants.count * cb }
    var instrs: [Instruction] = []
    var uops: [MicroOp] = []
    var uopIndex: [MicroOp: Int] = [:]
    // DRAM byte offsets.
    var inputBase: [Int] = []
    var constBase = 0
    var outputBase = 0
    var uopBase = 0
    var dramBytes = 0

    init(w: ElementwiseWorkload, hw: HardwareConfig) {
      self.w = w
      self.hw = hw
      bo = hw.blockOut
      cb = (w.channels + hw.blockOut - 1) / hw.blockOut
    }

    /// Registers: one region per tap plus the temporaries the expression needs.
    static func registers(_ e: AluExpr, taps: Int) -> Int { taps + depth(e) }

    static func depth(_ e: AluExpr) -> Int {
      switch e {
      case .tap, .constant, .immediate: return 0
      case .op(_, let a, let b): return max(depth(a), 1 + depth(b), 1)
      }
    }

    mutating func plan(pixelsPerTile: Int?) throws {
      regions = Self.registers(w.expression, taps: w.taps.count)
      let depth = hw.depth(.accumulator)
      let maxTile = max(0, (depth - constRows) / (2 * regions * cb))
      let limit = min(w.outWidth, ISAFields.ySize.maxValue, ISAFields.iterOut.maxValue)
      tile = min(pixelsPerTile ?? maxTile, limit)
      guard tile >= 1, constRows + 2 * regions * cb * tile <= depth else {
        throw NPULoweringError.tilesDoNotFit("\(regions) registers of \(cb) rows per pixel and \(constRows) constant rows exceed the \(depth)-row accumulator")
      }
      guard cb * tile <= ISAFields.xSize.maxValue, w.taps.allSatisfy({ $0.strideX * cb <= ISAFields.xStride.maxValue }) else {
        throw NPULoweringError.unsupported("a tile row exceeds the LOAD/STORE fields")
      }
      slotRows = regions * cb * tile
      let accBytes = hw.elementBytes(.accumulator)
      var offset = 0
      for inp in w.inputs {
        inputBase.append(offset)
        offset += w.batch * inp.height * inp.width * cb * accBytes
      }
      constBase = offset
      offset += constRows * accBytes
      outputBase = offset
      offset += w.batch * w.outHeight * w.outWidth * cb * bo
      offset = (offset + 63) / 64 * 64
      uopBase = offset
      dramBytes = offset
    }

    func region(_ slot: Int, _ r: Int) -> Int { constRows + slot * slotRows + r * cb * tile }

    mutating func uop(_ dst: Int, _ src: Int) -> Int {
      let u = MicroOp(dst: dst, src: src)
      if let i = uopIndex[u] { return i }
      uops.append(u)
      uopIndex[u] = uops.count - 1
      return uops.count - 1
    }

    /// `dst op= src` over `pixels` pixels of cb rows each.
    mutating func alu(_ op: AluOpcode, dst: Int, operand: AluExpr, src: Int?, pixels: Int) {
      switch operand {
      case .immediate(let v):
        let u = uop(dst, 0)
        instrs.append(Instruction(.alu(AluInstruction(op: op, uopBegin: u, uopEnd: u + 1, iterOut: pixels * cb, iterIn: 1,
                                                      dstFactorOut: 1, immediate: v))))
      case .constant(let k):
        let u = uop(dst, k * cb)
        instrs.append(Instruction(.alu(AluInstruction(op: op, uopBegin: u, uopEnd: u + 1, iterOut: pixels, iterIn: cb,
                                                      dstFactorOut: cb, dstFactorIn: 1, srcFactorOut: 0, srcFactorIn: 1))))
      default:
        let u = uop(dst, src!)
        instrs.append(Instruction(.alu(AluInstruction(op: op, uopBegin: u, uopEnd: u + 1, iterOut: pixels * cb, iterIn: 1,
                                                      dstFactorOut: 1, srcFactorOut: 1))))
      }
    }

    /// Evaluates `e` into a writable register (>= taps.count) of `slot`; returns it.
    mutating func eval(_ e: AluExpr, slot: Int, pixels: Int, next: inout Int) throws -> Int {
      guard case .op(let op, let a, let b) = e else {
        let r = next
        next += 1
        switch e {
        case .tap(let i): alu(.mov, dst: region(slot, r), operand: .tap(i), src: region(slot, i), pixels: pixels)
        default: alu(.mov, dst: region(slot, r), operand: e, src: nil, pixels: pixels)
        }
        return r
      }
      let left = try eval(a, slot: slot, pixels: pixels, next: &next)
      switch b {
      case .tap(let i): alu(op, dst: region(slot, left), operand: b, src: region(slot, i), pixels: pixels)
      case .constant, .immediate: alu(op, dst: region(slot, left), operand: b, src: nil, pixels: pixels)
      case .op:
        let right = try eval(b, slot: slot, pixels: pixels, next: &next)
        alu(op, dst: region(slot, left), operand: .tap(0), src: region(slot, right), pixels: pixels)
        next -= 1
      }
      return left
    }

    mutating func build() throws {
      let accBytes = hw.elementBytes(.accumulator)
      instrs.append(Instruction(.load(MemoryInstruction(memoryType: .uop, sramBase: 0, dramBase: uopBase / MicroOp.byteCount,
                                                        ySize: 1, xSize: 0, xStride: 0))))
      if constRows > 0 {
        instrs.append(Instruction(.load(MemoryInstruction(memoryType: .accumulator, sramBase: 0, dramBase: constBase / accBytes,
                                                          ySize: 1, xSize: constRows, xStride: 0))))
      }
      var tileIndex = 0
      var storeNeeded: [Int] = []
      var computeStarts: [Int] = []
      var computeEnds: [Int] = []
      var storeStarts: [Int] = []
      for n in 0..<w.batch {
        for y in 0..<w.outHeight {
          for x0 in stride(from: 0, to: w.outWidth, by: tile) {
            let pixels = min(tile, w.outWidth - x0)
            let slot = tileIndex % 2
            computeStarts.append(instrs.count)
            for (i, t) in w.taps.enumerated() {
              let inp = w.inputs[t.input]
              let pixel = (n * inp.height + t.strideY * y + t.offsetY) * inp.width + t.strideX * x0 + t.offsetX
              instrs.append(Instruction(.load(MemoryInstruction(
                memoryType: .accumulator, sramBase: region(slot, i), dramBase: inputBase[t.input] / accBytes + pixel * cb,
                ySize: pixels, xSize: cb, xStride: pixels > 1 ? t.strideX * cb : 0))))
            }
            var next = w.taps.count
            let result = try eval(w.expression, slot: slot, pixels: pixels, next: &next)
            computeEnds.append(instrs.count - 1)
            storeStarts.append(instrs.count)
            let out = ((n * w.outHeight + y) * w.outWidth + x0) * cb
            instrs.append(Instruction(.store(MemoryInstruction(
              memoryType: .accumulator, sramBase: region(slot, result), dramBase: outputBase / hw.outputElementBytes + out,
              ySize: 1, xSize: pixels * cb, xStride: 0))))
            storeNeeded.append(tileIndex - 2)
            tileIndex += 1
          }
        }
      }
      let finish = instrs.count
      instrs.append(Instruction(.finish))
      for t in 0..<tileIndex {
        instrs[computeEnds[t]].deps.insert(.pushNext)
        instrs[storeStarts[t]].deps.insert(.popPrev)
        if storeNeeded[t] >= 0 {
          instrs[computeStarts[t]].deps.insert(.popNext)
          instrs[storeStarts[storeNeeded[t]]].deps.insert(.pushPrev)
        }
      }
      if tileIndex > 0 {
        instrs[finish].deps.insert(.popNext)
        instrs[storeStarts[tileIndex - 1]].deps.insert(.pushPrev)
      }
      if uops.count > hw.depth(.uop) {
        throw NPULoweringError.tilesDoNotFit("\(uops.count) micro-ops exceed the \(hw.depth(.uop))-entry micro-op scratchpad")
      }
      guard case .load(var m) = instrs[0].operation else { return }
      m.xSize = uops.count
      instrs[0].operation = .load(m)
    }

    func program() throws -> NPUProgram {
      let accBytes = hw.elementBytes(.accumulator)
      var dram = [UInt8](repeating: 0, count: dramBytes + uops.count * MicroOp.byteCount)
      func put(_ v: Int32, _ at: Int) {
        let u = UInt32(bitPattern: v)
        for k in 0..<4 { dram[at + k] = UInt8((u >> UInt32(8 * k)) & 0xFF) }
      }
      for (i, inp) in w.inputs.enumerated() {
        for px in 0..<(w.batch * inp.height * inp.width) {
          for c in 0..<w.channels {
            put(inp.values[px * w.channels + c], inputBase[i] + (px * cb + c / bo) * accBytes + (c % bo) * 4)
          }
        }
      }
      for (k, row) in w.constants.enumerated() {
        for c in 0..<w.channels { put(row[c], constBase + ((k * cb) + c / bo) * accBytes + (c % bo) * 4) }
      }
      do {
        let bytes = try NPUBinary.encodeMicroOps(uops)
        dram.replaceSubrange(uopBase..<(uopBase + bytes.count), with: bytes)
        _ = try NPUBinary.encode(instrs)
      } catch let e as ISAError {
        throw NPULoweringError.encoding(e)
      }
      let shape = ConvShape(batch: w.batch, height: w.outHeight, width: w.outWidth, inChannels: w.channels, outChannels: w.channels,
                            kernelHeight: 1, kernelWidth: 1)
      var regionsList = w.inputs.enumerated().map { i, inp in
        DRAMRegion(name: "input\(i)", byteOffset: inputBase[i], byteCount: w.batch * inp.height * inp.width * cb * accBytes,
                   elementBytes: accBytes, layout: "[N=\(w.batch)][H=\(inp.height)][W=\(inp.width)][C/\(bo)=\(cb)][\(bo)] int32")
      }
      regionsList.append(DRAMRegion(name: "constants", byteOffset: constBase, byteCount: constRows * accBytes, elementBytes: accBytes,
                                    layout: "[\(w.constants.count)][C/\(bo)=\(cb)][\(bo)] int32"))
      regionsList.append(DRAMRegion(name: "output", byteOffset: outputBase, byteCount: w.batch * w.outHeight * w.outWidth * cb * bo,
                                    elementBytes: bo, layout: "[N=\(w.batch)][OH=\(w.outHeight)][OW=\(w.outWidth)][C/\(bo)=\(cb)][\(bo)] int8"))
      regionsList.append(DRAMRegion(name: "microOps", byteOffset: uopBase, byteCount: uops.count * MicroOp.byteCount,
                                    elementBytes: MicroOp.byteCount, layout: "[\(uops.count)] uop64"))
      let compulsory = w.inputs.reduce(0) { $0 + w.batch * $1.height * $1.width * w.channels }
        + w.constants.count * w.channels * 4 + w.outputCount
      var p = NPUProgram(hardware: hw, instructions: instrs, microOps: uops, dram: dram, regions: regionsList,
                         tiles: TileShape(rows: 1, cols: tile, outBlocks: cb, inBlocks: 0), doubleBuffer: true, shape: shape,
                         usefulMACs: 0)
      p.compulsoryBytesOverride = compulsory
      return p
    }
  }
}
