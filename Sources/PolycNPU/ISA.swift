// The NPU instruction set: the whole ISA in one file (in the spirit of TVM VTA's `hw_spec.h`).
//
// Every instruction is 128 bits wide, stored little-endian as 16 bytes (bit 0 is the least
// significant bit of byte 0). Field widths and bit offsets are given per field below and
// mirrored in docs/npu-isa.md. The machine is a decoupled access/execute accelerator with
// three modules that each consume their own in-order instruction queue:
//
//   LOAD    executes LOAD INP and LOAD WGT              (DMA DRAM -> input / weight scratchpad)
//   COMPUTE executes LOAD UOP, LOAD ACC, GEMM, ALU, FINISH
//   STORE   executes STORE                               (accumulator -> DRAM as int8)
//
// Modules synchronise through four FIFO token queues (VTA semantics). For a module, "prev" is
// the module before it in LOAD -> COMPUTE -> STORE and "next" the one after it:
//
//   pop_prev  : before executing, wait until the queue prev->self is non-empty and pop a token
//   pop_next  : before executing, wait until the queue next->self is non-empty and pop a token
//   push_prev : after executing, push a token into the queue self->prev
//   push_next : after executing, push a token into the queue self->next
//
// LOAD has no prev and STORE has no next: pop_prev/push_prev on LOAD INP/WGT and
// pop_next/push_next on STORE are invalid encodings.
//
// Scratchpads (sizes from the hardware description, indices count *entries*):
//
//   inp[d]  : BLOCK_IN int8                    (one input row)
//   wgt[d]  : BLOCK_OUT x BLOCK_IN int8        (wgt[d][o][i], one weight block, output-major)
//   acc[d]  : BLOCK_OUT int32                  (one accumulator row)
//   uop[d]  : one micro-op (64 bits: dst u16 | src u16 | wgt u16 | reserved u16)
//
// DRAM is a flat byte array. A DRAM address in an instruction counts elements of the
// instruction's memory type: BLOCK_IN bytes (INP), BLOCK_OUT*BLOCK_IN bytes (WGT),
// 4*BLOCK_OUT bytes (ACC, little-endian int32 lanes), 8 bytes (UOP) and BLOCK_OUT bytes for
// the int8 rows written by STORE.

import Foundation

// MARK: - Opcodes and small enums

/// Instruction opcode, bits [0, 3).
package enum Opcode: UInt8, CaseIterable, Sendable {
  case load = 0
  case store = 1
  case gemm = 2
  case finish = 3
  case alu = 4

  package var mnemonic: String {
    switch self {
    case .load: return "LOAD"
    case .store: return "STORE"
    case .gemm: return "GEMM"
    case .finish: return "FINISH"
    case .alu: return "ALU"
    }
  }
}

/// Scratchpad selected by a LOAD or STORE, bits [7, 9) of a memory instruction.
public enum MemoryType: UInt8, CaseIterable, Sendable, Codable {
  /// The micro-op buffer (`UOP`).
  case uop = 0
  /// The weight buffer (`WGT`).
  case weight = 1
  /// The input buffer (`INP`).
  case input = 2
  /// The accumulator buffer (`ACC`).
  case accumulator = 3

  /// The assembly name: `UOP`, `WGT`, `INP` or `ACC`.
  public var mnemonic: String {
    switch self {
    case .uop: return "UOP"
    case .weight: return "WGT"
    case .input: return "INP"
    case .accumulator: return "ACC"
    }
  }
}

/// ALU operation, bits [107, 110) of an ALU instruction. `x` is the destination lane
/// `acc[dst][o]`, `y` the operand (`acc[src][o]`, or the sign-extended immediate). All
/// arithmetic is on int32; see `AluOpcode.apply` for the exact formulas.
package enum AluOpcode: UInt8, CaseIterable, Sendable {
  /// x = x + y (wrapping int32 add). Bias (vector) and zero point (immediate).
  case add = 0
  /// x = max(x, y). ReLU / lower clamp.
  case max = 1
  /// x = min(x, y). Upper clamp.
  case min = 2
  /// x = RoundingDivideByPOT(x, clamp(y, 0, 31)). Arithmetic right shift, round half away from zero.
  case shr = 3
  /// x = SaturatingRoundingDoublingHighMul(x, y). gemmlowp fixed-point multiply-high.
  case mulh = 4
  /// x = x << clamp(y, 0, 31) (wrapping, computed on uint32). TFLite's left shift for scales >= 1.
  case shl = 5
  /// x = y. Copy.
  case mov = 6

  package var mnemonic: String {
    switch self {
    case .add: return "ADD"
    case .max: return "MAX"
    case .min: return "MIN"
    case .shr: return "SHR"
    case .mulh: return "MULH"
    case .shl: return "SHL"
    case .mov: return "MOV"
    }
  }

  /// The lane semantics, exactly as in docs/npu-isa.md and expressible in C with int32/int64.
  @inline(__always)
  package func apply(_ x: Int32, _ y: Int32) -> Int32 {
    switch self {
    case .add: return x &+ y
    case .max: return Swift.max(x, y)
    case .min: return Swift.min(x, y)
    case .shr: return FixedPoint.roundingDivideByPOT(x, Swift.min(Swift.max(y, 0), 31))
    case .mulh: return FixedPoint.saturatingRoundingDoublingHighMul(x, y)
    case .shl: return FixedPoint.wrappingShiftLeft(x, Swift.min(Swift.max(y, 0), 31))
    case .mov: return y
    }
  }
}

