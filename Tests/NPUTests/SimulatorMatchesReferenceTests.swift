import Testing
@testable import PolycNPU

/// Bit-exact equality of the simulated NPU output and the CPU reference, over shapes that are
/// not multiples of the core size, several tilings, buffering modes and hardware configs.
@Suite struct SimulatorMatchesReferenceTests {
  static let optionSets: [LoweringOptions] = [
    LoweringOptions(), LoweringOptions(doubleBuffer: false), LoweringOptions(tiles: .minimal),
    LoweringOptions(doubleBuffer: false, tiles: .minimal),
  ]

  @Test(arguments: [(1, 1, 1), (16, 16, 16), (37, 50, 75), (5, 33, 17), (64, 48, 200), (3, 130, 9)])
  func matmulIsBitExact(shape: (Int, Int, Int)) throws {
    let g = GemmWorkload.random(m: shape.0, n: shape.1, k: shape.2, seed: UInt64(shape.0 * 1000 + shape.1))
    let reference = NPUReference.gemm(g)
    for options in Self.optionSets {
      let r = try NPUDriver.run(gemm: g, options: options)
      #expect(r.output == reference, "M=\(shape.0) N=\(shape.1) K=\(shape.2) \(options)")
      #expect(r.bitExact)
    }
  }

  static let convShapes: [ConvShape] = [
    ConvShape(height: 7, width: 7, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, pad: 1),
    ConvShape(height: 7, width: 7, inChannels: 3, outChannels: 5, kernel: 5, stride: 1, pad: 2),
    ConvShape(height: 9, width: 11, inChannels: 20, outChannels: 33, kernel: 3, stride: 2, pad: 1),
    ConvShape(batch: 2, height: 5, width: 6, inChannels: 17, outChannels: 18, kernel: 1),
    ConvShape(height: 6, width: 5, inChannels: 4, outChannels: 7, kernelHeight: 2, kernelWidth: 3, strideH: 1, strideW: 2,
              padTop: 0, padBottom: 2, padLeft: 1, padRight: 0),
    ConvShape(height: 8, width: 8, inChannels: 5, outChannels: 3, kernel: 2, stride: 3, pad: 0),
    ConvShape(height: 4, width: 4, inChannels: 16, outChannels: 16, kernel: 4),
    ConvShape(height: 3, width: 3, inChannels: 2, outChannels: 2, kernel: 1, stride: 1, pad: 2),
  ]

  @Test(arguments: convShapes)
  func convIsBitExact(shape: ConvShape) throws {
    for relu in [false, true] {
      let c = Conv2DWorkload.random(shape: shape, seed: UInt64(shape.height * 31 + shape.outChannels), relu: relu)
      let reference = NPUReference.conv2d(c)
      for options in Self.optionSets {
        let r = try NPUDriver.run(conv: c, options: options)
        #expect(r.output == reference, "\(shape) relu=\(relu) \(options)")
      }
    }
  }

  @Test(arguments: [(1, 75, 50), (3, 300, 20), (2, 16, 16)])
  func fullyConnectedWithReluIsBitExact(shape: (Int, Int, Int)) throws {
    let f = FullyConnectedWorkload.random(batch: shape.0, inFeatures: shape.1, outFeatures: shape.2, seed: 77)
    #expect(f.relu)
    let reference = NPUReference.fullyConnected(f)
    #expect(reference.allSatisfy { Int32($0) >= f.requant.outputZeroPoint })
    #expect(NPUReference.gemm(f.asGemm()) == reference)
    for options in Self.optionSets {
      let r = try NPUDriver.run(workload: .fullyConnected(f), options: options)
      #expect(r.output == reference, "\(shape) \(options)")
    }
  }

  @Test func scalesAboveOneUseTheLeftShiftPath() throws {
    var g = GemmWorkload.random(m: 9, n: 20, k: 3, seed: 8)
    g.requant = Requantization(effectiveScales: (0..<20).map { $0 % 2 == 0 ? 0.004 : 2.75 + Double($0) }, outputZeroPoint: 3)
    #expect(g.requant.shifts.contains { $0 > 0 })
    let program = try NPULowering.lower(g, hw: .npu16)
    #expect(program.instructions.contains {
      if case .alu(let a) = $0.operation { return a.op == .shl }
      return false
    })
    let r = try NPUDriver.run(gemm: g)
    #expect(r.output == NPUReference.gemm(g))
  }

  @Test func tiledReductionAndOutputChannelsOnSmallScratchpadsAreBitExact() throws {
    let hw = HardwareConfig(name: "small", scratchpad: .init(inputBytes: 2048, weightBytes: 8192, accumulatorBytes: 4096, microOpBytes: 4096))
    let c = Conv2DWorkload.random(shape: ConvShape(height: 10, width: 9, inChannels: 70, outChannels: 40, kernel: 3, stride: 1, pad: 1), seed: 4)
    for db in [true, false] {
      let program = try NPULowering.lower(c, hw: hw, options: LoweringOptions(doubleBuffer: db))
      let blocks = BlockedConv(c.shape, hw: hw)
      #expect(program.tiles.inBlocks < blocks.cb || program.tiles.outBlocks < blocks.nb)
      let (_, output) = try program.simulate()
      #expect(output == NPUReference.conv2d(c))
    }
  }

  @Test func fixedOddTilesAndBothLoopOrdersAreBitExact() throws {
    let c = Conv2DWorkload.random(shape: ConvShape(height: 9, width: 10, inChannels: 40, outChannels: 40, kernel: 3, stride: 1, pad: 1), seed: 12)
    let reference = NPUReference.conv2d(c)
    for order in LoopOrder.allCases {
      for tile in [TileShape(rows: 4, cols: 3, outBlocks: 2, inBlocks: 2, order: order), TileShape(rows: 9, cols: 10, outBlocks: 1, inBlocks: 3, order: order)] {
        let r = try NPUDriver.run(conv: c, options: LoweringOptions(tiles: .fixed(tile)))
        #expect(r.output == reference, "\(tile)")
        #expect(r.program.tiles == tile)
      }
    }
  }

  @Test func theThirtyTwoWideCoreIsBitExact() throws {
    let hw = try HardwareConfig.load(path: RepoFiles.path("Configs/hw/npu32.json"))
    let g = GemmWorkload.random(m: 37, n: 50, k: 75, seed: 3)
    #expect(try NPUDriver.run(gemm: g, hw: hw).output == NPUReference.gemm(g))
    let c = Conv2DWorkload.random(shape: ConvShape(height: 7, width: 7, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, pad: 1), seed: 5, relu: true)
    #expect(try NPUDriver.run(conv: c, hw: hw).output == NPUReference.conv2d(c))
  }

  @Test func convolutionReferenceAgreesWithTheGemmReferenceOnOneByOneKernels() {
    let g = GemmWorkload.random(m: 13, n: 21, k: 34, seed: 6, relu: true)
    #expect(NPUReference.conv2d(g.asConv2D()) == NPUReference.gemm(g))
  }
}
