// Tile-size selection for the implicit-GEMM lowering.
//
// A convolution (GEMM and FC are 1x1 convolutions over a 1 x M image) is tiled into
//   spatial tiles  : `rows` x `cols` output pixels (rows of OH, columns of OW),
//   N tiles        : `outBlocks` blocks of BLOCK_OUT output channels,
//   K tiles        : `inBlocks` blocks of BLOCK_IN input channels (all KH x KW taps at once).
// The loop nest is (spatial, N, K) or (N, spatial, K); K is always innermost so an output tile
// stays in the accumulator until its epilogue and store. Scratchpads are split into 2 slots per
// buffer when double buffering (1 otherwise); a tile already resident in a slot is not
// reloaded, which is where reuse comes from.
//
// `TileChooser` enumerates legal tiles, estimates cycles with an analytic model of the three
// overlapped modules (compute, load, store, shared DRAM channel), and ranks them; the lowering
// takes the best one whose micro-op tables fit.

import Foundation

/// Loop order of the tiled nest (the reduction loop is always innermost).
package enum LoopOrder: String, Codable, Sendable, CaseIterable {
  /// for spatial tile { for N tile { for K tile } }: input patches are reused across N tiles.
  case spatialOuter
  /// for N tile { for spatial tile { for K tile } }: weight tiles are reused across spatial tiles.
  case channelOuter
}

/// Tile sizes of the implicit-GEMM lowering.
package struct TileShape: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
  /// Output rows (of OH) per tile. GEMM: always 1.
  package var rows: Int
  /// Output columns (of OW) per tile. GEMM: rows of C (the M dimension).
  package var cols: Int
  /// BLOCK_OUT output-channel blocks per tile (the N dimension).
  package var outBlocks: Int
  /// BLOCK_IN input-channel blocks per reduction tile (the K dimension, with all KH x KW taps).
  package var inBlocks: Int
  package var order: LoopOrder

  package init(rows: Int, cols: Int, outBlocks: Int, inBlocks: Int, order: LoopOrder = .spatialOuter) {
    self.rows = rows
    self.cols = cols
    self.outBlocks = outBlocks
    self.inBlocks = inBlocks
    self.order = order
  }

  package var description: String { "\(rows)x\(cols) px, \(outBlocks) out-blocks, \(inBlocks) in-blocks, \(order.rawValue)" }
}

/// How the lowering picks tiles.
package enum TilePolicy: Equatable, Sendable {
  /// The best-ranked tile of `TileChooser`.
  case auto
  /// The smallest legal tile: one core block (1 x BLOCK_OUT pixels, one BLOCK_OUT channel
  /// block, one BLOCK_IN reduction block).
  case minimal
  /// A given tile (checked for legality).
  case fixed(TileShape)
}

/// Options of the lowering.
package struct LoweringOptions: Equatable, Sendable {
  /// Two slots per scratchpad so that LOAD of tile t+1, GEMM of tile t and STORE of tile t-1 overlap.
  package var doubleBuffer: Bool
  package var tiles: TilePolicy
  /// The loop order `auto` tiles must have (nil: the cost model picks it too).
  package var order: LoopOrder?

  package init(doubleBuffer: Bool = true, tiles: TilePolicy = .auto, order: LoopOrder? = nil) {
    self.doubleBuffer = doubleBuffer
    self.tiles = tiles
    self.order = order
  }
}

/// A convolution in units of hardware blocks.
struct BlockedConv {
  let shape: ConvShape
  let bo: Int
  let bi: Int
  /// Input-channel blocks CB = ceil(C / BLOCK_IN).
  let cb: Int
  /// Output-channel blocks NB = ceil(OC / BLOCK_OUT).
  let nb: Int
  let oh: Int
  let ow: Int

  init(_ shape: ConvShape, hw: HardwareConfig) {
    self.shape = shape
    bo = hw.blockOut
    bi = hw.blockIn
    cb = (shape.inChannels + bi - 1) / bi
    nb = (shape.outChannels + bo - 1) / bo
    oh = shape.outputHeight
    ow = shape.outputWidth
  }