/// The four dependency-token flags, bits 3..6 of every instruction.
package struct DependencyFlags: OptionSet, Hashable, Sendable {
  package let rawValue: UInt8
  package init(rawValue: UInt8) { self.rawValue = rawValue & 0xF }

  /// Bit 3: wait for and pop a token from the queue prev -> self.
  package static let popPrev = DependencyFlags(rawValue: 1 << 0)
  /// Bit 4: wait for and pop a token from the queue next -> self.
  package static let popNext = DependencyFlags(rawValue: 1 << 1)
  /// Bit 5: after completion, push a token into the queue self -> prev.
  package static let pushPrev = DependencyFlags(rawValue: 1 << 2)
  /// Bit 6: after completion, push a token into the queue self -> next.
  package static let pushNext = DependencyFlags(rawValue: 1 << 3)

  package static let none: DependencyFlags = []

  /// Canonical order of the flags in assembly text.
  package static let ordered: [(DependencyFlags, String)] = [
    (.popPrev, "pop_prev"), (.popNext, "pop_next"), (.pushPrev, "push_prev"), (.pushNext, "push_next"),
  ]
}

/// The module that executes an instruction.
public enum NPUModule: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
  /// The load module (LOAD into the input and weight buffers).
  case load = 0
  /// The compute module (GEMM, ALU, FINISH, and LOAD into the accumulator and micro-op buffers).
  case compute = 1
  /// The store module (STORE).
  case store = 2

  /// `load`, `compute` or `store`.
  public var description: String {
    switch self {
    case .load: return "load"
    case .compute: return "compute"
    case .store: return "store"
    }
  }
}

// MARK: - Instruction payloads

/// LOAD and STORE (a 2-D DMA with padding).
///
/// Bit layout (LOAD and STORE):
///
///     [0,3)    opcode          3   LOAD=0 / STORE=1
///     [3,7)    dependency flags 4  pop_prev, pop_next, push_prev, push_next
///     [7,9)    memoryType      2   UOP=0 WGT=1 INP=2 ACC=3 (STORE: must be ACC)
///     [9,25)   sramBase       16   first scratchpad entry
///     [25,57)  dramBase       32   first DRAM element (units of the memory type's element)
///     [57,72)  ySize          15   rows read from / written to DRAM
///     [72,88)  xSize          16   elements per row
///     [88,104) xStride        16   DRAM elements between the starts of consecutive rows
///     [104,108) yPad0          4   padding rows before (LOAD only)
///     [108,112) yPad1          4   padding rows after (LOAD only)
///     [112,116) xPad0          4   padding elements at the start of each row (LOAD only)
///     [116,120) xPad1          4   padding elements at the end of each row (LOAD only)
///     [120,128) padValue       8   int8 written into every byte/lane of a padding element (LOAD only)
///
/// LOAD semantics (the scratchpad tile is dense: rows of xPad0 + xSize + xPad1 entries):
///
///     W = xPad0 + xSize + xPad1; H = yPad0 + ySize + yPad1
///     for y in 0..<H, x in 0..<W:
///       e = sramBase + y * W + x
///       if y < yPad0 || y >= yPad0 + ySize || x < xPad0 || x >= xPad0 + xSize:
///         buf[e] = splat(padValue)                        // UOP loads may not pad
///       else:
///         buf[e] = dram[dramBase + (y - yPad0) * xStride + (x - xPad0)]
///
/// STORE semantics (acc rows are narrowed to int8 by keeping the low 8 bits; the requantization
/// epilogue has already clamped them):
///
///     for y in 0..<ySize, x in 0..<xSize, o in 0..<BLOCK_OUT:
///       out8[dramBase + y * xStride + x][o] = int8(acc[sramBase + y * xSize + x][o] & 0xFF)
package struct MemoryInstruction: Hashable, Sendable {
  package var memoryType: MemoryType
  package var sramBase: Int
  package var dramBase: Int
  package var ySize: Int
  package var xSize: Int
  package var xStride: Int
  package var yPad0: Int
  package var yPad1: Int
  package var xPad0: Int
  package var xPad1: Int
  package var padValue: Int

  package init(memoryType: MemoryType, sramBase: Int, dramBase: Int, ySize: Int, xSize: Int, xStride: Int,
              yPad0: Int = 0, yPad1: Int = 0, xPad0: Int = 0, xPad1: Int = 0, padValue: Int = 0) {
    self.memoryType = memoryType
    self.sramBase = sramBase
    self.dramBase = dramBase
    self.ySize = ySize
    self.xSize = xSize
    self.xStride = xStride
    self.yPad0 = yPad0
    self.yPad1 = yPad1
    self.xPad0 = xPad0
    self.xPad1 = xPad1
    self.padValue = padValue
  }

  /// Entries written into the scratchpad by a LOAD (real plus padding).
  package var sramEntries: Int { (yPad0 + ySize + yPad1) * (xPad0 + xSize + xPad1) }
  /// Elements read from or written to DRAM.
  package var dramElements: Int { ySize * xSize }
  package var hasPadding: Bool { yPad0 != 0 || yPad1 != 0 || xPad0 != 0 || xPad1 != 0 }
}

