// The NPU simulator: functional (bit-exact int8/int32) and timed.
//
// Timing model (docs/npu-isa.md, "Timing"):
// * The program is split into three in-order queues (LOAD, COMPUTE, STORE; see `Instruction.module`).
//   Each module executes one instruction at a time. An instruction starts when its module is free
//   and the tokens it pops are available; a token becomes available when the instruction that
//   pushed it completes.
// * LOAD/STORE: `latencyCycles`, then the transfer on the DRAM channel, which is shared by all
//   modules and serves requests first-come first-served at `bytesPerCycle`; padding entries are
//   written at the same rate after the transfer. A LOAD made only of padding skips DRAM.
// * GEMM: one cycle per core operation (iterOut * iterIn * micro-ops), at least 1.
// * ALU: ceil(rows * BLOCK_OUT / alu.elementsPerCycle) cycles, at least 1.
// * FINISH: 1 cycle.
// Modules are stepped in order of the start time of their next instruction, so the shared
// channel sees requests in time order. The simulation never blocks: when no module can start,
// the program is deadlocked and `SimulationError.deadlock` is thrown.

import Foundation

/// A fault detected while simulating. Every case names the instruction (index in the program).
public enum SimulationError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A module waits for a token.
  public struct BlockedModule: Equatable, Sendable, CustomStringConvertible {
    /// The blocked module.
    public let module: NPUModule
    /// The index of its next instruction in the program.
    public let instruction: Int
    /// That instruction as assembly.
    public let text: String
    /// The token queue it waits on, e.g. "load->compute".
    public let waitingOn: String

    /// `module at instruction N (text) waits on queue`.
    public var description: String { "\(module) at instruction \(instruction) (\(text)) waits on \(waitingOn)" }
  }

  /// No module can make progress but instructions remain.
  case deadlock(cycle: Int, blocked: [BlockedModule])
  /// A LOAD would write past the end of a scratchpad.
  case scratchpadOverflow(instruction: Int, buffer: MemoryType, end: Int, depth: Int)
  /// A GEMM/ALU/STORE/micro-op index outside its scratchpad.
  case scratchpadIndexOutOfRange(instruction: Int, buffer: MemoryType, index: Int, depth: Int)
  /// A DMA touches DRAM bytes outside [0, dram.count).
  case dramOutOfBounds(instruction: Int, byteAddress: Int, byteCount: Int, dramBytes: Int)
  /// An instruction or micro-op that is not a legal encoding.
  case malformedInstruction(instruction: Int, reason: String)
  /// The program exceeds the simulator's operation budget (protects against runaway loops).
  case operationBudgetExceeded(instruction: Int, budget: Int)

  /// The instruction and the fault.
  public var description: String {
    switch self {
    case let .deadlock(cycle, blocked):
      return "token deadlock at cycle \(cycle): " + blocked.map(\.description).joined(separator: "; ")
    case let .scratchpadOverflow(i, b, end, depth):
      return "instruction \(i): LOAD \(b.mnemonic) overflows the scratchpad (writes up to entry \(end - 1), depth \(depth))"
    case let .scratchpadIndexOutOfRange(i, b, index, depth):
      return "instruction \(i): \(b.mnemonic) scratchpad index \(index) out of range (depth \(depth))"
    case let .dramOutOfBounds(i, addr, n, size):
      return "instruction \(i): DMA of \(n) bytes at DRAM address \(addr) is outside the \(size)-byte DRAM"
    case let .malformedInstruction(i, reason):
      return "instruction \(i): malformed: \(reason)"
    case let .operationBudgetExceeded(i, budget):
      return "instruction \(i): exceeds the simulation budget of \(budget) core operations"
    }
  }

  /// The same text as `description`.
  public var errorDescription: String? { description }
}