  var kh: Int { shape.kernelHeight }
  var kw: Int { shape.kernelWidth }
  var taps: Int { kh * kw }
  func patchHeight(_ rows: Int) -> Int { (rows - 1) * shape.strideH + shape.effectiveKernelHeight }
  func patchWidth(_ cols: Int) -> Int { (cols - 1) * shape.strideW + shape.effectiveKernelWidth }
}

/// Scratchpad partition for one tile shape.
struct BufferPlan {
  let slotsIn: Int
  let slotsWgt: Int
  let slotsAcc: Int
  let inpSlotEntries: Int
  /// Entries between the patches of consecutive input-channel blocks in a slot.
  let cbPitch: Int
  let wgtSlotEntries: Int
  let accSlotEntries: Int
  /// Accumulator rows reserved for requantization parameters (at entry 0).
  let paramRows: Int
  /// All output channels' parameters are loaded once (else per N tile).
  let paramsAll: Bool

  static let paramsPerBlock = 4

  init(tile t: TileShape, problem p: BlockedConv, hw: HardwareConfig, doubleBuffer: Bool) {
    let slots = doubleBuffer ? 2 : 1
    slotsIn = slots
    slotsWgt = slots
    slotsAcc = slots
    cbPitch = p.patchHeight(t.rows) * p.patchWidth(t.cols)
    inpSlotEntries = t.inBlocks * cbPitch
    wgtSlotEntries = t.outBlocks * p.taps * t.inBlocks
    accSlotEntries = t.rows * t.cols * t.outBlocks
    let all = Self.paramsPerBlock * p.nb * p.shape.weightSets
    paramsAll = all <= hw.depth(.accumulator) / 8
    paramRows = paramsAll ? all : Self.paramsPerBlock * t.outBlocks
  }

  func accSlotBase(_ slot: Int) -> Int { paramRows + slot * accSlotEntries }
}

/// An estimated cost of one tile shape.
package struct TileEstimate: Equatable, Sendable {
  package var tile: TileShape
  /// Estimated total cycles.
  package var cycles: Double
  /// Estimated DRAM traffic in bytes.
  package var dramBytes: Double
}