/// GEMM: loops over a range of micro-ops.
///
/// Bit layout:
///
///     [0,3)     opcode = 2     3
///     [3,7)     dependency flags
///     [7]       reset          1   1: zero the destination rows instead of accumulating
///     [8,21)    uopBegin      13   first micro-op
///     [21,35)   uopEnd        14   one past the last micro-op
///     [35,49)   iterOut       14   outer loop extent
///     [49,63)   iterIn        14   inner loop extent
///     [63,74)   dstFactorOut  11   acc index step per outer iteration
///     [74,85)   dstFactorIn   11   acc index step per inner iteration
///     [85,96)   srcFactorOut  11   inp index step per outer iteration
///     [96,107)  srcFactorIn   11   inp index step per inner iteration
///     [107,117) wgtFactorOut  10   wgt index step per outer iteration
///     [117,127) wgtFactorIn   10   wgt index step per inner iteration
///     [127]     reserved       1   must be 0
///
/// Semantics (one iteration of the innermost body is one GEMM-core cycle:
/// BLOCK_OUT x BLOCK_IN multiply-accumulates):
///
///     for i0 in 0..<iterOut, i1 in 0..<iterIn, u in uopBegin..<uopEnd:
///       d = uop[u].dst + i0 * dstFactorOut + i1 * dstFactorIn
///       s = uop[u].src + i0 * srcFactorOut + i1 * srcFactorIn
///       w = uop[u].wgt + i0 * wgtFactorOut + i1 * wgtFactorIn
///       for o in 0..<BLOCK_OUT:
///         if reset: acc[d][o] = 0
///         else:     acc[d][o] += sum(int32(inp[s][i]) * int32(wgt[w][o][i]) for i in 0..<BLOCK_IN)   // int32, wrapping
package struct GemmInstruction: Hashable, Sendable {
  package var reset: Bool
  package var uopBegin: Int
  package var uopEnd: Int
  package var iterOut: Int
  package var iterIn: Int
  package var dstFactorOut: Int
  package var dstFactorIn: Int
  package var srcFactorOut: Int
  package var srcFactorIn: Int
  package var wgtFactorOut: Int
  package var wgtFactorIn: Int

  package init(reset: Bool = false, uopBegin: Int, uopEnd: Int, iterOut: Int, iterIn: Int,
              dstFactorOut: Int = 0, dstFactorIn: Int = 0, srcFactorOut: Int = 0, srcFactorIn: Int = 0,
              wgtFactorOut: Int = 0, wgtFactorIn: Int = 0) {
    self.reset = reset
    self.uopBegin = uopBegin
    self.uopEnd = uopEnd
    self.iterOut = iterOut
    self.iterIn = iterIn
    self.dstFactorOut = dstFactorOut
    self.dstFactorIn = dstFactorIn
    self.srcFactorOut = srcFactorOut
    self.srcFactorIn = srcFactorIn
    self.wgtFactorOut = wgtFactorOut
    self.wgtFactorIn = wgtFactorIn
  }

  /// Core operations (cycles of the GEMM core) this instruction performs.
  package var operations: Int { iterOut * iterIn * Swift.max(0, uopEnd - uopBegin) }
}