/// The machine state (scratchpads and DRAM) and the simulator that runs programs on it.
/// `run` validates the hardware description first (a `HardwareConfigError` for a bad one).
package final class NPUMachine {
  package let hw: HardwareConfig
  /// DRAM contents (bytes).
  package var dram: [UInt8]
  /// Input scratchpad, `depth(.input) * BLOCK_IN` int8.
  package private(set) var inp: [Int8]
  /// Weight scratchpad, `depth(.weight) * BLOCK_OUT * BLOCK_IN` int8 (`wgt[e][o][i]`).
  package private(set) var wgt: [Int8]
  /// Accumulator scratchpad, `depth(.accumulator) * BLOCK_OUT` int32.
  package private(set) var acc: [Int32]
  /// Micro-op scratchpad.
  package private(set) var uops: [MicroOp]
  /// Maximum GEMM-core plus ALU row operations per run.
  package var operationBudget: Int

  private let bo: Int
  private let bi: Int

  package init(hw: HardwareConfig, dram: [UInt8], operationBudget: Int = 400_000_000) {
    self.hw = hw
    self.dram = dram
    self.operationBudget = operationBudget
    bo = hw.blockOut
    bi = hw.blockIn
    inp = Array(repeating: 0, count: hw.depth(.input) * hw.blockIn)
    wgt = Array(repeating: 0, count: hw.depth(.weight) * hw.blockIn * hw.blockOut)
    acc = Array(repeating: 0, count: hw.depth(.accumulator) * hw.blockOut)
    uops = Array(repeating: MicroOp(dst: 0), count: hw.depth(.uop))
  }

  /// Accumulator row `entry` (BLOCK_OUT lanes).
  package func accumulatorRow(_ entry: Int) -> [Int32] { Array(acc[(entry * bo)..<((entry + 1) * bo)]) }
  /// Input row `entry` (BLOCK_IN lanes).
  package func inputRow(_ entry: Int) -> [Int8] { Array(inp[(entry * bi)..<((entry + 1) * bi)]) }

  // MARK: Running

  /// Decodes and runs a binary program. Decoding errors become `malformedInstruction`.
  package func run(binary: [UInt8], usefulMACs: Int? = nil, compulsoryBytes: Int? = nil) throws -> NPUReport {
    let program: [Instruction]
    do {
      program = try NPUBinary.decode(binary)
    } catch let e as ISAError {
      throw SimulationError.malformedInstruction(instruction: e.instructionIndex ?? 0, reason: e.description)
    }
    return try run(program, usefulMACs: usefulMACs, compulsoryBytes: compulsoryBytes)
  }

  /// Runs a program to completion (functional and timed) and returns the report.
  /// `compulsoryBytes`: the bytes a perfect program moves (every input,
  /// weight, parameter and output byte once), for the roofline; nil: the
  /// program's own traffic.
  package func run(_ program: [Instruction], usefulMACs: Int? = nil, compulsoryBytes: Int? = nil) throws -> NPUReport {
    try hw.validate()
    for (i, inst) in program.enumerated() {
      do { try inst.validate() } catch let e as ISAError {
        throw SimulationError.malformedInstruction(instruction: i, reason: e.description)
      }
    }
    var timing = TimingState(hw: hw, program: program)
    var budget = operationBudget
    while let (module, start) = try timing.nextReady() {
      let index = timing.take(module)
      let inst = program[index]
      let work = try execute(inst, index: index, budget: &budget)
      timing.complete(module, index: index, start: start, work: work)
      timing.counters.record(inst, work: work)
    }
    return timing.report(hw: hw, usefulMACs: usefulMACs, compulsoryBytes: compulsoryBytes)
  }

  // MARK: Functional execution

  /// What one instruction did, for the timing model and the counters.
  struct Work {
    var dramBytes = 0
    var padBytes = 0
    var coreOps = 0
    var macOps = 0
    var aluRows = 0
  }

  private func execute(_ inst: Instruction, index: Int, budget: inout Int) throws -> Work {
    switch inst.operation {
    case .load(let m): return try load(m, index: index)
    case .store(let m): return try store(m, index: index)
    case .gemm(let g):
      let ops = g.operations
      if ops > budget { throw SimulationError.operationBudgetExceeded(instruction: index, budget: operationBudget) }
      budget -= ops
      try gemm(g, index: index)
      return Work(coreOps: ops, macOps: g.reset ? 0 : ops)
    case .alu(let a):
      let rows = a.rows
      if rows > budget { throw SimulationError.operationBudgetExceeded(instruction: index, budget: operationBudget) }
      budget -= rows
      try alu(a, index: index)
      return Work(aluRows: rows)
    case .finish:
      return Work()
    }
  }

  private func checkDRAM(_ m: MemoryInstruction, elementBytes: Int, index: Int) throws {
    guard m.ySize > 0 && m.xSize > 0 else { return }
    let first = m.dramBase * elementBytes
    let end = (m.dramBase + (m.ySize - 1) * m.xStride + m.xSize) * elementBytes
    if first < 0 || end > dram.count {
      throw SimulationError.dramOutOfBounds(instruction: index, byteAddress: first, byteCount: end - first, dramBytes: dram.count)
    }
  }

  private func load(_ m: MemoryInstruction, index: Int) throws -> Work {
    let eb = hw.elementBytes(m.memoryType)
    let depth = hw.depth(m.memoryType)
    let end = m.sramBase + m.sramEntries
    if end > depth { throw SimulationError.scratchpadOverflow(instruction: index, buffer: m.memoryType, end: end, depth: depth) }
    try checkDRAM(m, elementBytes: eb, index: index)
    let width = m.xPad0 + m.xSize + m.xPad1
    let height = m.yPad0 + m.ySize + m.yPad1
    for y in 0..<height {
      let realRow = y >= m.yPad0 && y < m.yPad0 + m.ySize
      for x in 0..<width {
        let e = m.sramBase + y * width + x
        if realRow && x >= m.xPad0 && x < m.xPad0 + m.xSize {
          let src = (m.dramBase + (y - m.yPad0) * m.xStride + (x - m.xPad0)) * eb
          try writeEntry(m.memoryType, e, fromDRAM: src, index: index)
        } else {
          writePad(m.memoryType, e, m.padValue)
        }
      }
    }
    return Work(dramBytes: m.dramElements * eb, padBytes: (m.sramEntries - m.dramElements) * eb)
  }

  private func writeEntry(_ t: MemoryType, _ e: Int, fromDRAM src: Int, index: Int) throws {
    switch t {
    case .input:
      for i in 0..<bi { inp[e * bi + i] = Int8(bitPattern: dram[src + i]) }
    case .weight:
      let n = bi * bo
      for i in 0..<n { wgt[e * n + i] = Int8(bitPattern: dram[src + i]) }
    case .accumulator:
      for o in 0..<bo {
        let p = src + 4 * o
        acc[e * bo + o] = Int32(bitPattern: UInt32(dram[p]) | UInt32(dram[p + 1]) << 8 | UInt32(dram[p + 2]) << 16 | UInt32(dram[p + 3]) << 24)
      }
    case .uop:
      var word: UInt64 = 0
      for b in 0..<8 { word |= UInt64(dram[src + b]) << UInt64(8 * b) }
      do {
        uops[e] = try MicroOp(encoded: word)
      } catch let err as ISAError {
        throw SimulationError.malformedInstruction(instruction: index, reason: "micro-op at DRAM byte \(src): \(err.description)")
      }
    }
  }

  private func writePad(_ t: MemoryType, _ e: Int, _ value: Int) {
    switch t {
    case .input:
      for i in 0..<bi { inp[e * bi + i] = Int8(value) }
    case .weight:
      let n = bi * bo
      for i in 0..<n { wgt[e * n + i] = Int8(value) }
    case .accumulator:
      for o in 0..<bo { acc[e * bo + o] = Int32(value) }
    case .uop:
      uops[e] = MicroOp(dst: 0)
    }
  }

  private func store(_ m: MemoryInstruction, index: Int) throws -> Work {
    let depth = hw.depth(.accumulator)
    let n = m.ySize * m.xSize
    if m.sramBase + n > depth {
      throw SimulationError.scratchpadIndexOutOfRange(instruction: index, buffer: .accumulator, index: m.sramBase + n - 1, depth: depth)
    }
    try checkDRAM(m, elementBytes: hw.outputElementBytes, index: index)
    for y in 0..<m.ySize {
      for x in 0..<m.xSize {
        let e = m.sramBase + y * m.xSize + x
        let dst = (m.dramBase + y * m.xStride + x) * bo
        for o in 0..<bo { dram[dst + o] = UInt8(truncatingIfNeeded: acc[e * bo + o]) }
      }
    }
    return Work(dramBytes: n * bo)
  }

  /// Checks that every index a loop nest over micro-ops produces is inside its scratchpad.
  private func checkLoopIndices(uopBegin: Int, uopEnd: Int, iterOut: Int, iterIn: Int,
                                fields: [(KeyPath<MicroOp, Int>, Int, Int, MemoryType)], index: Int) throws {
    let uopDepth = hw.depth(.uop)
    if uopEnd > uopDepth {
      throw SimulationError.scratchpadIndexOutOfRange(instruction: index, buffer: .uop, index: uopEnd - 1, depth: uopDepth)
    }
    guard iterOut > 0, iterIn > 0, uopEnd > uopBegin else { return }
    for (field, fOut, fIn, buffer) in fields {
      let maxBase = uops[uopBegin..<uopEnd].map { $0[keyPath: field] }.max()!
      let top = maxBase + (iterOut - 1) * fOut + (iterIn - 1) * fIn
      let depth = hw.depth(buffer)
      if top >= depth {
        throw SimulationError.scratchpadIndexOutOfRange(instruction: index, buffer: buffer, index: top, depth: depth)
      }
    }
  }

  private func gemm(_ g: GemmInstruction, index: Int) throws {
    var fields: [(KeyPath<MicroOp, Int>, Int, Int, MemoryType)] = [(\MicroOp.dst, g.dstFactorOut, g.dstFactorIn, .accumulator)]
    if !g.reset {
      fields.append((\MicroOp.src, g.srcFactorOut, g.srcFactorIn, .input))
      fields.append((\MicroOp.wgt, g.wgtFactorOut, g.wgtFactorIn, .weight))
    }
    try checkLoopIndices(uopBegin: g.uopBegin, uopEnd: g.uopEnd, iterOut: g.iterOut, iterIn: g.iterIn, fields: fields, index: index)
    guard g.uopEnd > g.uopBegin else { return }
    let bo = self.bo, bi = self.bi
    let kernel = Array(uops[g.uopBegin..<g.uopEnd])
    if g.reset {
      acc.withUnsafeMutableBufferPointer { ap in
        for i0 in 0..<g.iterOut {
          for i1 in 0..<g.iterIn {
            for u in kernel {
              let d = (u.dst + i0 * g.dstFactorOut + i1 * g.dstFactorIn) * bo
              for o in 0..<bo { ap[d + o] = 0 }
            }
          }
        }
      }
      return
    }
    inp.withUnsafeBufferPointer { ip in
      wgt.withUnsafeBufferPointer { wp in
        acc.withUnsafeMutableBufferPointer { ap in
          for i0 in 0..<g.iterOut {
            for i1 in 0..<g.iterIn {
              for u in kernel {
                let d = (u.dst + i0 * g.dstFactorOut + i1 * g.dstFactorIn) * bo
                let s = (u.src + i0 * g.srcFactorOut + i1 * g.srcFactorIn) * bi
                let w = (u.wgt + i0 * g.wgtFactorOut + i1 * g.wgtFactorIn) * bo * bi
                for o in 0..<bo {
                  var sum: Int32 = 0
                  let wr = w + o * bi
                  for i in 0..<bi { sum &+= Int32(ip[s + i]) &* Int32(wp[wr + i]) }
                  ap[d + o] &+= sum
                }
              }
            }
          }
        }
      }
    }
  }

  private func alu(_ a: AluInstruction, index: Int) throws {
    var fields: [(KeyPath<MicroOp, Int>, Int, Int, MemoryType)] = [(\MicroOp.dst, a.dstFactorOut, a.dstFactorIn, .accumulator)]
    if a.immediate == nil { fields.append((\MicroOp.src, a.srcFactorOut, a.srcFactorIn, .accumulator)) }
    try checkLoopIndices(uopBegin: a.uopBegin, uopEnd: a.uopEnd, iterOut: a.iterOut, iterIn: a.iterIn, fields: fields, index: index)
    guard a.uopEnd > a.uopBegin else { return }
    let bo = self.bo
    let kernel = Array(uops[a.uopBegin..<a.uopEnd])
    let op = a.op
    let imm = a.immediate.map { Int32($0) }
    acc.withUnsafeMutableBufferPointer { ap in
      for i0 in 0..<a.iterOut {
        for i1 in 0..<a.iterIn {
          for u in kernel {
            let d = (u.dst + i0 * a.dstFactorOut + i1 * a.dstFactorIn) * bo
            let s = (u.src + i0 * a.srcFactorOut + i1 * a.srcFactorIn) * bo
            for o in 0..<bo { ap[d + o] = op.apply(ap[d + o], imm ?? ap[s + o]) }
          }
        }
      }
    }
  }
}

