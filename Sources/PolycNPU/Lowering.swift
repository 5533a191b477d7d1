// Lowering of quantized convolutions (and GEMM / FC as 1x1 convolutions) to NPU programs.
//
// For every step (spatial tile s, N tile j, K tile c) of the tiled nest (see Tiling.swift):
//
//   LOAD   : the input patch of (s, c) and the weight tile of (j, c), unless already resident
//   COMPUTE: [first c] ALU MOV of the folded bias into the accumulator tile (cheaper than a
//                      GEMM reset followed by an ADD: one ALU pass instead of one core cycle per row)
//            GEMM over all taps and channel blocks
//            [last c]  requantization epilogue on the ALU:
//                        [SHL lshift] ; MULH mult ; [SHR rshift] ; [ADD zp_out] ; MAX lo ; MIN hi
//   STORE  : [last c]  the int8 tile
//
// Dependencies between the three queues are first collected as "unit u needs producer unit v"
// relations (a load needs the last compute step that used the slot it overwrites, a compute
// step needs the loads of its tiles and the store that freed its accumulator slot, a store
// needs its compute step) and then encoded as VTA tokens: a consumer pops once each time its
// running requirement increases and the producer pushes after exactly those units, so the k-th
// pop always matches the k-th push of the FIFO.
//
// GEMM on the core (output pixel (y, x) of the tile, output block nb, tap (kh, kw), input block cb):
//   acc[accBase + (y*cols + x)*outBlocks + nb] +=
//       inp[inpBase + cb*cbPitch + (y*strideH + kh*dilationH)*patchWidth + x*strideW + kw*dilationW]
//     x wgt[wgtBase + ((nb*KH + kh)*KW + kw)*inBlocks + cb]
// with (y, x) the two hardware loops and (nb, kh, kw, cb) the micro-ops.

import Foundation

/// Why a workload cannot be lowered.
package enum NPULoweringError: Error, Equatable, CustomStringConvertible, LocalizedError {
  case invalidWorkload(WorkloadError)
  /// A workload feature the ISA cannot express (e.g. padding above 15).
  case unsupported(String)
  /// No legal tile fits the scratchpads (or the requested tile does not).
  case tilesDoNotFit(String)
  /// A value does not fit its instruction field (e.g. a DRAM address beyond 32 bits of elements).
  case encoding(ISAError)

  package var description: String {
    switch self {
    case .invalidWorkload(let e): return e.description
    case .unsupported(let s): return "unsupported on the NPU: \(s)"
    case .tilesDoNotFit(let s): return "no tiling fits: \(s)"
    case .encoding(let e): return "cannot encode: \(e.description)"
    }
  }

  package var errorDescription: String? { description }
}

/// A region of the DRAM image.
package struct DRAMRegion: Codable, Equatable, Sendable {
  /// input, weights, requant, output, microOps.
  package var name: String
  package var byteOffset: Int
  package var byteCount: Int
  /// Bytes of one DRAM element as addressed by instructions touching the region.
  package var elementBytes: Int
  /// Human-readable layout, e.g. "[N][C/16][H][W][16] int8".
  package var layout: String
}

/// Byte offsets of the DRAM regions.
struct DRAMLayout {
  let input: Int
  let weights: Int
  let requant: Int
  let output: Int
  let microOps: Int
  let alignment: Int

  init(_ p: BlockedConv) {
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
    let align = [p.bi, p.bi * p.bo, 4 * p.bo, p.bo, MicroOp.byteCount, 64].reduce(1, lcm)
    func up(_ x: Int) -> Int { (x + align - 1) / align * align }
    let s = p.shape
    alignment = align
    input = 0
    weights = up(input + s.batch * p.cb * s.height * s.width * p.bi)
    requant = up(weights + s.weightSets * p.nb * p.taps * p.cb * p.bo * p.bi)
    output = up(requant + s.weightSets * p.nb * BufferPlan.paramsPerBlock * p.bo * 4)
    microOps = up(output + s.batch * p.oh * p.ow * p.nb * p.bo)
  }
}