/// ALU: element-wise int32 operations on accumulator rows.
///
/// Bit layout:
///
///     [0,3)     opcode = 4     3
///     [3,7)     dependency flags
///     [7]       reserved       1   must be 0
///     [8,21)    uopBegin      13
///     [21,35)   uopEnd        14
///     [35,49)   iterOut       14
///     [49,63)   iterIn        14
///     [63,74)   dstFactorOut  11
///     [74,85)   dstFactorIn   11
///     [85,96)   srcFactorOut  11
///     [96,107)  srcFactorIn   11
///     [107,110) aluOp          3   ADD=0 MAX=1 MIN=2 SHR=3 MULH=4 SHL=5 MOV=6 (7 invalid)
///     [110]     useImm         1   1: operand is the immediate
///     [111,127) imm           16   signed immediate (must be 0 when useImm = 0)
///     [127]     reserved       1   must be 0
///
/// Semantics (the `wgt` field of the micro-op is ignored):
///
///     for i0 in 0..<iterOut, i1 in 0..<iterIn, u in uopBegin..<uopEnd:
///       d = uop[u].dst + i0 * dstFactorOut + i1 * dstFactorIn
///       s = uop[u].src + i0 * srcFactorOut + i1 * srcFactorIn
///       for o in 0..<BLOCK_OUT:
///         y = useImm ? int32(imm) : acc[s][o]
///         acc[d][o] = aluOp(acc[d][o], y)
package struct AluInstruction: Hashable, Sendable {
  package var op: AluOpcode
  package var uopBegin: Int
  package var uopEnd: Int
  package var iterOut: Int
  package var iterIn: Int
  package var dstFactorOut: Int
  package var dstFactorIn: Int
  package var srcFactorOut: Int
  package var srcFactorIn: Int
  /// The immediate operand, or nil to use the vector operand `acc[s]`.
  package var immediate: Int?

  package init(op: AluOpcode, uopBegin: Int, uopEnd: Int, iterOut: Int, iterIn: Int,
              dstFactorOut: Int = 0, dstFactorIn: Int = 0, srcFactorOut: Int = 0, srcFactorIn: Int = 0,
              immediate: Int? = nil) {
    self.op = op
    self.uopBegin = uopBegin
    self.uopEnd = uopEnd
    self.iterOut = iterOut
    self.iterIn = iterIn
    self.dstFactorOut = dstFactorOut
    self.dstFactorIn = dstFactorIn
    self.srcFactorOut = srcFactorOut
    self.srcFactorIn = srcFactorIn
    self.immediate = immediate
  }

  /// Accumulator rows processed.
  package var rows: Int { iterOut * iterIn * Swift.max(0, uopEnd - uopBegin) }
}

/// One micro-op in the micro-op scratchpad (64 bits, little-endian in DRAM):
///
///     [0,16)  dst   accumulator entry
///     [16,32) src   input entry (GEMM) or accumulator entry (ALU)
///     [32,48) wgt   weight entry (GEMM; ignored by ALU)
///     [48,64) reserved, must be 0
package struct MicroOp: Hashable, Sendable {
  package var dst: Int
  package var src: Int
  package var wgt: Int

  package init(dst: Int, src: Int = 0, wgt: Int = 0) {
    self.dst = dst
    self.src = src
    self.wgt = wgt
  }

  package static let byteCount = 8

  package func encoded() throws -> UInt64 {
    for (name, v) in [("dst", dst), ("src", src), ("wgt", wgt)] where v < 0 || v > 0xFFFF {
      throw ISAError.fieldOutOfRange(instruction: nil, field: "uop.\(name)", value: v, bits: 16)
    }
    return UInt64(dst) | (UInt64(src) << 16) | (UInt64(wgt) << 32)
  }

  package init(encoded word: UInt64) throws {
    guard word >> 48 == 0 else {
      throw ISAError.invalidField(instruction: nil, field: "uop.reserved", value: Int(word >> 48), reason: "reserved bits must be 0")
    }
    self.init(dst: Int(word & 0xFFFF), src: Int((word >> 16) & 0xFFFF), wgt: Int((word >> 32) & 0xFFFF))
  }
}

// MARK: - Instruction

/// One NPU instruction: its dependency flags and its operation.
package struct Instruction: Hashable, Sendable {
  package enum Operation: Hashable, Sendable {
    case load(MemoryInstruction)
    case store(MemoryInstruction)
    case gemm(GemmInstruction)
    case alu(AluInstruction)
    case finish
  }

  package var deps: DependencyFlags
  package var operation: Operation

  package init(_ operation: Operation, deps: DependencyFlags = []) {
    self.operation = operation
    self.deps = deps
  }

  package var opcode: Opcode {
    switch operation {
    case .load: return .load
    case .store: return .store
    case .gemm: return .gemm
    case .alu: return .alu
    case .finish: return .finish
    }
  }

  /// The module whose queue receives this instruction.
  package var module: NPUModule {
    switch operation {
    case .load(let m): return (m.memoryType == .input || m.memoryType == .weight) ? .load : .compute
    case .store: return .store
    case .gemm, .alu, .finish: return .compute
    }
  }

  /// Instruction width in bytes.
  package static let byteCount = 16
}