// MARK: - Timing

/// The timed part of the simulation: module clocks, token queues, the shared DRAM channel.
struct TimingState {
  let program: [Instruction]
  let hw: HardwareConfig
  /// Program indices per module, in program order.
  var queues: [[Int]]
  var pc = [0, 0, 0]
  var free = [0, 0, 0]
  /// Token queues indexed by `tokenQueue(from:to:)`; each holds push timestamps (FIFO).
  var tokens: [[Int]] = [[], [], [], []]
  var tokenHeads = [0, 0, 0, 0]
  var channelFree = 0
  var finish = 0
  var counters = Counters()

  init(hw: HardwareConfig, program: [Instruction]) {
    self.hw = hw
    self.program = program
    var q: [[Int]] = [[], [], []]
    for (i, inst) in program.enumerated() { q[inst.module.rawValue].append(i) }
    queues = q
  }

  static func tokenQueue(from: NPUModule, to: NPUModule) -> Int? {
    switch (from, to) {
    case (.load, .compute): return 0
    case (.compute, .load): return 1
    case (.compute, .store): return 2
    case (.store, .compute): return 3
    default: return nil
    }
  }

  static func queueName(_ q: Int) -> String {
    ["load->compute", "compute->load", "compute->store", "store->compute"][q]
  }