/// One requantization step of the epilogue.
enum EpilogueStep: Equatable {
  case vector(AluOpcode, param: Int)
  case immediate(AluOpcode, Int)
}

/// The data-independent part of a lowered program.
struct Schedule {
  var instructions: [Instruction]
  var microOps: [MicroOp]
}

/// A group of consecutive instructions of one module, with what it waits for.
private struct Unit {
  var first: Int
  var last: Int
  /// Index of the producer unit needed (load: compute; compute: load; store: compute), or -1.
  var needs: Int = -1
  /// Compute units only: index of the store unit needed, or -1.
  var needsStore: Int = -1
}

/// A scratchpad slot of the input or weight buffer.
private struct Slot {
  var tile = -1
  var lastUse = -1
  var nextUse = Int.max
  var loadedBy = -1
}

private struct GemmUopKey: Hashable {
  let accBase: Int
  let inpBase: Int
  let wgtBase: Int
  let patchWidth: Int
  let inBlocks: Int
  let outBlocks: Int
}

private struct AluUopKey: Hashable {
  let dst: Int
  let src: Int
}

/// Builds the instruction stream and micro-op table for one tile shape.
struct ScheduleBuilder {
  let p: BlockedConv
  let hw: HardwareConfig
  let tile: TileShape
  let buffers: BufferPlan
  let layout: DRAMLayout
  let epilogue: [EpilogueStep]
  let inputZeroPoint: Int

  private var instrs: [Instruction] = []
  private var uops: [MicroOp] = []
  private var gemmUops: [GemmUopKey: Int] = [:]
  private var aluUops: [AluUopKey: Int] = [:]
  private var loadUnits: [Unit] = []
  private var computeUnits: [Unit] = []
  private var storeUnits: [Unit] = []

  init(p: BlockedConv, hw: HardwareConfig, tile: TileShape, doubleBuffer: Bool, epilogue: [EpilogueStep], inputZeroPoint: Int) {
    self.p = p
    self.hw = hw
    self.tile = tile
    self.buffers = BufferPlan(tile: tile, problem: p, hw: hw, doubleBuffer: doubleBuffer)
    self.layout = DRAMLayout(p)
    self.epilogue = epilogue
    self.inputZeroPoint = inputZeroPoint
  }

  struct SpatialTile {
    let n: Int
    let y0: Int
    let rows: Int
    let x0: Int
    let cols: Int
  }

  private func spatialTiles() -> [SpatialTile] {
    var out: [SpatialTile] = []
    for n in 0..<p.shape.batch {
      for y0 in stride(from: 0, to: p.oh, by: tile.rows) {
        for x0 in stride(from: 0, to: p.ow, by: tile.cols) {
          out.append(SpatialTile(n: n, y0: y0, rows: min(tile.rows, p.oh - y0), x0: x0, cols: min(tile.cols, p.ow - x0)))
        }
      }
    }
    return out
  }

  private static func ranges(_ total: Int, _ step: Int) -> [(Int, Int)] {
    stride(from: 0, to: total, by: step).map { ($0, min(step, total - $0)) }
  }