// MARK: - Errors

/// Errors of the binary encoding and of instruction validation.
public enum ISAError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A field value does not fit its bit width (or is negative where unsigned).
  case fieldOutOfRange(instruction: Int?, field: String, value: Int, bits: Int)
  /// A field holds a value that is not a valid encoding (bad opcode, memory type, flags...).
  case invalidField(instruction: Int?, field: String, value: Int, reason: String)
  /// The binary stream is not a whole number of instructions.
  case truncatedBinary(byteCount: Int)

  /// The offending instruction, when known, and the problem.
  public var description: String {
    switch self {
    case let .fieldOutOfRange(i, field, value, bits):
      return "\(Self.prefix(i))field \(field) = \(value) does not fit in \(bits) bits"
    case let .invalidField(i, field, value, reason):
      return "\(Self.prefix(i))invalid \(field) = \(value): \(reason)"
    case let .truncatedBinary(n):
      return "binary of \(n) bytes is not a multiple of \(Instruction.byteCount)-byte instructions"
    }
  }

  /// The same text as `description`.
  public var errorDescription: String? { description }

  /// The index of the offending instruction, when known.
  public var instructionIndex: Int? {
    switch self {
    case let .fieldOutOfRange(i, _, _, _), let .invalidField(i, _, _, _): return i
    case .truncatedBinary: return nil
    }
  }

  func at(_ index: Int) -> ISAError {
    switch self {
    case let .fieldOutOfRange(_, f, v, b): return .fieldOutOfRange(instruction: index, field: f, value: v, bits: b)
    case let .invalidField(_, f, v, r): return .invalidField(instruction: index, field: f, value: v, reason: r)
    case .truncatedBinary: return self
    }
  }

  private static func prefix(_ i: Int?) -> String { i.map { "instruction \($0): " } ?? "" }
}

// MARK: - Field table

/// Bit position and width of one field. The tables below are the single source of truth for
/// the encoder, the decoder and the limits used by the lowering.
package struct BitField: Sendable {
  package let name: String
  package let offset: Int
  package let width: Int
  package let signed: Bool

  init(_ name: String, _ offset: Int, _ width: Int, signed: Bool = false) {
    self.name = name
    self.offset = offset
    self.width = width
    self.signed = signed
  }

  package var maxValue: Int { signed ? (1 << (width - 1)) - 1 : (1 << width) - 1 }
  package var minValue: Int { signed ? -(1 << (width - 1)) : 0 }
}

package enum ISAFields {
  package static let opcode = BitField("opcode", 0, 3)
  package static let deps = BitField("deps", 3, 4)

  package static let memoryType = BitField("memoryType", 7, 2)
  package static let sramBase = BitField("sramBase", 9, 16)
  package static let dramBase = BitField("dramBase", 25, 32)
  package static let ySize = BitField("ySize", 57, 15)
  package static let xSize = BitField("xSize", 72, 16)
  package static let xStride = BitField("xStride", 88, 16)
  package static let yPad0 = BitField("yPad0", 104, 4)
  package static let yPad1 = BitField("yPad1", 108, 4)
  package static let xPad0 = BitField("xPad0", 112, 4)
  package static let xPad1 = BitField("xPad1", 116, 4)
  package static let padValue = BitField("padValue", 120, 8, signed: true)

  package static let reset = BitField("reset", 7, 1)
  package static let uopBegin = BitField("uopBegin", 8, 13)
  package static let uopEnd = BitField("uopEnd", 21, 14)
  package static let iterOut = BitField("iterOut", 35, 14)
  package static let iterIn = BitField("iterIn", 49, 14)
  package static let dstFactorOut = BitField("dstFactorOut", 63, 11)
  package static let dstFactorIn = BitField("dstFactorIn", 74, 11)
  package static let srcFactorOut = BitField("srcFactorOut", 85, 11)
  package static let srcFactorIn = BitField("srcFactorIn", 96, 11)
  package static let wgtFactorOut = BitField("wgtFactorOut", 107, 10)
  package static let wgtFactorIn = BitField("wgtFactorIn", 117, 10)
  package static let gemmReserved = BitField("reserved", 127, 1)

  package static let aluReserved7 = BitField("reserved", 7, 1)
  package static let aluOp = BitField("aluOp", 107, 3)
  package static let useImm = BitField("useImm", 110, 1)
  package static let imm = BitField("imm", 111, 16, signed: true)
  package static let aluReserved127 = BitField("reserved", 127, 1)

  /// Micro-op field limit (16-bit scratchpad indices).
  package static let uopIndexMax = 0xFFFF
}

// MARK: - 128-bit word

