// The schedule drives the NPU program: loop order from hand-written schedule
// trees, tile sizes from the strategy, the NPU model when they are 'auto',
// notes for what the NPU cannot follow, errors for tiles that cannot fit.

import PolycDriver
import Foundation
import PolycISL
import PolycNPU
import PolycNPUCodeGen
import PolycScheduler
import Testing
import TestSupport

@Suite struct ScheduleTilingTests {
  typealias S = NPUTestSupport
  static let sizes = ["M": 64, "N": 64, "K": 64]

  /// qmatmul's statements under a hand-written tree whose Mac band visits `order`.
  static func tree(macOrder order: [String]) -> String {
    let band = order.map { "{ Mac[i, k, j] -> [(\($0))] }" }.joined(separator: ", ")
    return """
      domain: "[M, N, K] -> { Bias[i, j] : 0 <= i < M and 0 <= j < N; Mac[i, k, j] : 0 <= i < M and 0 <= k < K and 0 <= j < N; Requant[i, j] : 0 <= i < M and 0 <= j < N }"
      child:
        sequence:
        - filter: "[M, N, K] -> { Bias[i, j] }"
          child:
            schedule: "[M, N, K] -> [{ Bias[i, j] -> [(i)] }, { Bias[i, j] -> [(j)] }]"
        - filter: "[M, N, K] -> { Mac[i, k, j] }"
          child:
            schedule: "[M, N, K] -> [\(band)]"
        - filter: "[M, N, K] -> { Requant[i, j] }"
          child:
            schedule: "[M, N, K] -> [{ Requant[i, j] -> [(i)] }, { Requant[i, j] -> [(j)] }]"
      """
  }

  static func analyze(order: [String], strategy: Strategy) throws -> NPUKernel {
    let c = try S.compile(kernel: "qmatmul")
    let schedule = try Schedule(c.scop.ctx, tree(macOrder: order))
    return try NPUCodeGen.analyze(scop: c.scop, schedule: schedule, strategy: strategy, sizes: sizes, hardware: .npu16)
  }

  @Test func outputChannelOutsideThePixelsKeepsWeightsResident() throws {
    let k = try Self.analyze(order: ["j", "i", "k"], strategy: try S.strategy())
    #expect(k.plan.lowering.order == .channelOuter)
    #expect(k.plan.loops.map(\.iterator) == ["j", "i", "k"])
  }

  @Test func pixelsOutsideKeepInputPatchesResident() throws {
    let k = try Self.analyze(order: ["i", "j", "k"], strategy: try S.strategy())
    #expect(k.plan.lowering.order == .spatialOuter)
    #expect(!k.notes.contains { $0.contains("reduction") })
  }

  @Test func reductionOutsideIsReportedNotDropped() throws {
    let k = try Self.analyze(order: ["k", "i", "j"], strategy: try S.strategy())
    #expect(k.notes.contains { $0.contains("reduction 'k'") && $0.contains("innermost tile loop") }, "\(k.notes)")
  }

  @Test func skewedRowsAreReported() throws {
    let c = try S.compile(kernel: "qmatmul")
    let text = Self.tree(macOrder: ["i", "j", "k"]).replacingOccurrences(of: "{ Mac[i, k, j] -> [(j)] }", with: "{ Mac[i, k, j] -> [(i + j)] }")
    let k = try NPUCodeGen.analyze(scop: c.scop, schedule: try Schedule(c.scop.ctx, text), strategy: try S.strategy(), sizes: Self.sizes, hardware: .npu16)
    #expect(k.notes.contains { $0.contains("skewing") }, "\(k.notes)")
  }

  @Test func tileSizesComeFromTheStrategy() throws {
    var s = try S.strategy()
    s.tiling.sizes = .fixed([8, 48, 40])
    let k = try Self.analyze(order: ["i", "j", "k"], strategy: s)
    guard case .fixed(let t) = k.plan.lowering.tiles else { Issue.record("expected fixed tiles"); return }
    #expect(t.cols == 8 && t.outBlocks == 3 && t.inBlocks == 3, "\(t)")
    #expect(k.notes.contains { $0.contains("input-channel tile 40 rounded up to 3 block(s)") }, "\(k.notes)")
  }

  @Test func autoSizesUseTheNPUModelInTheScheduleOrder() throws {
    let k = try Self.analyze(order: ["j", "i", "k"], strategy: try S.strategy())
    #expect(k.plan.lowering.tiles == .auto && k.plan.lowering.order == .channelOuter)
    let compiled = try NPUCodeGen.lower(k, seed: 1)
    #expect(compiled.program.tiles.order == .channelOuter)
  }