package enum TileChooser {
  /// Why a tile is not legal for this problem and hardware, or nil when it is.
  static func illegality(_ t: TileShape, _ p: BlockedConv, hw: HardwareConfig, doubleBuffer: Bool) -> String? {
    if t.rows < 1 || t.cols < 1 || t.outBlocks < 1 || t.inBlocks < 1 { return "tile sizes must be >= 1" }
    if t.rows > p.oh || t.cols > p.ow || t.outBlocks > p.nb || t.inBlocks > p.cb { return "tile larger than the problem" }
    let b = BufferPlan(tile: t, problem: p, hw: hw, doubleBuffer: doubleBuffer)
    if b.inpSlotEntries * b.slotsIn > hw.depth(.input) {
      return "input patch of \(b.inpSlotEntries) entries x \(b.slotsIn) slots exceeds the \(hw.depth(.input))-entry input scratchpad"
    }
    if b.wgtSlotEntries * b.slotsWgt > hw.depth(.weight) {
      return "weight tile of \(b.wgtSlotEntries) blocks x \(b.slotsWgt) slots exceeds the \(hw.depth(.weight))-block weight scratchpad"
    }
    if b.paramRows + b.accSlotEntries * b.slotsAcc > hw.depth(.accumulator) {
      return "accumulator tile of \(b.accSlotEntries) rows x \(b.slotsAcc) slots + \(b.paramRows) parameter rows exceeds the \(hw.depth(.accumulator))-row accumulator"
    }
    let iwt = p.patchWidth(t.cols), iht = p.patchHeight(t.rows)
    let f = ISAFields.self
    if t.rows > f.iterOut.maxValue || t.cols > f.iterIn.maxValue { return "tile extent exceeds the GEMM loop fields" }
    if t.rows > 1 && (t.cols * t.outBlocks > f.dstFactorOut.maxValue || p.shape.strideH * iwt > f.srcFactorOut.maxValue) {
      return "tile row pitch exceeds the GEMM factor fields"
    }
    if t.cols > 1 && (t.outBlocks > f.dstFactorIn.maxValue || p.shape.strideW > f.srcFactorIn.maxValue) {
      return "tile column pitch exceeds the GEMM factor fields"
    }
    if t.outBlocks > f.dstFactorOut.maxValue { return "too many output blocks for the ALU factor fields" }
    if iht > f.ySize.maxValue || iwt > f.xSize.maxValue || (iht > 1 && p.shape.width > f.xStride.maxValue) {
      return "input patch exceeds the LOAD fields"
    }
    if t.outBlocks * p.taps > f.ySize.maxValue || (t.outBlocks * p.taps > 1 && p.cb > f.xStride.maxValue) {
      return "weight tile exceeds the LOAD fields"
    }
    if t.outBlocks * p.taps * t.inBlocks > hw.depth(.uop) { return "micro-op table larger than the micro-op scratchpad" }
    return nil
  }

  /// The smallest legal tile: one core block.
  static func minimal(_ p: BlockedConv) -> TileShape {
    TileShape(rows: 1, cols: min(p.ow, p.bo), outBlocks: 1, inBlocks: 1, order: .spatialOuter)
  }

  /// Distinct values ceil(n / k), largest first, at most `limit` of them (always including 1).
  static func splits(_ n: Int, limit: Int = 24) -> [Int] {
    var out: [Int] = []
    var k = 1
    while out.count < limit {
      let v = (n + k - 1) / k
      if out.last != v { out.append(v) }
      if v == 1 { break }
      k += 1
    }
    if out.last != 1 { out.append(1) }
    return out
  }

  /// Why `tile` is not legal for this shape and hardware, or nil when it is.
  package static func illegality(of tile: TileShape, shape: ConvShape, hw: HardwareConfig, doubleBuffer: Bool) -> String? {
    illegality(tile, BlockedConv(shape, hw: hw), hw: hw, doubleBuffer: doubleBuffer)
  }

  /// Ranked legal tiles (best first) for a convolution shape, in any loop
  /// order or only in `order`.
  package static func rank(shape: ConvShape, hw: HardwareConfig, doubleBuffer: Bool, order: LoopOrder? = nil) -> [TileEstimate] {
    rank(BlockedConv(shape, hw: hw), hw: hw, doubleBuffer: doubleBuffer, orders: order.map { [$0] } ?? LoopOrder.allCases)
  }

  /// Pixel extents tried along a dimension of `n` pixels: the even splits
  /// ceil(n / k), multiples of the GEMM block and powers of two (a long
  /// dimension then still gets block-sized tiles, not only n / 24).
  static func pixelCandidates(_ n: Int, block: Int) -> [Int] {
    var c = Swift.Set(splits(n))
    var m = block
    while m < n && m <= 64 * block { c.insert(m); m += block }
    var p = 1
    while p < n { c.insert(p); p *= 2 }
    return c.filter { $0 >= 1 && $0 <= n }.sorted(by: >)
  }

  static func rank(_ p: BlockedConv, hw: HardwareConfig, doubleBuffer: Bool, orders: [LoopOrder] = LoopOrder.allCases) -> [TileEstimate] {
    var out: [TileEstimate] = []
    for inBlocks in splits(p.cb, limit: 12) {
      for outBlocks in splits(p.nb, limit: 12) {
        for rows in splits(p.oh) {
          for cols in pixelCandidates(p.ow, block: p.bo) {
            for order in orders {
              let t = TileShape(rows: rows, cols: cols, outBlocks: outBlocks, inBlocks: inBlocks, order: order)
              if illegality(t, p, hw: hw, doubleBuffer: doubleBuffer) != nil { continue }
              out.append(estimate(t, p, hw: hw, doubleBuffer: doubleBuffer))
            }
          }
        }
      }
    }
    out.sort(by: better)
    guard let best = out.first else { return out }
    let near = out.filter { $0.cycles <= best.cycles * (1 + reuseTolerance) }.sorted(by: lessTraffic)
    return near + out.dropFirst(near.count)
  }

  /// Candidates within this fraction of the best estimated cycles count as equally fast; among
  /// them the one with the least DRAM traffic (the most reuse) wins.
  static let reuseTolerance = 0.005

  private static func better(_ a: TileEstimate, _ b: TileEstimate) -> Bool {
    if a.cycles != b.cycles { return a.cycles < b.cycles }
    return lessTraffic(a, b)
  }

  private static func lessTraffic(_ a: TileEstimate, _ b: TileEstimate) -> Bool {
    if a.dramBytes != b.dramBytes { return a.dramBytes < b.dramBytes }
    if a.cycles != b.cycles { return a.cycles < b.cycles }
    return a.tile.rows * a.tile.cols > b.tile.rows * b.tile.cols
  }

  /// Analytic cost model: modules overlap (double buffering) or serialise (single buffers).
  static func estimate(_ t: TileShape, _ p: BlockedConv, hw: HardwareConfig, doubleBuffer: Bool) -> TileEstimate {
    func cdiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    let b = BufferPlan(tile: t, problem: p, hw: hw, doubleBuffer: doubleBuffer)
    let s = Double(p.shape.batch * cdiv(p.oh, t.rows) * cdiv(p.ow, t.cols))
    let nt = Double(cdiv(p.nb, t.outBlocks)), kt = Double(cdiv(p.cb, t.inBlocks))
    let lat = Double(hw.dma.latencyCycles), bw = Double(hw.dma.bytesPerCycle)
    let inpTileBytes = Double(b.inpSlotEntries * p.bi)
    let wgtTileBytes = Double(b.wgtSlotEntries * p.bi * p.bo)
    let slotsIn = Double(b.slotsIn), slotsW = Double(b.slotsWgt)
    let inputLoads: Double, weightLoads: Double
    switch t.order {
    case .spatialOuter:
      inputLoads = kt <= slotsIn ? s * kt : s * nt * kt
      weightLoads = nt * kt <= slotsW ? nt * kt : s * nt * kt
    case .channelOuter:
      weightLoads = kt <= slotsW ? nt * kt : nt * s * kt
      inputLoads = s * kt <= slotsIn ? s * kt : nt * s * kt
    }
    let loadCycles = inputLoads * (Double(t.inBlocks) * lat + inpTileBytes / bw) + weightLoads * (lat + wgtTileBytes / bw)
    let pixels = Double(p.shape.batch * p.oh * p.ow)
    let accTiles = s * nt
    let gemmOps = pixels * Double(p.nb * p.taps * p.cb)
    let aluOps = 6.0
    let aluCycles = aluOps * (pixels * Double(p.nb * p.bo) / Double(hw.alu.elementsPerCycle) + accTiles)
    let paramBytes = Double(BufferPlan.paramsPerBlock * t.outBlocks * p.bo * 4)
    let paramLoads = b.paramsAll || nt == 1 ? 1 : (t.order == .spatialOuter ? accTiles : nt)
    let instructionOverhead = accTiles * kt * 2
    let compute = gemmOps + aluCycles + paramLoads * (lat + paramBytes / bw) + instructionOverhead
    let outputBytes = pixels * Double(p.nb * p.bo)
    let storesPerTile = (t.outBlocks == p.nb || t.cols == p.ow) ? 1.0 : Double(t.rows)
    let storeCycles = accTiles * storesPerTile * lat + outputBytes / bw
    let bytes = inputLoads * inpTileBytes + weightLoads * wgtTileBytes + outputBytes + paramLoads * paramBytes
    let cycles: Double
    if doubleBuffer {
      let prologue = Double(t.inBlocks) * lat + inpTileBytes / bw + lat + wgtTileBytes / bw
      let epilogue = aluCycles / accTiles + lat + outputBytes / accTiles / bw
      cycles = max(compute, loadCycles, storeCycles, bytes / bw) + prologue + epilogue
    } else {
      cycles = compute + loadCycles + storeCycles
    }
    return TileEstimate(tile: t, cycles: cycles, dramBytes: bytes)
  }
}
