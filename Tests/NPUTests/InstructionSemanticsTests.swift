import Testing
@testable import PolycNPU

/// One test per instruction kind, on a 4x4 core, checked against hand-computed values.
@Suite struct InstructionSemanticsTests {
  let hw = HardwareConfig.tiny

  @Test func loadInputCopiesA2DTileWithStrideAndPadding() throws {
    var d = DRAMImage(count: 256)
    d.putInt8((0..<64).map { Int8($0) }, at: 0)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    // 2 rows x 2 elements starting at element 1, row stride 4; one pad row above, one pad element on each side.
    _ = try m.run([Instruction(.load(mem(.input, sram: 3, dram: 1, y: 2, x: 2, stride: 4, pad: (1, 0, 1, 1), padValue: -7)))])
    let pad: [Int8] = [-7, -7, -7, -7]
    #expect((3..<7).map(m.inputRow) == [pad, pad, pad, pad])
    #expect(m.inputRow(7) == pad)
    #expect(m.inputRow(8) == [4, 5, 6, 7])
    #expect(m.inputRow(9) == [8, 9, 10, 11])
    #expect(m.inputRow(10) == pad)
    #expect(m.inputRow(11) == pad)
    #expect(m.inputRow(12) == [20, 21, 22, 23])
    #expect(m.inputRow(13) == [24, 25, 26, 27])
    #expect(m.inputRow(14) == pad)
    #expect(m.inputRow(15) == [0, 0, 0, 0])
  }

  @Test func loadWeightAndAccumulatorUseTheirElementSizes() throws {
    var d = DRAMImage(count: 512)
    d.putInt8((0..<32).map { Int8($0 - 16) }, at: 0)
    d.putInt32([1, -2, 70000, Int32.min, 5, 6, 7, 8], at: 64)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    _ = try m.run([
      Instruction(.load(mem(.weight, sram: 1, dram: 0, y: 1, x: 2, stride: 0))),
      Instruction(.load(mem(.accumulator, sram: 2, dram: 4, y: 2, x: 1, stride: 1))),
      Instruction(.load(mem(.accumulator, sram: 4, dram: 0, y: 0, x: 0, stride: 0, pad: (1, 0, 1, 0), padValue: -3))),
    ])
    #expect(Array(m.wgt[16..<48]) == (0..<32).map { Int8($0 - 16) })
    #expect(m.accumulatorRow(2) == [1, -2, 70000, Int32.min])
    #expect(m.accumulatorRow(3) == [5, 6, 7, 8])
    #expect(m.accumulatorRow(4) == [-3, -3, -3, -3])
  }

  @Test func storeNarrowsAccumulatorRowsToInt8WithStride() throws {
    var d = DRAMImage(count: 256)
    d.putInt32([1, -1, 127, -128, 300, -300, 5, 6], at: 0)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    _ = try m.run([
      Instruction(.load(mem(.accumulator, sram: 0, dram: 0, y: 1, x: 2, stride: 0))),
      Instruction(.store(mem(.accumulator, sram: 0, dram: 32, y: 2, x: 1, stride: 3))),
    ])
    let out = DRAMImage(bytes: m.dram)
    #expect(out.int8(at: 128, count: 4) == [1, -1, 127, -128])
    #expect(out.int8(at: 132, count: 8) == [0, 0, 0, 0, 0, 0, 0, 0])
    #expect(out.int8(at: 140, count: 4) == [44, -44, 5, 6])
  }

