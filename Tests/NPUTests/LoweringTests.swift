import Testing
@testable import PolycNPU

/// Properties of lowered programs: legal tiles, balanced tokens, DRAM layout, options, errors.
@Suite struct LoweringTests {
  static func tokenBalance(_ program: [Instruction]) -> [Int] {
    var balance = [0, 0, 0, 0]
    for inst in program {
      for q in TimingState.pushes(inst) { balance[q] += 1 }
      for q in TimingState.pops(inst) { balance[q] -= 1 }
    }
    return balance
  }

  @Test func everyPushedTokenIsPopped() throws {
    for options in SimulatorMatchesReferenceTests.optionSets {
      let program = try NPULowering.lower(.conv2d(.random(shape: ConvShape(height: 9, width: 9, inChannels: 20, outChannels: 40, kernel: 3, pad: 1))),
                                          hw: .npu16, options: options)
      #expect(Self.tokenBalance(program.instructions) == [0, 0, 0, 0])
      #expect(program.instructions.last?.operation == .finish)
    }
  }

  @Test func rankedTilesAreLegalAndTheChosenTileIsTheBestRanked() throws {
    let shape = ConvShape(height: 14, width: 14, inChannels: 32, outChannels: 48, kernel: 3, pad: 1)
    let ranked = NPULowering.rankTiles(shape: shape, hw: .npu16, doubleBuffer: true)
    #expect(!ranked.isEmpty)
    let p = BlockedConv(shape, hw: .npu16)
    for e in ranked { #expect(TileChooser.illegality(e.tile, p, hw: .npu16, doubleBuffer: true) == nil) }
    let program = try NPULowering.lower(.conv2d(.random(shape: shape)), hw: .npu16)
    #expect(program.tiles == ranked[0].tile)
  }

  @Test func minimalTilesAreOneCoreBlock() throws {
    let program = try NPULowering.lower(.gemm(.random(m: 40, n: 40, k: 40)), hw: .npu16, options: LoweringOptions(tiles: .minimal))
    #expect(program.tiles == TileShape(rows: 1, cols: 16, outBlocks: 1, inBlocks: 1))
  }

  @Test func doubleBufferingAndLargerTilesAreFaster() throws {
    let w = NPUWorkload.conv2d(.random(shape: ConvShape(height: 14, width: 14, inChannels: 32, outChannels: 32, kernel: 3, pad: 1)))
    func cycles(_ o: LoweringOptions) throws -> Int { try NPUDriver.run(workload: w, options: o).report.cycles }
    let best = try cycles(LoweringOptions())
    #expect(best < (try cycles(LoweringOptions(doubleBuffer: false))))
    #expect(try cycles(LoweringOptions(tiles: .minimal)) < (try cycles(LoweringOptions(doubleBuffer: false, tiles: .minimal))))
    #expect(best * 2 < (try cycles(LoweringOptions(doubleBuffer: false, tiles: .minimal))))
  }

  @Test func dramRegionsAreAlignedAndDisjoint() throws {
    let program = try NPULowering.lower(.gemm(.random(m: 37, n: 50, k: 75)), hw: .npu16)
    #expect(program.regions.map(\.name) == ["input", "weights", "requant", "output", "microOps"])
    for (a, b) in zip(program.regions, program.regions.dropFirst()) {
      #expect(a.byteOffset + a.byteCount <= b.byteOffset)
      #expect(b.byteOffset % b.elementBytes == 0)
    }
    #expect(program.dram.count == program.regions.last!.byteOffset + program.regions.last!.byteCount)
    #expect(program.assembly().contains("; dram weights: "))
  }

  @Test func foldedBiasCarriesTheInputZeroPoint() {
    var c = Conv2DWorkload.random(shape: ConvShape(height: 2, width: 2, inChannels: 2, outChannels: 1, kernel: 1), seed: 1)
    c.weights = [3, -4]
    c.bias = [100]
    c.inputZeroPoint = 5
    #expect(NPULowering.foldedBias(c) == [100 - 5 * (3 - 4)])
  }

  @Test func illegalRequestsAreTypedErrors() throws {
    let g = GemmWorkload.random(m: 20, n: 20, k: 20)
    #expect {
      try NPULowering.lower(g, hw: .npu16, options: LoweringOptions(tiles: .fixed(TileShape(rows: 1, cols: 100, outBlocks: 1, inBlocks: 1))))
    } throws: { e in
      if case NPULoweringError.tilesDoNotFit = e { return true }
      return false
    }
    var bad = g
    bad.bias = [1, 2]
    #expect(throws: NPULoweringError.invalidWorkload(WorkloadError(field: "bias", message: "has 2 elements, expected N = 20"))) {
      try NPULowering.lower(bad, hw: .npu16)
    }
    let hugePad = Conv2DWorkload.random(shape: ConvShape(height: 3, width: 3, inChannels: 1, outChannels: 1, kernel: 1, pad: 16))
    #expect {
      try NPULowering.lower(hugePad, hw: .npu16)
    } throws: { e in
      if case NPULoweringError.unsupported = e { return true }
      return false
    }
    let tinyHW = HardwareConfig(name: "x", scratchpad: .init(inputBytes: 16, weightBytes: 256, accumulatorBytes: 64, microOpBytes: 8))
    #expect(throws: NPULoweringError.self) { try NPULowering.lower(g, hw: tinyHW) }
  }

  /// Golden: the disassembly of a small GEMM with fixed tiles (two spatial tiles, a partial one,
  /// weights resident in both slots after the first tile).
  @Test func smallGemmLowersToTheExpectedAssembly() throws {
    let g = GemmWorkload.random(m: 20, n: 16, k: 32, seed: 1, relu: true)
    let program = try NPULowering.lower(g, hw: .npu16, options: LoweringOptions(tiles: .fixed(TileShape(rows: 1, cols: 16, outBlocks: 1, inBlocks: 1))))
    #expect(NPUAssembler.disassemble(program.instructions) == """
      LOAD UOP sram=0 dram=256 y=1 x=10 stride=0
      LOAD ACC sram=0 dram=20 y=1 x=4 stride=0
      LOAD INP sram=0 dram=0 y=1 x=16 stride=0
      LOAD WGT sram=0 dram=3 y=1 x=1 stride=0 push_next
      ALU MOV uop=0:1 iter=16,1 dst=1,0 src=0,0 pop_prev
      GEMM uop=1:2 iter=1,16 dst=0,1 src=0,1 wgt=0,0 push_prev
      LOAD INP sram=16 dram=20 y=1 x=16 stride=0
      LOAD WGT sram=1 dram=4 y=1 x=1 stride=0 push_next
      GEMM uop=2:3 iter=1,16 dst=0,1 src=0,1 wgt=0,0 pop_prev
      ALU MULH uop=3:4 iter=16,1 dst=1,0 src=0,0
      ALU SHR uop=4:5 iter=16,1 dst=1,0 src=0,0
      ALU ADD uop=0:1 iter=16,1 dst=1,0 src=0,0 imm=-5
      ALU MAX uop=0:1 iter=16,1 dst=1,0 src=0,0 imm=-5
      ALU MIN uop=0:1 iter=16,1 dst=1,0 src=0,0 imm=127 push_prev push_next
      STORE ACC sram=4 dram=96 y=1 x=16 stride=0 pop_prev
      LOAD INP sram=0 dram=16 y=1 x=4 stride=0 pop_next push_next
      ALU MOV uop=5:6 iter=4,1 dst=1,0 src=0,0 pop_prev
      GEMM uop=6:7 iter=1,4 dst=0,1 src=0,1 wgt=0,0
      LOAD INP sram=16 dram=36 y=1 x=4 stride=0 pop_next push_next
      GEMM uop=7:8 iter=1,4 dst=0,1 src=0,1 wgt=0,0 pop_prev
      ALU MULH uop=8:9 iter=4,1 dst=1,0 src=0,0
      ALU SHR uop=9:10 iter=4,1 dst=1,0 src=0,0
      ALU ADD uop=5:6 iter=4,1 dst=1,0 src=0,0 imm=-5
      ALU MAX uop=5:6 iter=4,1 dst=1,0 src=0,0 imm=-5
      ALU MIN uop=5:6 iter=4,1 dst=1,0 src=0,0 imm=127 push_next
      STORE ACC sram=20 dram=112 y=1 x=4 stride=0 pop_prev push_prev
      FINISH pop_next

      """)
  }
}

/// The ALU-only lowering on a hand-written workload: a 2x2 max pool and a rescale with a
/// constant row, simulated bit-exact against `ElementwiseWorkload.referenceOutput`.
@Suite struct ElementwiseLoweringTests {
  static func input(_ h: Int, _ w: Int, _ c: Int, batch: Int = 1, seed: UInt64) -> ElementwiseInput {
    var rng = DeterministicRandom(seed: seed)
    return ElementwiseInput(height: h, width: w, values: (0..<(batch * h * w * c)).map { _ in Int32(rng.int8()) })
  }

  @Test func maxPoolAndRescaleMatchTheReference() throws {
    let pool = ElementwiseWorkload(
      batch: 1, outHeight: 3, outWidth: 5, channels: 20, inputs: [Self.input(6, 10, 20, seed: 3)],
      taps: [ElementwiseTap(input: 0, strideY: 2, strideX: 2), ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetX: 1),
             ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetY: 1), ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetY: 1, offsetX: 1)],
      constants: [], expression: .op(.max, .op(.max, .tap(0), .tap(1)), .op(.max, .tap(2), .tap(3))))
    let rescale = ElementwiseWorkload(
      batch: 2, outHeight: 1, outWidth: 7, channels: 3, inputs: [Self.input(1, 14, 3, batch: 2, seed: 4)],
      taps: [ElementwiseTap(input: 0, strideX: 2)], constants: [[1 << 30, 3 << 28, 1 << 29]],
      expression: .op(.min, .op(.max, .op(.mulh, .op(.shl, .tap(0), .immediate(2)), .constant(0)), .immediate(-100)), .immediate(100)))
    for (w, pixels) in [(pool, 2), (rescale, nil)] {
      let p = try ElementwiseLowering.lower(w, hw: .npu16, pixelsPerTile: pixels)
      let (report, output) = try p.simulate()
      #expect(output == w.referenceOutput())
      #expect(report.instructions["ALU.MAX", default: 0] + report.instructions["ALU.MIN", default: 0] > 0)
    }
  }

  @Test func aTapOutsideItsInputIsRejected() throws {
    let w = ElementwiseWorkload(batch: 1, outHeight: 2, outWidth: 2, channels: 1, inputs: [Self.input(2, 2, 1, seed: 1)],
                                taps: [ElementwiseTap(input: 0, offsetX: 1)], constants: [], expression: .tap(0))
    #expect(throws: NPULoweringError.self) { try ElementwiseLowering.lower(w, hw: .npu16) }
  }
}