  mutating func build() throws -> Schedule {
    let spatial = spatialTiles()
    let nTiles = Self.ranges(p.nb, tile.outBlocks)
    let kTiles = Self.ranges(p.cb, tile.inBlocks)
    let kt = kTiles.count
    var steps: [(s: Int, j: Int, c: Int)] = []
    switch tile.order {
    case .spatialOuter:
      for s in spatial.indices { for j in nTiles.indices { for c in kTiles.indices { steps.append((s, j, c)) } } }
    case .channelOuter:
      for j in nTiles.indices { for s in spatial.indices { for c in kTiles.indices { steps.append((s, j, c)) } } }
    }
    let inpIds = steps.map { $0.s * kt + $0.c }
    let wgtIds = steps.map { (set(spatial[$0.s]) * nTiles.count + $0.j) * kt + $0.c }
    let nextInp = Self.nextUses(inpIds)
    let nextWgt = Self.nextUses(wgtIds)

    emitPrologue()
    var inSlots = [Slot](repeating: Slot(), count: buffers.slotsIn)
    var wSlots = [Slot](repeating: Slot(), count: buffers.slotsWgt)
    var accTile = 0
    var paramsLoadedFor = -1
    for (x, step) in steps.enumerated() {
      let st = spatial[step.s], nt = nTiles[step.j], ktile = kTiles[step.c]
      let loadStart = instrs.count
      var loadNeeds = -1
      let iv: Int, wv: Int
      var loadedIn = false, loadedW = false
      if let hit = inSlots.firstIndex(where: { $0.tile == inpIds[x] }) {
        iv = hit
      } else {
        iv = Self.victim(inSlots)
        loadNeeds = max(loadNeeds, inSlots[iv].lastUse)
        try emitInputLoads(st, blocks: ktile, slot: iv)
        inSlots[iv].tile = inpIds[x]
        loadedIn = true
      }
      if let hit = wSlots.firstIndex(where: { $0.tile == wgtIds[x] }) {
        wv = hit
      } else {
        wv = Self.victim(wSlots)
        loadNeeds = max(loadNeeds, wSlots[wv].lastUse)
        emitWeightLoad(nt, blocks: ktile, slot: wv, set: set(st))
        wSlots[wv].tile = wgtIds[x]
        loadedW = true
      }
      if instrs.count > loadStart {
        loadUnits.append(Unit(first: loadStart, last: instrs.count - 1, needs: loadNeeds))
        if loadedIn { inSlots[iv].loadedBy = loadUnits.count - 1 }
        if loadedW { wSlots[wv].loadedBy = loadUnits.count - 1 }
      }
      inSlots[iv].nextUse = nextInp[x]
      wSlots[wv].nextUse = nextWgt[x]

      let cu = computeUnits.count
      let computeStart = instrs.count
      let accSlot = accTile % buffers.slotsAcc
      let accBase = buffers.accSlotBase(accSlot)
      var needsStore = -1
      if step.c == 0 {
        if accTile >= buffers.slotsAcc { needsStore = accTile - buffers.slotsAcc }
        let paramKey = set(st) * nTiles.count + step.j
        if !buffers.paramsAll && paramsLoadedFor != paramKey {
          emitParamLoad(firstBlock: set(st) * p.nb + nt.0, blocks: nt.1)
          paramsLoadedFor = paramKey
        }
        emitAluSteps([.vector(.mov, param: 0)], st, nt, accBase: accBase)
      }
      emitGemm(st, nt, ktile, accBase: accBase, inpBase: iv * buffers.inpSlotEntries, wgtBase: wv * buffers.wgtSlotEntries)
      let last = step.c == kt - 1
      if last { emitAluSteps(epilogue, st, nt, accBase: accBase) }
      computeUnits.append(Unit(first: computeStart, last: instrs.count - 1,
                               needs: max(inSlots[iv].loadedBy, wSlots[wv].loadedBy), needsStore: needsStore))
      inSlots[iv].lastUse = cu
      wSlots[wv].lastUse = cu
      if last {
        let storeStart = instrs.count
        emitStores(st, nt, accBase: accBase)
        storeUnits.append(Unit(first: storeStart, last: instrs.count - 1, needs: cu))
        accTile += 1
      }
    }
    let finish = instrs.count
    instrs.append(Instruction(.finish))
    computeUnits.append(Unit(first: finish, last: finish, needs: -1, needsStore: storeUnits.count - 1))
    try patchMicroOpLoad()
    assignTokens()
    return Schedule(instructions: instrs, microOps: uops)
  }

  // MARK: Slots

  private static func nextUses(_ ids: [Int]) -> [Int] {
    var next = [Int](repeating: Int.max, count: ids.count)
    var seen: [Int: Int] = [:]
    for x in stride(from: ids.count - 1, through: 0, by: -1) {
      next[x] = seen[ids[x]] ?? Int.max
      seen[ids[x]] = x
    }
    return next
  }