  static func prev(_ m: NPUModule) -> NPUModule? { NPUModule(rawValue: m.rawValue - 1) }
  static func next(_ m: NPUModule) -> NPUModule? { NPUModule(rawValue: m.rawValue + 1) }

  /// Queues an instruction pops from.
  static func pops(_ inst: Instruction) -> [Int] {
    var out: [Int] = []
    let m = inst.module
    if inst.deps.contains(.popPrev), let p = prev(m), let q = tokenQueue(from: p, to: m) { out.append(q) }
    if inst.deps.contains(.popNext), let n = next(m), let q = tokenQueue(from: n, to: m) { out.append(q) }
    return out
  }

  static func pushes(_ inst: Instruction) -> [Int] {
    var out: [Int] = []
    let m = inst.module
    if inst.deps.contains(.pushPrev), let p = prev(m), let q = tokenQueue(from: m, to: p) { out.append(q) }
    if inst.deps.contains(.pushNext), let n = next(m), let q = tokenQueue(from: m, to: n) { out.append(q) }
    return out
  }

  /// The module whose next instruction can start earliest, and that start time; nil when every
  /// queue is drained; throws `deadlock` when instructions remain but none can start.
  mutating func nextReady() throws -> (NPUModule, Int)? {
    var best: (NPUModule, Int)?
    var blocked: [SimulationError.BlockedModule] = []
    for m in NPUModule.allCases where pc[m.rawValue] < queues[m.rawValue].count {
      let index = queues[m.rawValue][pc[m.rawValue]]
      var ready = free[m.rawValue]
      var waiting: Int?
      for q in Self.pops(program[index]) {
        if tokenHeads[q] < tokens[q].count {
          ready = max(ready, tokens[q][tokenHeads[q]])
        } else {
          waiting = q
          break
        }
      }
      if let q = waiting {
        blocked.append(.init(module: m, instruction: index, text: NPUAssembler.format(program[index]), waitingOn: Self.queueName(q)))
        continue
      }
      if best == nil || ready < best!.1 { best = (m, ready) }
    }
    if let b = best { return b }
    if blocked.isEmpty { return nil }
    throw SimulationError.deadlock(cycle: free.max() ?? 0, blocked: blocked)
  }