/// A 128-bit instruction word.
package struct InstructionWord: Hashable, Sendable {
  package var lo: UInt64
  package var hi: UInt64

  package init(lo: UInt64 = 0, hi: UInt64 = 0) {
    self.lo = lo
    self.hi = hi
  }

  func raw(_ f: BitField) -> UInt64 {
    var v: UInt64 = 0
    for b in 0..<f.width {
      let bit = f.offset + b
      let set = bit < 64 ? (lo >> UInt64(bit)) & 1 : (hi >> UInt64(bit - 64)) & 1
      v |= set << UInt64(b)
    }
    return v
  }

  func get(_ f: BitField) -> Int {
    let r = raw(f)
    if f.signed && (r >> UInt64(f.width - 1)) & 1 == 1 { return Int(r) - (1 << f.width) }
    return Int(r)
  }

  mutating func set(_ f: BitField, _ value: Int) throws {
    guard value >= f.minValue && value <= f.maxValue else {
      throw ISAError.fieldOutOfRange(instruction: nil, field: f.name, value: value, bits: f.width)
    }
    let r = UInt64(bitPattern: Int64(value)) & ((f.width == 64) ? ~0 : ((1 << UInt64(f.width)) - 1))
    for b in 0..<f.width {
      let bit = f.offset + b
      let v = (r >> UInt64(b)) & 1
      if bit < 64 {
        lo = (lo & ~(1 << UInt64(bit))) | (v << UInt64(bit))
      } else {
        hi = (hi & ~(1 << UInt64(bit - 64))) | (v << UInt64(bit - 64))
      }
    }
  }

  /// Little-endian bytes (bit 0 = LSB of byte 0).
  package var bytes: [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(16)
    for i in 0..<8 { out.append(UInt8((lo >> UInt64(8 * i)) & 0xFF)) }
    for i in 0..<8 { out.append(UInt8((hi >> UInt64(8 * i)) & 0xFF)) }
    return out
  }

  package init<C: Collection>(bytes: C) where C.Element == UInt8 {
    precondition(bytes.count == 16)
    var lo: UInt64 = 0
    var hi: UInt64 = 0
    for (i, b) in bytes.enumerated() {
      if i < 8 { lo |= UInt64(b) << UInt64(8 * i) } else { hi |= UInt64(b) << UInt64(8 * (i - 8)) }
    }
    self.init(lo: lo, hi: hi)
  }
}

// MARK: - Encoding and decoding

extension Instruction {
  /// Checks that every field fits its encoding and that the combination is legal.
  package func validate() throws {
    _ = try encode()
  }

  /// Encodes into a 128-bit word; throws `ISAError` for a field out of range or an illegal combination.
  package func encode() throws -> InstructionWord {
    var w = InstructionWord()
    try w.set(ISAFields.opcode, Int(opcode.rawValue))
    try checkFlags()
    try w.set(ISAFields.deps, Int(deps.rawValue))
    switch operation {
    case .load(let m):
      try m.checkLoad()
      try encodeMemory(m, into: &w)
    case .store(let m):
      try m.checkStore()
      try encodeMemory(m, into: &w)
    case .gemm(let g):
      try w.set(ISAFields.reset, g.reset ? 1 : 0)
      try encodeLoops(uopBegin: g.uopBegin, uopEnd: g.uopEnd, iterOut: g.iterOut, iterIn: g.iterIn,
                      dst: (g.dstFactorOut, g.dstFactorIn), src: (g.srcFactorOut, g.srcFactorIn), into: &w)
      try w.set(ISAFields.wgtFactorOut, g.wgtFactorOut)
      try w.set(ISAFields.wgtFactorIn, g.wgtFactorIn)
    case .alu(let a):
      try encodeLoops(uopBegin: a.uopBegin, uopEnd: a.uopEnd, iterOut: a.iterOut, iterIn: a.iterIn,
                      dst: (a.dstFactorOut, a.dstFactorIn), src: (a.srcFactorOut, a.srcFactorIn), into: &w)
      try w.set(ISAFields.aluOp, Int(a.op.rawValue))
      try w.set(ISAFields.useImm, a.immediate == nil ? 0 : 1)
      try w.set(ISAFields.imm, a.immediate ?? 0)
    case .finish:
      break
    }
    return w
  }

