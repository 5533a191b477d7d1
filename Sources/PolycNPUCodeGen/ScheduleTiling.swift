//===- ScheduleTiling.swift - NPU tiles and loop order from the schedule --===//
//
// The NPU program's tile loops follow the schedule the strategy chose:
//
//   * the loop order: the order in which the schedule tree's bands visit the
//     tensorized statement's output-channel and pixel iterators decides
//     whether weight tiles (output channel outside) or input patches (pixels
//     outside) stay resident;
//   * the tile sizes: `tiling.sizes` of the strategy, one per band member as
//     for the CPU (the last one repeats), rounded to whole GEMM blocks for
//     the channels; `auto` (or tiling off) lets the NPU model size them from
//     the hardware file (scratchpads, blocks, DMA bandwidth and latency).
//
// What the NPU cannot follow is reported as a note, never dropped silently:
// the reduction is always the innermost tile loop (an output tile stays in
// the accumulator until its requantization), taps are never split, a skewed
// schedule row has no NPU loop, and a batch is tiled one image at a time.
//
//===----------------------------------------------------------------------===//

import PolycISL
import PolycNPU
import PolycScheduler

/// One loop of the tensorized statement in schedule order.
package struct ScheduledLoop: Sendable, Equatable {
  /// The statement iterator, or nil for a combination of iterators (skewing).
  package var iterator: String?
  /// Position in its band, and the band's member count.
  package var member: Int
  package var bandMembers: Int
}

/// The tile policy the schedule and the strategy ask for, with notes.
package struct NPUTilePlan: Sendable {
  package var lowering: LoweringOptions
  /// The schedule's loops of the tensorized statement, outermost first.
  package var loops: [ScheduledLoop]
  package var notes: [String]
}

enum ScheduleTiling {
  /// Whether instances of `statement` reach `node` (a filter: pass its filter).
  static func reaches(_ node: ScheduleNode, _ statement: String) throws -> Bool {
    let set = try node.kind() == .filter ? try node.filter() : try node.domain()
    return try set.sets().contains { $0.tupleName == statement }
  }

  /// The nodes from the root down to `statement`'s leaf (at a sequence or
  /// set, the child whose filter lets the statement through).
  static func path(to statement: String, in schedule: Schedule) throws -> [ScheduleNode] {
    var out = [try schedule.root()]
    while true {
      let node = out[out.count - 1]
      let children = try node.childCount()
      guard children > 0 else { return out }
      guard let next = try (0..<children).lazy.map({ try node.child($0) }).first(where: { try reaches($0, statement) }) else { return out }
      out.append(next)
    }
  }

  /// The band members above `statement`'s leaf, outermost first.
  static func loops(of statement: String, iterators: [String], in schedule: Schedule) throws -> [ScheduledLoop] {
    var out: [ScheduledLoop] = []
    for node in try path(to: statement, in: schedule) where try node.kind() == .band {
      let partial = try node.bandPartialSchedule()
      let n = try node.bandMemberCount()
      for m in 0..<n {
        guard let map = try partial.member(m).maps().first(where: { $0.domainTupleName == statement }) else { continue }
        let f = try map.affineFunctions()?.first
        if let f, f.support.isEmpty { continue }
        var iterator: String?
        if let f, f.support.count == 1, abs(f.inputs[f.support[0]]) == 1, !f.hasParameters {
          iterator = iterators[f.support[0]]
        }
        out.append(ScheduledLoop(iterator: iterator, member: m, bandMembers: n))
      }
    }
    return out
  }

  /// The strategy's sections the NPU does not use, as notes.
  static func ignoredSections(_ s: Strategy) -> [String] {
    var notes: [String] = []
    if s.fusion != .none {
      notes.append("npu: fusion '\(s.fusion.name)' does not change the NPU program: the accumulator initialisation and the requantization always run inside each output tile")
    }
    if s.parallelism.openmp || s.parallelism.wavefront { notes.append("npu: the parallelism section does not apply to the NPU (one core; its modules overlap through tokens)") }
    if s.vectorization.enabled { notes.append("npu: the vectorization section does not apply to the NPU (the GEMM block is the vector)") }
    if s.tiling.secondLevel != nil { notes.append("npu: tiling.secondLevel is ignored: the NPU has one scratchpad level") }
    return notes
  }