  /// Pops the tokens of the next instruction of `m` and returns its program index.
  mutating func take(_ m: NPUModule) -> Int {
    let index = queues[m.rawValue][pc[m.rawValue]]
    pc[m.rawValue] += 1
    for q in Self.pops(program[index]) { tokenHeads[q] += 1 }
    return index
  }

  /// Accounts for the execution of `index` started at `start`; returns its completion time.
  @discardableResult
  mutating func complete(_ m: NPUModule, index: Int, start: Int, work: NPUMachine.Work) -> Int {
    let inst = program[index]
    let end: Int
    switch inst.operation {
    case .load, .store:
      let bw = hw.dma.bytesPerCycle
      let padCycles = (work.padBytes + bw - 1) / bw
      if work.dramBytes > 0 {
        let dataStart = max(start + hw.dma.latencyCycles, channelFree)
        let transfer = (work.dramBytes + bw - 1) / bw
        channelFree = dataStart + transfer
        end = dataStart + transfer + padCycles
      } else {
        end = start + max(1, padCycles)
      }
    case .gemm:
      end = start + max(1, work.coreOps)
    case .alu:
      let lanes = work.aluRows * hw.blockOut
      let cycles = max(1, (lanes + hw.alu.elementsPerCycle - 1) / hw.alu.elementsPerCycle)
      counters.aluCycles += cycles
      end = start + cycles
    case .finish:
      end = start + 1
    }
    counters.stall[m] += start - free[m.rawValue]
    counters.busy[m] += end - start
    free[m.rawValue] = end
    finish = max(finish, end)
    for q in Self.pushes(inst) { tokens[q].append(end) }
    return end
  }