  /// Empty slot first. Otherwise never the slot of the most recent step (its compute may still be
  /// running: overwriting it would serialise load and compute), and among the others the tile
  /// needed furthest in the future (Belady), the least recently used on ties.
  private static func victim(_ slots: [Slot]) -> Int {
    if let empty = slots.firstIndex(where: { $0.tile < 0 }) { return empty }
    let newest = slots.indices.max { slots[$0].lastUse < slots[$1].lastUse }!
    let candidates = slots.count > 1 ? slots.indices.filter { $0 != newest } : Array(slots.indices)
    var best = candidates[0]
    for i in candidates.dropFirst() {
      let a = slots[i], b = slots[best]
      if a.nextUse > b.nextUse || (a.nextUse == b.nextUse && a.lastUse < b.lastUse) { best = i }
    }
    return best
  }

  // MARK: Emission

  private mutating func emitPrologue() {
    let start = instrs.count
    instrs.append(Instruction(.load(MemoryInstruction(memoryType: .uop, sramBase: 0, dramBase: layout.microOps / MicroOp.byteCount,
                                                      ySize: 1, xSize: 0, xStride: 0))))
    if buffers.paramsAll { emitParamLoad(firstBlock: 0, blocks: p.shape.weightSets * p.nb) }
    computeUnits.append(Unit(first: start, last: instrs.count - 1))
  }

  private mutating func patchMicroOpLoad() throws {
    if uops.count > hw.depth(.uop) {
      throw NPULoweringError.tilesDoNotFit("\(uops.count) micro-ops exceed the \(hw.depth(.uop))-entry micro-op scratchpad")
    }
    guard case .load(var m) = instrs[0].operation else { return }
    m.xSize = uops.count
    instrs[0].operation = .load(m)
  }

  private mutating func emitParamLoad(firstBlock: Int, blocks: Int) {
    let per = BufferPlan.paramsPerBlock
    instrs.append(Instruction(.load(MemoryInstruction(
      memoryType: .accumulator, sramBase: 0, dramBase: layout.requant / hw.elementBytes(.accumulator) + firstBlock * per,
      ySize: blocks, xSize: per, xStride: blocks > 1 ? per : 0))))
  }

  private mutating func emitInputLoads(_ st: SpatialTile, blocks: (Int, Int), slot: Int) throws {
    let s = p.shape
    let iht = p.patchHeight(st.rows), iwt = p.patchWidth(st.cols)
    let ih0 = st.y0 * s.strideH - s.padTop, iw0 = st.x0 * s.strideW - s.padLeft
    let hs = min(max(ih0, 0), s.height), he = min(max(ih0 + iht, 0), s.height)
    let ws = min(max(iw0, 0), s.width), we = min(max(iw0 + iwt, 0), s.width)
    let rows = max(0, he - hs), cols = max(0, we - ws)
    let yPad0 = min(max(-ih0, 0), iht), xPad0 = min(max(-iw0, 0), iwt)
    let yPad1 = iht - yPad0 - rows, xPad1 = iwt - xPad0 - cols
    let padMax = ISAFields.yPad0.maxValue
    if [yPad0, yPad1, xPad0, xPad1].contains(where: { $0 > padMax }) {
      throw NPULoweringError.unsupported("padding of more than \(padMax) elements on one side")
    }
    let base = layout.input / hw.elementBytes(.input)
    for b in 0..<blocks.1 {
      let cbAbs = blocks.0 + b
      let real = rows > 0 && cols > 0
      let dram = real ? base + ((st.n * p.cb + cbAbs) * s.height + hs) * s.width + ws : base
      instrs.append(Instruction(.load(MemoryInstruction(
        memoryType: .input, sramBase: slot * buffers.inpSlotEntries + b * buffers.cbPitch, dramBase: dram,
        ySize: rows, xSize: cols, xStride: real && rows > 1 ? s.width : 0,
        yPad0: yPad0, yPad1: yPad1, xPad0: xPad0, xPad1: xPad1,
        padValue: yPad0 + yPad1 + xPad0 + xPad1 > 0 ? inputZeroPoint : 0))))
    }
  }