  /// Decodes one 128-bit word; throws `ISAError.invalidField` for an invalid opcode or field.
  package static func decode(_ w: InstructionWord) throws -> Instruction {
    let opRaw = w.get(ISAFields.opcode)
    guard let op = Opcode(rawValue: UInt8(opRaw)) else {
      throw ISAError.invalidField(instruction: nil, field: "opcode", value: opRaw, reason: "opcodes are LOAD=0 STORE=1 GEMM=2 FINISH=3 ALU=4")
    }
    let deps = DependencyFlags(rawValue: UInt8(w.get(ISAFields.deps)))
    let inst: Instruction
    switch op {
    case .load, .store:
      let mtRaw = w.get(ISAFields.memoryType)
      let mt = MemoryType(rawValue: UInt8(mtRaw))!
      let m = MemoryInstruction(
        memoryType: mt, sramBase: w.get(ISAFields.sramBase), dramBase: w.get(ISAFields.dramBase),
        ySize: w.get(ISAFields.ySize), xSize: w.get(ISAFields.xSize), xStride: w.get(ISAFields.xStride),
        yPad0: w.get(ISAFields.yPad0), yPad1: w.get(ISAFields.yPad1), xPad0: w.get(ISAFields.xPad0),
        xPad1: w.get(ISAFields.xPad1), padValue: w.get(ISAFields.padValue))
      if op == .load {
        try m.checkLoad()
        inst = Instruction(.load(m), deps: deps)
      } else {
        try m.checkStore()
        inst = Instruction(.store(m), deps: deps)
      }
    case .gemm:
      try requireZero(w, ISAFields.gemmReserved)
      inst = Instruction(.gemm(GemmInstruction(
        reset: w.get(ISAFields.reset) == 1, uopBegin: w.get(ISAFields.uopBegin), uopEnd: w.get(ISAFields.uopEnd),
        iterOut: w.get(ISAFields.iterOut), iterIn: w.get(ISAFields.iterIn),
        dstFactorOut: w.get(ISAFields.dstFactorOut), dstFactorIn: w.get(ISAFields.dstFactorIn),
        srcFactorOut: w.get(ISAFields.srcFactorOut), srcFactorIn: w.get(ISAFields.srcFactorIn),
        wgtFactorOut: w.get(ISAFields.wgtFactorOut), wgtFactorIn: w.get(ISAFields.wgtFactorIn))), deps: deps)
    case .alu:
      try requireZero(w, ISAFields.aluReserved7)
      try requireZero(w, ISAFields.aluReserved127)
      let aluRaw = w.get(ISAFields.aluOp)
      guard let aluOp = AluOpcode(rawValue: UInt8(aluRaw)) else {
        throw ISAError.invalidField(instruction: nil, field: "aluOp", value: aluRaw, reason: "ALU operations are ADD=0 MAX=1 MIN=2 SHR=3 MULH=4 SHL=5 MOV=6")
      }
      let useImm = w.get(ISAFields.useImm) == 1
      let imm = w.get(ISAFields.imm)
      if !useImm && imm != 0 {
        throw ISAError.invalidField(instruction: nil, field: "imm", value: imm, reason: "must be 0 when useImm is 0")
      }
      inst = Instruction(.alu(AluInstruction(
        op: aluOp, uopBegin: w.get(ISAFields.uopBegin), uopEnd: w.get(ISAFields.uopEnd),
        iterOut: w.get(ISAFields.iterOut), iterIn: w.get(ISAFields.iterIn),
        dstFactorOut: w.get(ISAFields.dstFactorOut), dstFactorIn: w.get(ISAFields.dstFactorIn),
        srcFactorOut: w.get(ISAFields.srcFactorOut), srcFactorIn: w.get(ISAFields.srcFactorIn),
        immediate: useImm ? imm : nil)), deps: deps)
    case .finish:
      var rest = w
      try rest.set(ISAFields.opcode, 0)
      try rest.set(ISAFields.deps, 0)
      if rest.lo != 0 || rest.hi != 0 {
        throw ISAError.invalidField(instruction: nil, field: "finish.reserved", value: 1, reason: "bits [7,128) of FINISH must be 0")
      }
      inst = Instruction(.finish, deps: deps)
    }
    try inst.checkFlags()
    if case .gemm(let g) = inst.operation, g.uopEnd < g.uopBegin {
      throw ISAError.invalidField(instruction: nil, field: "uopEnd", value: g.uopEnd, reason: "must be >= uopBegin (\(g.uopBegin))")
    }
    if case .alu(let a) = inst.operation, a.uopEnd < a.uopBegin {
      throw ISAError.invalidField(instruction: nil, field: "uopEnd", value: a.uopEnd, reason: "must be >= uopBegin (\(a.uopBegin))")
    }
    return inst
  }

  private static func requireZero(_ w: InstructionWord, _ f: BitField) throws {
    let v = w.get(f)
    if v != 0 { throw ISAError.invalidField(instruction: nil, field: f.name, value: v, reason: "reserved bits must be 0") }
  }