  @Test func tilesThatCannotFitAreAnErrorNamingTheKey() throws {
    var s = try S.strategy()
    s.tiling.sizes = .fixed([100000, 100000, 100000])
    let c = try S.compile(kernel: "qmatmul", strategy: s)
    let e = try #require(S.error { _ = try S.analyze(c, sizes: ["M": 5000, "N": 2000, "K": 2000]) })
    #expect(e.part == "tiling" && e.message.contains("tiling.sizes"), "\(e)")
  }

  @Test func differentStrategiesGiveDifferentStreams() throws {
    var small = try S.strategy()
    small.tiling.sizes = .fixed([16, 16, 16])
    var streams: [String] = []
    var cycles: [Int] = []
    for s in [try S.strategy(), small] {
      let c = try S.compile(kernel: "qmatmul", strategy: s)
      let r = try NPURunner.run(c, sizes: Self.sizes, options: NPUKernelRunOptions())
      #expect(r.run.bitExact)
      streams.append(NPUAssembler.disassemble(r.run.program.instructions))
      cycles.append(r.run.report.cycles)
    }
    #expect(streams[0] != streams[1])
    #expect(cycles[0] != cycles[1])
  }

  @Test func hardwareComesFromTheStrategyAndAMissingFileIsAnError() throws {
    let good = try S.strategy(json: #"{"version": 1, "name": "t", "backend": "identity", "target": {"kind": "npu", "hardware": "hw/npu32.json"}}"#)
    #expect(try NPURunner.hardware(strategy: good, override: nil).name == "npu32")
    #expect(try NPURunner.hardware(strategy: good, override: .npu16).name == "npu16")
    let bad = try S.strategy(json: #"{"version": 1, "name": "t", "backend": "identity", "target": {"kind": "npu", "hardware": "hw/none.json"}}"#)
    do {
      _ = try NPURunner.hardware(strategy: bad, override: nil)
      Issue.record("a missing hardware file was accepted")
    } catch let e as PolycError {
      #expect("\(e)".contains("target.hardware"), "\(e)")
    }
  }
}

@Suite struct NPUBenchmarkTableTests {
  @Test func everyStrategyOfTheTableRunsBitExact() throws {
    let small = [NPUBenchmarkCase(name: "tiny qmatmul", kernel: "Kernels/npu/qmatmul.loop", sizes: ["M": 20, "N": 20, "K": 20])]
    let rows = try NPUKernelBenchmark.run(root: Fixtures.root, hw: nil, cases: small)
    #expect(rows.count == NPUKernelBenchmark.strategies.count)
    #expect(rows.allSatisfy { $0.bitExact })
    #expect(Swift.Set(rows.map(\.strategy)) == ["npu", "tensor", "isl", "npu-tiles16"])
    #expect(NPUKernelBenchmark.table(rows).contains("| tiny qmatmul | npu-tiles16 |"))
  }
}

/// Footprints computed with isl on hand-written kernels: the input patch of a tile.
@Suite struct FootprintTests {
  typealias S = NPUTestSupport

  @Test(arguments: [
    ("qconv2d", ["H": 20, "W": 20, "C": 5, "K": 3], 4, 6, ["h": 6, "w": 8, "c": 5]),
    ("qconv2d_s2", ["H": 20, "W": 20, "C": 5, "K": 3], 4, 6, ["h": 9, "w": 13, "c": 5]),
    ("qconv_dilated", ["H": 20, "W": 20, "C": 5, "K": 3], 4, 6, ["h": 8, "w": 10, "c": 5]),
    ("qconv5x5", ["H": 20, "W": 20, "C": 5, "K": 3], 2, 3, ["h": 6, "w": 7, "c": 5]),
    ("qmatmul", ["M": 40, "N": 8, "K": 9], 1, 16, ["w": 16, "c": 9]),
  ])
  func inputFootprintOfATile(kernel: String, sizes: [String: Int], rows: Int, cols: Int, expected: [String: Int]) throws {
    let c = try S.compile(kernel: kernel)
    let t = try Tensorizer(scop: c.scop, sizes: sizes).run()
    let f = try Tensorizer(scop: c.scop, sizes: sizes).inputFootprint(t, rows: rows, cols: cols)
    #expect(f.extents == expected, "\(f)")
  }

  @Test func theRunReportsTheCheckedFootprint() throws {
    let r = try NPURunner.run(try S.compile(kernel: "qconv2d"), sizes: ["H": 9, "W": 9, "C": 4, "K": 3], options: NPUKernelRunOptions())
    #expect(r.kernel.notes.contains { $0.contains("isl footprint of 'In'") }, "\(r.kernel.notes)")
  }
}