  static func plan(_ t: TensorizedReduction, iterators: [String], schedule: Schedule, strategy: Strategy,
                   hw: HardwareConfig, shape: ConvShape) throws -> NPUTilePlan {
    let loops = try loops(of: t.statement, iterators: iterators, in: schedule)
    var notes: [String] = []
    let scheduled = loops.compactMap(\.iterator)
    if loops.contains(where: { $0.iterator == nil }) {
      notes.append("npu: the schedule combines iterators of '\(t.statement)' in one loop (skewing); the NPU tile loops follow the other loops")
    }
    func position(_ a: GemmAxis) -> Int? { t.iterator(a).flatMap { scheduled.firstIndex(of: $0) } }
    let pixelPositions = [GemmAxis.batch, .row, .column].compactMap(position)
    let order: LoopOrder
    if let oc = position(.outChannel), let px = pixelPositions.min(), oc < px {
      order = .channelOuter
      notes.append("npu: the schedule runs the output channel '\(t.iterator(.outChannel)!)' outside the pixels: weight tiles stay resident (channelOuter)")
    } else {
      order = .spatialOuter
      notes.append("npu: the schedule runs the pixels outside the output channel: input patches stay resident (spatialOuter)")
    }
    if let ic = position(.inChannel), let outer = ([position(.outChannel)] + pixelPositions.map { Optional($0) }).compactMap({ $0 }).max(), ic < outer {
      notes.append("npu: the schedule runs the reduction '\(t.iterator(.inChannel)!)' outside output loops; on the NPU it is the innermost tile loop (each output tile stays in the accumulator until it is requantized)")
    }
    notes += ignoredSections(strategy)
    var options = LoweringOptions(doubleBuffer: true, tiles: .auto, order: order)
    guard strategy.tiling.enabled, case .fixed(let sizes) = strategy.tiling.sizes, !sizes.isEmpty else {
      notes.append(strategy.tiling.enabled
        ? "npu: tile sizes 'auto': sized by the NPU model from \(hw.name) (scratchpads, \(hw.blockOut)x\(hw.blockIn) blocks, DMA \(hw.dma.bytesPerCycle) B/cycle, latency \(hw.dma.latencyCycles))"
        : "npu: tiling is off in the strategy, but the NPU must tile to fit its scratchpads: sizes chosen by the NPU model from \(hw.name)")
      return NPUTilePlan(lowering: options, loops: loops, notes: notes)
    }
    func size(_ a: GemmAxis) -> Int? {
      guard let it = t.iterator(a), let l = loops.first(where: { $0.iterator == it }) else { return nil }
      return sizes[Swift.min(l.member, sizes.count - 1)]
    }
    func cdiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    let p = (oh: shape.outputHeight, ow: shape.outputWidth, nb: cdiv(shape.outChannels, hw.blockOut), cb: cdiv(shape.inChannels, hw.blockIn))
    let rows = Swift.min(size(.row) ?? 1, p.oh), cols = Swift.min(size(.column) ?? p.ow, p.ow)
    let outBlocks = Swift.min(cdiv(size(.outChannel) ?? hw.blockOut, hw.blockOut), p.nb)
    let inBlocks = Swift.min(cdiv(size(.inChannel) ?? hw.blockIn, hw.blockIn), p.cb)
    if let s = size(.outChannel), s % hw.blockOut != 0 {
      notes.append("npu: output-channel tile \(s) rounded up to \(outBlocks) block(s) of \(hw.blockOut)")
    }
    if let s = size(.inChannel), s % hw.blockIn != 0 {
      notes.append("npu: input-channel tile \(s) rounded up to \(inBlocks) block(s) of \(hw.blockIn)")
    }
    for a in [GemmAxis.tapRow, .tapColumn] {
      if let s = size(a), let it = t.iterator(a) { notes.append("npu: tile size \(s) of tap '\(it)' ignored: every tap of a tile runs in one GEMM") }
    }
    if let s = size(.batch), let it = t.iterator(.batch), s != 1 { notes.append("npu: tile size \(s) of batch '\(it)' ignored: one image per tile") }
    let tile = TileShape(rows: Swift.max(1, rows), cols: Swift.max(1, cols), outBlocks: Swift.max(1, outBlocks),
                         inBlocks: Swift.max(1, inBlocks), order: order)
    if let why = TileChooser.illegality(of: tile, shape: shape, hw: hw, doubleBuffer: true) {
      guard TileChooser.illegality(of: tile, shape: shape, hw: hw, doubleBuffer: false) == nil else {
        throw NPUCodeGenError(kernel: "", statement: t.statement, part: "tiling",
                              message: "tiling.sizes \(sizes) gives the NPU tile \(tile), which does not fit \(hw.name): \(why)")
      }
      notes.append("npu: tile \(tile) does not fit twice (\(why)): single buffering")
      options.doubleBuffer = false
    }
    options.tiles = .fixed(tile)
    notes.append("npu: tile \(tile) from tiling.sizes \(sizes)")
    return NPUTilePlan(lowering: options, loops: loops, notes: notes)
  }
}