  func report(hw: HardwareConfig, usefulMACs: Int?, compulsoryBytes: Int?) -> NPUReport {
    let executed = counters.coreOps * hw.macsPerCycle
    let macs = usefulMACs ?? executed
    let peak = hw.macsPerCycle
    let bytes = counters.bytesLoaded + counters.bytesStored
    let compulsory = compulsoryBytes ?? bytes
    let bw = hw.dma.bytesPerCycle
    let macBound = (macs + peak - 1) / peak, trafficBound = (compulsory + bw - 1) / bw
    let roofline = max(macBound, trafficBound, counters.aluCycles)
    return NPUReport(
      hardware: hw.name, cycles: finish, macs: macs, executedMacs: executed, peakMacsPerCycle: peak,
      macUtilization: finish == 0 ? 0 : Double(macs) / (Double(finish) * Double(peak)),
      rooflineCycles: roofline, rooflineRatio: roofline == 0 ? 0 : Double(finish) / Double(roofline),
      macBoundCycles: macBound, trafficBoundCycles: trafficBound, aluBoundCycles: counters.aluCycles,
      compulsoryBytes: compulsory, trafficRatio: compulsory == 0 ? 0 : Double(bytes) / Double(compulsory),
      bytesLoaded: counters.bytesLoaded, bytesStored: counters.bytesStored,
      bytesLoadedByBuffer: counters.loadedByBuffer, bytesStoredByBuffer: ["output": counters.bytesStored],
      stallCycles: counters.stall, busyCycles: counters.busy, instructions: counters.instructions,
      timeMicroseconds: Double(finish) / hw.clockMHz)
  }
}

/// Byte, operation and instruction counters.
struct Counters {
  var coreOps = 0
  var bytesLoaded = 0
  var bytesStored = 0
  var loadedByBuffer: [String: Int] = ["input": 0, "weight": 0, "accumulator": 0, "microOp": 0]
  var stall = ModuleCycles()
  var busy = ModuleCycles()
  var instructions: [String: Int] = [:]

  /// Cycles the ALU needs for all ALU instructions (lanes / elementsPerCycle each).
  var aluCycles = 0

  mutating func record(_ inst: Instruction, work: NPUMachine.Work) {
    coreOps += work.macOps
    let key: String
    switch inst.operation {
    case .load(let m):
      bytesLoaded += work.dramBytes
      let name: String
      switch m.memoryType {
      case .input: name = "input"
      case .weight: name = "weight"
      case .accumulator: name = "accumulator"
      case .uop: name = "microOp"
      }
      loadedByBuffer[name, default: 0] += work.dramBytes
      key = "LOAD.\(m.memoryType.mnemonic)"
    case .store:
      bytesStored += work.dramBytes
      key = "STORE"
    case .gemm(let g):
      key = g.reset ? "GEMM.RESET" : "GEMM"
    case .alu(let a):
      key = "ALU.\(a.op.mnemonic)"
    case .finish:
      key = "FINISH"
    }
    instructions[key, default: 0] += 1
  }
}