  func checkFlags() throws {
    switch module {
    case .load:
      if deps.contains(.popPrev) || deps.contains(.pushPrev) {
        throw ISAError.invalidField(instruction: nil, field: "deps", value: Int(deps.rawValue),
                                    reason: "LOAD \(operationMemoryType?.mnemonic ?? "") runs on the load module, which has no previous module (pop_prev/push_prev)")
      }
    case .store:
      if deps.contains(.popNext) || deps.contains(.pushNext) {
        throw ISAError.invalidField(instruction: nil, field: "deps", value: Int(deps.rawValue),
                                    reason: "STORE runs on the store module, which has no next module (pop_next/push_next)")
      }
    case .compute:
      break
    }
  }

  var operationMemoryType: MemoryType? {
    switch operation {
    case .load(let m), .store(let m): return m.memoryType
    default: return nil
    }
  }

  private func encodeMemory(_ m: MemoryInstruction, into w: inout InstructionWord) throws {
    try w.set(ISAFields.memoryType, Int(m.memoryType.rawValue))
    try w.set(ISAFields.sramBase, m.sramBase)
    try w.set(ISAFields.dramBase, m.dramBase)
    try w.set(ISAFields.ySize, m.ySize)
    try w.set(ISAFields.xSize, m.xSize)
    try w.set(ISAFields.xStride, m.xStride)
    try w.set(ISAFields.yPad0, m.yPad0)
    try w.set(ISAFields.yPad1, m.yPad1)
    try w.set(ISAFields.xPad0, m.xPad0)
    try w.set(ISAFields.xPad1, m.xPad1)
    try w.set(ISAFields.padValue, m.padValue)
  }

  private func encodeLoops(uopBegin: Int, uopEnd: Int, iterOut: Int, iterIn: Int, dst: (Int, Int), src: (Int, Int),
                           into w: inout InstructionWord) throws {
    try w.set(ISAFields.uopBegin, uopBegin)
    try w.set(ISAFields.uopEnd, uopEnd)
    if uopEnd < uopBegin {
      throw ISAError.invalidField(instruction: nil, field: "uopEnd", value: uopEnd, reason: "must be >= uopBegin (\(uopBegin))")
    }
    try w.set(ISAFields.iterOut, iterOut)
    try w.set(ISAFields.iterIn, iterIn)
    try w.set(ISAFields.dstFactorOut, dst.0)
    try w.set(ISAFields.dstFactorIn, dst.1)
    try w.set(ISAFields.srcFactorOut, src.0)
    try w.set(ISAFields.srcFactorIn, src.1)
  }
}

extension MemoryInstruction {
  func checkLoad() throws {
    if memoryType == .uop && (hasPadding || padValue != 0) {
      throw ISAError.invalidField(instruction: nil, field: "pad", value: yPad0 + yPad1 + xPad0 + xPad1,
                                  reason: "LOAD UOP cannot pad")
    }
  }

  func checkStore() throws {
    if memoryType != .accumulator {
      throw ISAError.invalidField(instruction: nil, field: "memoryType", value: Int(memoryType.rawValue),
                                  reason: "STORE reads the accumulator scratchpad (ACC=3)")
    }
    if hasPadding || padValue != 0 {
      throw ISAError.invalidField(instruction: nil, field: "pad", value: yPad0 + yPad1 + xPad0 + xPad1,
                                  reason: "STORE has no padding; pad fields must be 0")
    }
  }
}

/// Binary instruction streams: a sequence of 16-byte little-endian words.
package enum NPUBinary {
  package static func encode(_ program: [Instruction]) throws -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(program.count * Instruction.byteCount)
    for (i, inst) in program.enumerated() {
      do {
        out.append(contentsOf: try inst.encode().bytes)
      } catch let e as ISAError {
        throw e.at(i)
      }
    }
    return out
  }

  package static func decode(_ bytes: [UInt8]) throws -> [Instruction] {
    guard bytes.count % Instruction.byteCount == 0 else { throw ISAError.truncatedBinary(byteCount: bytes.count) }
    var out = [Instruction]()
    out.reserveCapacity(bytes.count / Instruction.byteCount)
    for i in 0..<(bytes.count / Instruction.byteCount) {
      let word = InstructionWord(bytes: bytes[(i * 16)..<(i * 16 + 16)])
      do {
        out.append(try Instruction.decode(word))
      } catch let e as ISAError {
        throw e.at(i)
      }
    }
    return out
  }

  /// Micro-op tables as stored in DRAM (8 bytes each, little-endian).
  package static func encodeMicroOps(_ uops: [MicroOp]) throws -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(uops.count * MicroOp.byteCount)
    for (i, u) in uops.enumerated() {
      let word: UInt64
      do { word = try u.encoded() } catch let e as ISAError { throw e.at(i) }
      for b in 0..<8 { out.append(UInt8((word >> UInt64(8 * b)) & 0xFF)) }
    }
    return out
  }
}
