import Testing
@testable import PolycNPU

/// Every fault is a typed error naming the instruction; nothing hangs or crashes.
@Suite struct FaultDetectionTests {
  let hw = HardwareConfig.tiny

  @Test func popWithoutPushIsADeadlock() throws {
    let program = [Instruction(.finish, deps: [.popPrev])]
    do {
      _ = try NPUMachine(hw: hw, dram: []).run(program)
      Issue.record("expected a deadlock")
    } catch let SimulationError.deadlock(_, blocked) {
      #expect(blocked == [.init(module: .compute, instruction: 0, text: "FINISH pop_prev", waitingOn: "load->compute")])
    }
  }

  @Test func circularWaitBetweenLoadAndComputeIsADeadlock() throws {
    let program = [
      Instruction(.load(mem(.input, sram: 0, dram: 0, y: 0, x: 0, stride: 0)), deps: [.popNext, .pushNext]),
      Instruction(.finish, deps: [.popPrev, .pushPrev]),
    ]
    #expect {
      try NPUMachine(hw: hw, dram: []).run(program)
    } throws: { e in
      guard case let SimulationError.deadlock(_, blocked) = e else { return false }
      return blocked.map(\.module) == [.load, .compute]
    }
  }

  @Test func loadPastTheEndOfAScratchpadOverflows() {
    // 64 input entries on the tiny core.
    let program = [Instruction(.load(mem(.input, sram: 60, dram: 0, y: 2, x: 2, stride: 2, pad: (0, 0, 0, 1))))]
    #expect(throws: SimulationError.scratchpadOverflow(instruction: 0, buffer: .input, end: 66, depth: 64)) {
      try NPUMachine(hw: hw, dram: [UInt8](repeating: 0, count: 256)).run(program)
    }
  }

  @Test func gemmIndexOutsideTheAccumulatorIsOutOfRange() throws {
    var d = DRAMImage(count: 64)
    try d.putMicroOps([MicroOp(dst: 60)], at: 0)
    let program = [
      Instruction(.load(mem(.uop, sram: 0, dram: 0, y: 1, x: 1, stride: 0))),
      Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 1, iterOut: 3, iterIn: 1, dstFactorOut: 2))),
    ]
    #expect(throws: SimulationError.scratchpadIndexOutOfRange(instruction: 1, buffer: .accumulator, index: 64, depth: 64)) {
      try NPUMachine(hw: hw, dram: d.bytes).run(program)
    }
    let beyondUops = [Instruction(.alu(AluInstruction(op: .add, uopBegin: 60, uopEnd: 70, iterOut: 1, iterIn: 1, immediate: 1)))]
    #expect(throws: SimulationError.scratchpadIndexOutOfRange(instruction: 0, buffer: .uop, index: 69, depth: 64)) {
      try NPUMachine(hw: hw, dram: d.bytes).run(beyondUops)
    }
    let store = [Instruction(.store(mem(.accumulator, sram: 63, dram: 0, y: 1, x: 2, stride: 0)))]
    #expect(throws: SimulationError.scratchpadIndexOutOfRange(instruction: 0, buffer: .accumulator, index: 64, depth: 64)) {
      try NPUMachine(hw: hw, dram: d.bytes).run(store)
    }
  }

  @Test func dmaOutsideDRAMIsOutOfBounds() {
    let load = [Instruction(.finish), Instruction(.load(mem(.input, sram: 0, dram: 14, y: 2, x: 1, stride: 1)))]
    #expect(throws: SimulationError.dramOutOfBounds(instruction: 1, byteAddress: 56, byteCount: 8, dramBytes: 60)) {
      try NPUMachine(hw: hw, dram: [UInt8](repeating: 0, count: 60)).run(load)
    }
    let store = [Instruction(.store(mem(.accumulator, sram: 0, dram: 100, y: 1, x: 1, stride: 0)))]
    #expect(throws: SimulationError.dramOutOfBounds(instruction: 0, byteAddress: 400, byteCount: 4, dramBytes: 240)) {
      try NPUMachine(hw: hw, dram: [UInt8](repeating: 0, count: 240)).run(store)
    }
  }

  @Test func malformedBinaryAndMicroOpsAreReported() throws {
    var bytes = try NPUBinary.encode([Instruction(.finish), Instruction(.finish)])
    bytes[16] = 6
    #expect {
      try NPUMachine(hw: hw, dram: []).run(binary: bytes)
    } throws: { e in
      guard case let SimulationError.malformedInstruction(index, reason) = e else { return false }
      return index == 1 && reason.contains("opcode")
    }
    let tooWide = [Instruction(.finish), Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 1, iterOut: 1 << 20, iterIn: 1)))]
    #expect {
      try NPUMachine(hw: hw, dram: []).run(tooWide)
    } throws: { e in
      if case SimulationError.malformedInstruction(1, _) = e { return true }
      return false
    }
    var d = DRAMImage(count: 64)
    d.bytes[7] = 0xFF
    #expect {
      try NPUMachine(hw: hw, dram: d.bytes).run([Instruction(.load(mem(.uop, sram: 0, dram: 0, y: 1, x: 1, stride: 0)))])
    } throws: { e in
      if case SimulationError.malformedInstruction(0, _) = e { return true }
      return false
    }
  }

  @Test func runawayLoopsHitTheOperationBudget() throws {
    let m = NPUMachine(hw: hw, dram: [], operationBudget: 1000)
    let huge = Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 8000, iterOut: 16000, iterIn: 16000)))
    #expect(throws: SimulationError.operationBudgetExceeded(instruction: 0, budget: 1000)) { try m.run([huge]) }
  }

  @Test func errorsDescribeThemselves() {
    let e = SimulationError.dramOutOfBounds(instruction: 3, byteAddress: 10, byteCount: 4, dramBytes: 8)
    #expect(e.description == "instruction 3: DMA of 4 bytes at DRAM address 10 is outside the 8-byte DRAM")
  }
}