  /// The weight set of a spatial tile's image.
  private func set(_ st: SpatialTile) -> Int { p.shape.weightSets == 1 ? 0 : st.n }

  private mutating func emitWeightLoad(_ nt: (Int, Int), blocks: (Int, Int), slot: Int, set: Int) {
    let rows = nt.1 * p.taps
    instrs.append(Instruction(.load(MemoryInstruction(
      memoryType: .weight, sramBase: slot * buffers.wgtSlotEntries,
      dramBase: layout.weights / hw.elementBytes(.weight) + (set * p.nb + nt.0) * p.taps * p.cb + blocks.0,
      ySize: rows, xSize: blocks.1, xStride: rows > 1 ? p.cb : 0))))
  }

  private mutating func gemmKernel(_ key: GemmUopKey) -> Range<Int> {
    if let start = gemmUops[key] { return start..<(start + key.outBlocks * p.taps * key.inBlocks) }
    let start = uops.count
    for nb in 0..<key.outBlocks {
      for kh in 0..<p.kh {
        for kw in 0..<p.kw {
          for cb in 0..<key.inBlocks {
            uops.append(MicroOp(dst: key.accBase + nb,
                                src: key.inpBase + cb * buffers.cbPitch + kh * p.shape.dilationH * key.patchWidth + kw * p.shape.dilationW,
                                wgt: key.wgtBase + ((nb * p.kh + kh) * p.kw + kw) * key.inBlocks + cb))
          }
        }
      }
    }
    gemmUops[key] = start
    return start..<uops.count
  }

  private mutating func emitGemm(_ st: SpatialTile, _ nt: (Int, Int), _ kb: (Int, Int), accBase: Int, inpBase: Int, wgtBase: Int) {
    let iwt = p.patchWidth(st.cols)
    let k = gemmKernel(GemmUopKey(accBase: accBase, inpBase: inpBase, wgtBase: wgtBase, patchWidth: iwt, inBlocks: kb.1, outBlocks: nt.1))
    let outer = st.rows > 1, inner = st.cols > 1
    instrs.append(Instruction(.gemm(GemmInstruction(
      uopBegin: k.lowerBound, uopEnd: k.upperBound, iterOut: st.rows, iterIn: st.cols,
      dstFactorOut: outer ? st.cols * nt.1 : 0, dstFactorIn: inner ? nt.1 : 0,
      srcFactorOut: outer ? p.shape.strideH * iwt : 0, srcFactorIn: inner ? p.shape.strideW : 0))))
  }

  private mutating func aluKernel(dst: Int, src: Int) -> Range<Int> {
    let key = AluUopKey(dst: dst, src: src)
    if let i = aluUops[key] { return i..<(i + 1) }
    uops.append(MicroOp(dst: dst, src: src))
    aluUops[key] = uops.count - 1
    return (uops.count - 1)..<uops.count
  }

  /// ALU operations over a whole accumulator tile: each row (pixel, nb) combined with the
  /// parameter row `param` of its channel block, or with an immediate.
  private mutating func emitAluSteps(_ steps: [EpilogueStep], _ st: SpatialTile, _ nt: (Int, Int), accBase: Int) {
    let pixels = st.rows * st.cols
    let chunk = ISAFields.iterOut.maxValue
    let per = BufferPlan.paramsPerBlock
    let paramBase = buffers.paramsAll ? (set(st) * p.nb + nt.0) * per : 0
    for step in steps {
      for first in stride(from: 0, to: pixels, by: chunk) {
        let count = min(chunk, pixels - first)
        let dst = accBase + first * nt.1
        let inner = nt.1 > 1
        switch step {
        case let .vector(op, param):
          let k = aluKernel(dst: dst, src: paramBase + param)
          instrs.append(Instruction(.alu(AluInstruction(
            op: op, uopBegin: k.lowerBound, uopEnd: k.upperBound, iterOut: count, iterIn: nt.1,
            dstFactorOut: count > 1 ? nt.1 : 0, dstFactorIn: inner ? 1 : 0, srcFactorOut: 0, srcFactorIn: inner ? per : 0))))
        case let .immediate(op, imm):
          let k = aluKernel(dst: dst, src: 0)
          instrs.append(Instruction(.alu(AluInstruction(
            op: op, uopBegin: k.lowerBound, uopEnd: k.upperBound, iterOut: count, iterIn: nt.1,
            dstFactorOut: count > 1 ? nt.1 : 0, dstFactorIn: inner ? 1 : 0, immediate: imm))))
        }
      }
    }
  }