  @Test func gemmAccumulatesOverMicroOpsAndLoopsAndResetClears() throws {
    var d = DRAMImage(count: 1024)
    let inp: [Int8] = (0..<32).map { Int8($0 % 7 - 3) }
    let wgt: [Int8] = (0..<32).map { Int8(($0 * 5) % 11 - 5) }
    d.putInt8(inp, at: 0)
    d.putInt8(wgt, at: 256)
    d.putInt32((0..<16).map { Int32($0 * 1000) }, at: 512)
    // acc[d] += inp[s] . wgt[w]^T for d = i0*2 + i1, s = i0 + 2*i1 (+1 for uop 1), w = uop.wgt
    try d.putMicroOps([MicroOp(dst: 0, src: 0, wgt: 0), MicroOp(dst: 0, src: 1, wgt: 1), MicroOp(dst: 1)], at: 768)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    let report = try m.run([
      Instruction(.load(mem(.uop, sram: 0, dram: 96, y: 1, x: 3, stride: 0))),
      Instruction(.load(mem(.input, sram: 0, dram: 0, y: 1, x: 8, stride: 0))),
      Instruction(.load(mem(.weight, sram: 0, dram: 16, y: 1, x: 2, stride: 0))),
      Instruction(.load(mem(.accumulator, sram: 0, dram: 32, y: 1, x: 4, stride: 0))),
      Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 2, iterOut: 2, iterIn: 2, dstFactorOut: 2, dstFactorIn: 1,
                                        srcFactorOut: 1, srcFactorIn: 2))),
      Instruction(.gemm(GemmInstruction(reset: true, uopBegin: 2, uopEnd: 3, iterOut: 1, iterIn: 1))),
    ])
    func row(_ e: Int) -> [Int32] { (0..<4).map { Int32(inp[e * 4 + $0]) } }
    func block(_ e: Int, _ o: Int) -> [Int32] { (0..<4).map { Int32(wgt[e * 16 + o * 4 + $0]) } }
    func dot(_ a: [Int32], _ b: [Int32]) -> Int32 { zip(a, b).map(*).reduce(0, +) }
    for i0 in 0..<2 {
      for i1 in 0..<2 {
        let dst = i0 * 2 + i1
        let expected = (0..<4).map { o in Int32(dst * 4 + o) * 1000 + dot(row(i0 + 2 * i1), block(0, o)) + dot(row(i0 + 2 * i1 + 1), block(1, o)) }
        if dst == 1 {
          #expect(m.accumulatorRow(1) == [0, 0, 0, 0])
        } else {
          #expect(m.accumulatorRow(dst) == expected)
        }
      }
    }
    #expect(report.executedMacs == 8 * 16)
    #expect(report.instructions["GEMM.RESET"] == 1)
  }

  static let aluCases: [(AluOpcode, Int32, Int32, Int32)] = [
    (.add, 5, -7, -2), (.add, Int32.max, 1, Int32.min), (.max, -5, 0, 0), (.max, 9, 3, 9), (.min, 9, 3, 3),
    (.shr, -5, 1, -3), (.shr, 5, 1, 3), (.shr, 6, 2, 2), (.shr, -6, 2, -2), (.shr, 1000, 40, 0), (.shr, 7, -1, 7),
    (.mulh, 1 << 30, 1 << 30, 1 << 29), (.mulh, Int32.min, Int32.min, Int32.max), (.mulh, -3, 1 << 30, -1),
    (.shl, 3, 2, 12), (.shl, 1 << 30, 1, Int32.min), (.mov, 1, 42, 42),
  ]

  @Test(arguments: aluCases)
  func aluOperationsFollowTheDocumentedFormulas(op: AluOpcode, x: Int32, y: Int32, expected: Int32) throws {
    #expect(op.apply(x, y) == expected)
    var d = DRAMImage(count: 256)
    d.putInt32([x, x, x, x, y, y, y, y], at: 0)
    try d.putMicroOps([MicroOp(dst: 0, src: 1)], at: 128)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    _ = try m.run([
      Instruction(.load(mem(.uop, sram: 0, dram: 16, y: 1, x: 1, stride: 0))),
      Instruction(.load(mem(.accumulator, sram: 0, dram: 0, y: 1, x: 2, stride: 0))),
      Instruction(.alu(AluInstruction(op: op, uopBegin: 0, uopEnd: 1, iterOut: 1, iterIn: 1))),
    ])
    #expect(m.accumulatorRow(0) == [expected, expected, expected, expected])
    if y >= Int32(ISAFields.imm.minValue) && y <= Int32(ISAFields.imm.maxValue) {
      let mi = NPUMachine(hw: hw, dram: d.bytes)
      _ = try mi.run([
        Instruction(.load(mem(.uop, sram: 0, dram: 16, y: 1, x: 1, stride: 0))),
        Instruction(.load(mem(.accumulator, sram: 0, dram: 0, y: 1, x: 1, stride: 0))),
        Instruction(.alu(AluInstruction(op: op, uopBegin: 0, uopEnd: 1, iterOut: 1, iterIn: 1, immediate: Int(y)))),
      ])
      #expect(mi.accumulatorRow(0) == [expected, expected, expected, expected])
    }
  }

  @Test func aluLoopsUseDestinationAndSourceFactors() throws {
    var d = DRAMImage(count: 512)
    d.putInt32((0..<16).map { Int32($0) }, at: 0)
    d.putInt32([100, 200, 300, 400, 1000, 2000, 3000, 4000], at: 64)
    try d.putMicroOps([MicroOp(dst: 0, src: 4)], at: 256)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    _ = try m.run([
      Instruction(.load(mem(.uop, sram: 0, dram: 32, y: 1, x: 1, stride: 0))),
      Instruction(.load(mem(.accumulator, sram: 0, dram: 0, y: 1, x: 6, stride: 0))),
      Instruction(.alu(AluInstruction(op: .add, uopBegin: 0, uopEnd: 1, iterOut: 2, iterIn: 2, dstFactorOut: 2, dstFactorIn: 1,
                                      srcFactorOut: 0, srcFactorIn: 1))),
    ])
    #expect(m.accumulatorRow(0) == [100, 201, 302, 403])
    #expect(m.accumulatorRow(1) == [1004, 2005, 3006, 4007])
    #expect(m.accumulatorRow(2) == [108, 209, 310, 411])
    #expect(m.accumulatorRow(3) == [1012, 2013, 3014, 4015])
  }

  @Test func finishTakesOneCycleAndEndsTheProgram() throws {
    let m = NPUMachine(hw: hw, dram: [])
    let r = try m.run([Instruction(.finish)])
    #expect(r.cycles == 1)
    #expect(r.instructions == ["FINISH": 1])
  }

  @Test func tokensOrderModulesAcrossQueues() throws {
    var d = DRAMImage(count: 256)
    d.putInt32([9, 8, 7, 6], at: 0)
    let m = NPUMachine(hw: hw, dram: d.bytes)
    // STORE must wait for the compute-side LOAD ACC through the compute->store queue.
    _ = try m.run([
      Instruction(.store(mem(.accumulator, sram: 0, dram: 20, y: 1, x: 1, stride: 0)), deps: [.popPrev]),
      Instruction(.load(mem(.accumulator, sram: 0, dram: 0, y: 1, x: 1, stride: 0)), deps: [.pushNext]),
    ])
    #expect(DRAMImage(bytes: m.dram).int8(at: 80, count: 4) == [9, 8, 7, 6])
  }
}

extension DRAMImage {
  init(bytes: [UInt8]) {
    self.init(count: 0)
    self.bytes = bytes
  }
}
