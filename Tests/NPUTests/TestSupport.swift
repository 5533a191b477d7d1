import Foundation
@testable import PolycNPU

/// Deterministic random instructions covering every opcode and every field range.
enum RandomInstructions {
  static func value(_ f: BitField, _ rng: inout DeterministicRandom) -> Int {
    switch rng.int(in: 0...3) {
    case 0: return f.minValue
    case 1: return f.maxValue
    default: return rng.int(in: f.minValue...f.maxValue)
    }
  }

  static func flags(for module: NPUModule, _ rng: inout DeterministicRandom) -> DependencyFlags {
    var d = DependencyFlags(rawValue: UInt8(rng.int(in: 0...15)))
    if module == .load { d.subtract([.popPrev, .pushPrev]) }
    if module == .store { d.subtract([.popNext, .pushNext]) }
    return d
  }

  static func make(_ opcode: Opcode, _ rng: inout DeterministicRandom) -> Instruction {
    let F = ISAFields.self
    switch opcode {
    case .load, .store:
      let mt: MemoryType = opcode == .store ? .accumulator : MemoryType.allCases[rng.int(in: 0...3)]
      let pads = opcode == .store || mt == .uop
      var m = MemoryInstruction(memoryType: mt, sramBase: value(F.sramBase, &rng), dramBase: value(F.dramBase, &rng),
                                ySize: value(F.ySize, &rng), xSize: value(F.xSize, &rng), xStride: value(F.xStride, &rng))
      if !pads {
        m.yPad0 = value(F.yPad0, &rng)
        m.yPad1 = value(F.yPad1, &rng)
        m.xPad0 = value(F.xPad0, &rng)
        m.xPad1 = value(F.xPad1, &rng)
        m.padValue = value(F.padValue, &rng)
      }
      let inst = Instruction(opcode == .load ? .load(m) : .store(m))
      return Instruction(inst.operation, deps: flags(for: inst.module, &rng))
    case .gemm:
      let b = value(F.uopBegin, &rng)
      let e = rng.int(in: b...F.uopEnd.maxValue)
      let g = GemmInstruction(reset: rng.int(in: 0...1) == 1, uopBegin: b, uopEnd: e, iterOut: value(F.iterOut, &rng),
                              iterIn: value(F.iterIn, &rng), dstFactorOut: value(F.dstFactorOut, &rng),
                              dstFactorIn: value(F.dstFactorIn, &rng), srcFactorOut: value(F.srcFactorOut, &rng),
                              srcFactorIn: value(F.srcFactorIn, &rng), wgtFactorOut: value(F.wgtFactorOut, &rng),
                              wgtFactorIn: value(F.wgtFactorIn, &rng))
      return Instruction(.gemm(g), deps: flags(for: .compute, &rng))
    case .alu:
      let b = value(F.uopBegin, &rng)
      let e = rng.int(in: b...F.uopEnd.maxValue)
      let a = AluInstruction(op: AluOpcode.allCases[rng.int(in: 0...(AluOpcode.allCases.count - 1))], uopBegin: b, uopEnd: e,
                             iterOut: value(F.iterOut, &rng), iterIn: value(F.iterIn, &rng),
                             dstFactorOut: value(F.dstFactorOut, &rng), dstFactorIn: value(F.dstFactorIn, &rng),
                             srcFactorOut: value(F.srcFactorOut, &rng), srcFactorIn: value(F.srcFactorIn, &rng),
                             immediate: rng.int(in: 0...1) == 1 ? value(F.imm, &rng) : nil)
      return Instruction(.alu(a), deps: flags(for: .compute, &rng))
    case .finish:
      return Instruction(.finish, deps: flags(for: .compute, &rng))
    }
  }

  static func program(count: Int, seed: UInt64) -> [Instruction] {
    var rng = DeterministicRandom(seed: seed)
    return (0..<count).map { i in make(Opcode.allCases[i % Opcode.allCases.count], &rng) }
  }
}

/// A little-endian DRAM image builder for hand-written programs.
struct DRAMImage {
  var bytes: [UInt8]

  init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }

  mutating func putInt8(_ values: [Int8], at offset: Int) {
    for (i, v) in values.enumerated() { bytes[offset + i] = UInt8(bitPattern: v) }
  }

  mutating func putInt32(_ values: [Int32], at offset: Int) {
    for (i, v) in values.enumerated() {
      let u = UInt32(bitPattern: v)
      for b in 0..<4 { bytes[offset + 4 * i + b] = UInt8((u >> UInt32(8 * b)) & 0xFF) }
    }
  }

  mutating func putMicroOps(_ uops: [MicroOp], at offset: Int) throws {
    let enc = try NPUBinary.encodeMicroOps(uops)
    bytes.replaceSubrange(offset..<(offset + enc.count), with: enc)
  }

  func int8(at offset: Int, count: Int) -> [Int8] { bytes[offset..<(offset + count)].map { Int8(bitPattern: $0) } }
}

/// Repository files (the test directory may be reached through a symlink).
enum RepoFiles {
  static func path(_ relative: String, from file: String = #filePath) -> String {
    let here = URL(fileURLWithPath: file).resolvingSymlinksInPath()
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent(relative).path
  }
}

extension HardwareConfig {
  /// A 4x4 core with tiny buffers, for hand-checked instruction semantics.
  static let tiny = HardwareConfig(
    name: "tiny", gemm: GemmCore(blockOut: 4, blockIn: 4),
    scratchpad: Scratchpads(inputBytes: 256, weightBytes: 256, accumulatorBytes: 1024, microOpBytes: 512),
    dma: DMA(bytesPerCycle: 4, latencyCycles: 10), alu: ALU(elementsPerCycle: 4), clockMHz: 100)
}

func mem(_ t: MemoryType, sram: Int, dram: Int, y: Int, x: Int, stride: Int, pad: (Int, Int, Int, Int) = (0, 0, 0, 0), padValue: Int = 0) -> MemoryInstruction {
  MemoryInstruction(memoryType: t, sramBase: sram, dramBase: dram, ySize: y, xSize: x, xStride: stride,
                    yPad0: pad.0, yPad1: pad.1, xPad0: pad.2, xPad1: pad.3, padValue: padValue)
}