  private mutating func emitStores(_ st: SpatialTile, _ nt: (Int, Int), accBase: Int) {
    let outBase = layout.output / hw.outputElementBytes
    func element(_ y: Int, _ x: Int) -> Int { outBase + ((st.n * p.oh + st.y0 + y) * p.ow + st.x0 + x) * p.nb + nt.0 }
    let xMax = ISAFields.xSize.maxValue, strideMax = ISAFields.xStride.maxValue
    let fullChannels = nt.1 == p.nb, fullWidth = st.cols == p.ow
    if fullChannels && fullWidth && st.rows * st.cols * p.nb <= xMax {
      store(sram: accBase, dram: element(0, 0), rows: 1, cols: st.rows * st.cols * p.nb, stride: 0)
    } else if fullChannels && st.cols * p.nb <= xMax && p.ow * p.nb <= strideMax {
      store(sram: accBase, dram: element(0, 0), rows: st.rows, cols: st.cols * p.nb, stride: p.ow * p.nb)
    } else if fullWidth {
      store(sram: accBase, dram: element(0, 0), rows: st.rows * st.cols, cols: nt.1, stride: p.nb)
    } else {
      for y in 0..<st.rows {
        store(sram: accBase + y * st.cols * nt.1, dram: element(y, 0), rows: st.cols, cols: nt.1, stride: p.nb)
      }
    }
  }

  /// A 2-D STORE split into chunks of at most 2^15-1 rows.
  private mutating func store(sram: Int, dram: Int, rows: Int, cols: Int, stride: Int) {
    let chunk = ISAFields.ySize.maxValue
    for first in Swift.stride(from: 0, to: rows, by: chunk) {
      let n = min(chunk, rows - first)
      instrs.append(Instruction(.store(MemoryInstruction(
        memoryType: .accumulator, sramBase: sram + first * cols, dramBase: dram + first * stride,
        ySize: n, xSize: cols, xStride: n > 1 ? stride : 0))))
    }
  }

  // MARK: Tokens

  private mutating func assignTokens() {
    link(consumers: computeUnits, needs: { $0.needs }, producers: loadUnits, pop: .popPrev, push: .pushNext)
    link(consumers: loadUnits, needs: { $0.needs }, producers: computeUnits, pop: .popNext, push: .pushPrev)
    link(consumers: storeUnits, needs: { $0.needs }, producers: computeUnits, pop: .popPrev, push: .pushNext)
    link(consumers: computeUnits, needs: { $0.needsStore }, producers: storeUnits, pop: .popNext, push: .pushPrev)
  }

  /// One FIFO token queue: a pop whenever the consumer's running requirement increases, a push
  /// after each producer unit that some consumer waits for.
  private mutating func link(consumers: [Unit], needs: (Unit) -> Int, producers: [Unit], pop: DependencyFlags, push: DependencyFlags) {
    var running = -1
    var pushed = Set<Int>()
    for c in consumers {
      let n = needs(c)
      if n > running {
        running = n
        instrs[c.first].deps.insert(pop)
        pushed.insert(n)
      }
    }
    for u in pushed { instrs[producers[u].last].deps.insert(push) }
  }
}
