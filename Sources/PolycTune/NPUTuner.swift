//===- NPUTuner.swift - Per-kernel strategy search for the NPU ------------===//
//
// `polyc tune KERNEL --target npu` searches the strategy knobs that change the
// NPU program: the loop order of the tensorized statement (a `fixed`
// directive putting the output channel or the pixels outermost) and the tile
// sizes (`tiling.sizes`, one per band member). A candidate is checked cheaply
// first: the scheduler must accept it, and its NPU tile must fit the
// scratchpads (TileChooser's check) before anything is simulated; candidates
// that give the same NPU tile are measured once. The measure is the
// simulator's cycle count, which is deterministic; every measured program is
// checked bit for bit against the NPU's Swift reference.
//
// Two searches share the budget rules: `random` draws candidates uniformly;
// `evolutionary` starts from the preset's own tile (the NPU model's choice)
// and a few random ones, and mutates the best (halve or double one extent,
// swap the loop order), as PolyTOPS's per-kernel tuning and AutoTVM's
// simulated annealing do with a population.
//
//===----------------------------------------------------------------------===//

import PolycDriver
import Foundation
import PolycFrontend
import PolycNPU
import PolycNPUCodeGen
import PolycScheduler

/// One point of the NPU search space.
package struct NPUCandidate: Hashable, Codable, Sendable, CustomStringConvertible {
  package var channelOuter: Bool
  package var rows: Int
  package var cols: Int
  /// Output and input channels per tile (multiples of the GEMM block).
  package var outChannels: Int
  package var inChannels: Int
  package var description: String {
    "\(channelOuter ? "channel-outer" : "pixel-outer") \(rows)x\(cols) px, \(outChannels) out, \(inChannels) in"
  }
}

/// What happened to one candidate.
package struct NPUTrial: Codable, Sendable {
  package var candidate: NPUCandidate
  package var outcome: TrialOutcome
  package var cycles: Int?
  package var reason: String?
  /// Best cycles measured so far, after this trial.
  package var bestSoFar: Int?
}

/// The result of one search.
package struct NPUTuningResult: Codable, Sendable, TuningOutcomes {
  package var kernel: String
  package var sizes: [String: Int]
  package var search: String
  package var budget: Int
  package var presetCycles: Int
  package var best: NPUCandidate
  package var bestCycles: Int
  package var trials: [NPUTrial]
  package var seconds: Double
  package var outcomes: [TrialOutcome] { trials.map(\.outcome) }
  package var speedup: Double { Double(presetCycles) / Double(max(1, bestCycles)) }
}

package struct NPUTuner {
  package let kernelPath: String
  package let baseStrategyPath: String
  package let sizes: [String: Int]
  package let hardware: HardwareConfig?
  package let seed: UInt64
  let kernel: CheckedKernel
  let base: [String: Any]
  let baseStrategy: Strategy

  package init(kernelPath: String, baseStrategyPath: String, sizes: [String: Int], hardware: HardwareConfig?, seed: UInt64) throws {
    self.kernelPath = kernelPath
    self.baseStrategyPath = baseStrategyPath
    self.sizes = sizes
    self.hardware = hardware
    self.seed = seed
    kernel = try Pipeline.loadKernel(path: kernelPath)
    baseStrategy = try Pipeline.loadStrategy(path: baseStrategyPath)
    guard let data = FileManager.default.contents(atPath: baseStrategyPath),
          let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw PolycError.io("cannot read strategy '\(baseStrategyPath)' as a JSON object")
    }
    base = object
  }

  /// The preset's own program (the baseline) and what the search works on.
  struct Context {
    var gemm: NPUKernel
    var compilation: [Bool: Compilation]
  }

  func compile(channelOuter: Bool, gemm: NPUKernel) throws -> Compilation {
    let s = try strategy(order: channelOuter, gemm: gemm, sizes: nil)
    return try Pipeline.compile(kernel: kernel, strategy: s)
  }

  /// The strategy JSON of a candidate (nil sizes: the base's tiling).
  func json(order channelOuter: Bool?, gemm: NPUKernel, sizes: [Int]?, hardwareRelativeTo dir: String? = nil) -> [String: Any] {
    var object = base
    object["name"] = "\((base["name"] as? String) ?? "npu")-tuned-\(kernel.name)"
    object["description"] = "Tuned by polyc tune for kernel \(kernel.name) at \(sizes.map { "\($0)" } ?? "") (\(self.sizes.keys.sorted().map { "\($0)=\(self.sizes[$0]!)" }.joined(separator: ",")))."
    if let channelOuter, let oc = gemm.gemm.iterator(.outChannel) {
      let pixels = [GemmAxis.batch, .row, .column].compactMap { gemm.gemm.iterator($0) }
      let rows = channelOuter ? [oc] : pixels
      var directives = (base["directives"] as? [[String: Any]]) ?? []
      directives.removeAll { ($0["statement"] as? String) == gemm.gemm.statement && ($0["kind"] as? String) == "fixed" }
      directives.append(["kind": "fixed", "statement": gemm.gemm.statement, "rows": rows])
      object["directives"] = directives
    }
    if let sizes {
      var tiling = (base["tiling"] as? [String: Any]) ?? [:]
      tiling["enabled"] = true
      tiling["sizes"] = sizes
      object["tiling"] = tiling
    }
    if let dir, var target = object["target"] as? [String: Any], let hw = target["hardware"] as? String, !hw.hasPrefix("/") {
      target["hardware"] = Self.relativePath(from: dir, to: NPURunner.resolvedHardwarePath(hw, strategyFile: baseStrategyPath))
      object["target"] = target
    }
    return object
  }

  func strategy(order: Bool?, gemm: NPUKernel, sizes: [Int]?) throws -> Strategy {
    let data = try JSONSerialization.data(withJSONObject: json(order: order, gemm: gemm, sizes: sizes), options: [.sortedKeys])
    return try Strategy.parse(data, path: baseStrategyPath)
  }

  static func relativePath(from dir: String, to file: String) -> String {
    let a = URL(fileURLWithPath: dir).standardizedFileURL.pathComponents
    let b = URL(fileURLWithPath: file).standardizedFileURL.pathComponents
    var i = 0
    while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
    return (Array(repeating: "..", count: a.count - i) + b[i...]).joined(separator: "/")
  }

  /// The tile sizes list (one per band member of the tensorized statement) of a candidate.
  func sizesList(_ c: NPUCandidate, _ k: NPUKernel) -> [Int] {
    var bySize: [String: Int] = [:]
    if let r = k.gemm.iterator(.row) { bySize[r] = c.rows }
    if let x = k.gemm.iterator(.column) { bySize[x] = c.cols }
    if let o = k.gemm.iterator(.outChannel) { bySize[o] = c.outChannels }
    if let i = k.gemm.iterator(.inChannel) { bySize[i] = c.inChannels }
    let loops = k.plan.loops
    return loops.map { l in l.iterator.flatMap { bySize[$0] } ?? 1 }
  }

  /// Measures one candidate: nil cycles with a reason when invalid.
  func evaluate(_ c: NPUCandidate, _ ctx: Context, seenTiles: inout Swift.Set<String>) -> (TrialOutcome, Int?, String?) {
    do {
      guard let comp = ctx.compilation[c.channelOuter] else { return (.invalid, nil, "the scheduler rejects this loop order") }
      let probe = try NPURunner.analyze(comp, sizes: sizes, options: NPUKernelRunOptions(hw: hardware))
      let s = try strategy(order: c.channelOuter, gemm: probe, sizes: sizesList(c, probe))
      let k = try NPUCodeGen.analyze(scop: comp.scop, schedule: comp.schedule, strategy: s, sizes: sizes, hardware: probe.hardware)
      guard case .fixed(let tile) = k.plan.lowering.tiles else { return (.invalid, nil, "no fixed tile") }
      guard seenTiles.insert(tile.description).inserted else { return (.duplicate, nil, "the same NPU tile as an earlier candidate") }
      var shape = k.gemm.shape
      if k.gemm.weights.zeroPoint != nil { shape.inChannels *= 2 }
      if let why = TileChooser.illegality(of: tile, shape: shape, hw: k.hardware, doubleBuffer: k.plan.lowering.doubleBuffer) {
        return (.invalid, nil, why)
      }
      let compiled = try NPUCodeGen.lower(k, seed: seed)
      let (report, output) = try compiled.program.simulate()
      guard output == compiled.reference else { return (.failed, nil, "not bit-exact") }
      return (.measured, report.cycles, nil)
    } catch let e as PolycError {
      if case .npu(let n) = e, n.part == "tiling" { return (.invalid, nil, n.message) }
      return (.failed, nil, e.description)
    } catch let e as NPUCodeGenError {
      return (e.part == "tiling" ? .invalid : .failed, nil, e.message)
    } catch {
      return (.failed, nil, "\(error)")
    }
  }

  /// The cost model's view of a candidate: the loop order, log2 of each extent, their squares
  /// and pairwise products (cycles are far from linear in the extents), and a constant.
  package static func features(_ c: NPUCandidate) -> [Double] {
    let v = [c.rows, c.cols, c.outChannels, c.inChannels].map { log2(Double(max(1, $0))) / 8 }
    var x: [Double] = [1, c.channelOuter ? 1 : 0] + v
    for i in v.indices { for j in i..<v.count { x.append(v[i] * v[j]) } }
    if c.channelOuter { x += v }
    else { x += v.map { _ in 0 } }
    return x
  }

  /// Runs a search with `budget` measured (or invalid) candidates.
  package func run(search: TuningSearch, budget: Int, timeLimit: Double? = nil) throws -> NPUTuningResult {
    let start = Date()
    let presetCompilation = try Pipeline.compile(kernel: kernel, strategy: baseStrategy)
    let preset = try NPURunner.run(presetCompilation, sizes: sizes, options: NPUKernelRunOptions(hw: hardware, seed: seed))
    guard let gemm = preset.kernel as? NPUKernel else {
      throw PolycError.usage("polyc tune --target npu tunes GEMM kernels; '\(kernel.name)' runs on the ALU alone (no tile knobs)")
    }
    let presetCycles = preset.run.report.cycles
    var ctx = Context(gemm: gemm, compilation: [:])
    for order in [false, true] { ctx.compilation[order] = try? compile(channelOuter: order, gemm: gemm) }
    let hw = gemm.hardware
    let s = gemm.gemm.shape
    let pixelsH = s.outputHeight, pixelsW = s.outputWidth
    let oc = s.outChannels, ic = s.inChannels * (gemm.gemm.weights.zeroPoint != nil ? 2 : 1)
    func choices(_ n: Int, block: Int) -> [Int] {
      var c = Swift.Set<Int>()
      var v = block
      while v < n { c.insert(v); v *= 2 }
      c.insert(n)
      var m = block
      while m < n && m <= 16 * block { c.insert(m); m += block }
      return c.sorted()
    }
    let rowsChoices = choices(pixelsH, block: 1), colsChoices = choices(pixelsW, block: min(hw.blockOut, max(1, pixelsW)))
    let ocChoices = choices(oc, block: hw.blockOut), icChoices = choices(ic, block: hw.blockIn)
    var rng = DeterministicRandom(seed: seed)
    func pick<T>(_ xs: [T]) -> T { xs[rng.int(in: 0...(xs.count - 1))] }
    func random() -> NPUCandidate {
      NPUCandidate(channelOuter: rng.int(in: 0...1) == 1, rows: pick(rowsChoices), cols: pick(colsChoices), outChannels: pick(ocChoices), inChannels: pick(icChoices))
    }
    let t = preset.run.program.tiles
    let seedCandidate = NPUCandidate(channelOuter: t.order == .channelOuter, rows: t.rows, cols: t.cols,
                                     outChannels: min(oc, t.outBlocks * hw.blockOut), inChannels: min(ic, t.inBlocks * hw.blockIn))
    func neighbour(_ c: NPUCandidate) -> NPUCandidate {
      var n = c
      func step(_ v: Int, _ options: [Int]) -> Int {
        guard let i = options.firstIndex(where: { $0 >= v }) else { return options.last! }
        let j = max(0, min(options.count - 1, i + (rng.int(in: 0...1) == 0 ? -1 : 1)))
        return options[j]
      }
      switch rng.int(in: 0...4) {
      case 0: n.channelOuter.toggle()
      case 1: n.rows = step(c.rows, rowsChoices)
      case 2: n.cols = step(c.cols, colsChoices)
      case 3: n.outChannels = step(c.outChannels, ocChoices)
      default: n.inChannels = step(c.inChannels, icChoices)
      }
      return n
    }
    var trials: [NPUTrial] = []
    var seen: [NPUCandidate: Int?] = [:]
    var seenTiles = Swift.Set<String>()
    var best: (NPUCandidate, Int)?
    var population: [(NPUCandidate, Int)] = []
    var attempts = 0
    var spent = 0
    while spent < budget && attempts < budget * 20 {
      if let timeLimit, Date().timeIntervalSince(start) > timeLimit { break }
      attempts += 1
      let c: NPUCandidate
      switch search {
      case .random: c = random()
      case .model:
        // The preset's tile, two random ones, then the cost model's choice among random
        // candidates and neighbours of the best four.
        if trials.isEmpty { c = seedCandidate }
        else if population.isEmpty || trials.filter({ $0.outcome != .duplicate }).count < 3 { c = random() }
        else {
          let pool = RidgeModel.pool(random: random, neighbour: neighbour, of: population.map(\.0), seen: { seen[$0] != nil })
          let samples = trials.compactMap { t -> (x: [Double], y: Double)? in
            switch t.outcome {
            case .measured: return t.cycles.map { (Self.features(t.candidate), log(Double($0) / Double(max(1, presetCycles)))) }
            case .invalid, .failed: return (Self.features(t.candidate), log(2.0))
            case .duplicate: return nil
            }
          }
          c = RidgeModel.pick(from: pool, samples: samples, features: Self.features) ?? random()
        }
      case .evolutionary:
        if trials.isEmpty { c = seedCandidate }
        else if population.isEmpty || rng.int(in: 0...3) == 0 { c = random() }
        else { c = neighbour(pick(Array(population.prefix(4))).0) }
      }
      if seen[c] != nil {
        trials.append(NPUTrial(candidate: c, outcome: .duplicate, cycles: nil, reason: nil, bestSoFar: best?.1))
        continue
      }
      let (outcome, cycles, reason) = evaluate(c, ctx, seenTiles: &seenTiles)
      seen[c] = cycles
      if outcome != .duplicate { spent += 1 }
      if let cycles {
        population.append((c, cycles))
        population.sort { $0.1 < $1.1 }
        if best == nil || cycles < best!.1 { best = (c, cycles) }
      }
      trials.append(NPUTrial(candidate: c, outcome: outcome, cycles: cycles, reason: reason, bestSoFar: best?.1))
    }
    let (bestCandidate, bestCycles) = best ?? (seedCandidate, presetCycles)
    return NPUTuningResult(kernel: kernel.name, sizes: sizes, search: search.rawValue, budget: budget, presetCycles: presetCycles,
                           best: bestCandidate, bestCycles: bestCycles, trials: trials, seconds: Date().timeIntervalSince(start))
  }

  /// The strategy file of a candidate, written so that `polyc --config` reads it from `path`.
  package func strategyText(_ c: NPUCandidate, writtenTo path: String) throws -> String {
    let comp = try Pipeline.compile(kernel: kernel, strategy: try strategy(order: c.channelOuter, gemm: try probeKernel(), sizes: nil))
    let k = try NPURunner.analyze(comp, sizes: sizes, options: NPUKernelRunOptions(hw: hardware))
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let object = json(order: c.channelOuter, gemm: k, sizes: sizesList(c, k), hardwareRelativeTo: dir)
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  func probeKernel() throws -> NPUKernel {
    let comp = try Pipeline.compile(kernel: kernel, strategy: baseStrategy)
    return try NPURunner.analyze(comp, sizes: sizes, options: NPUKernelRunOptions(hw: hardware))
  }
}

/// Reports of a tuning run: JSON, Markdown, and an SVG of the best-so-far curves.
package enum TuningReport {
  package static func write(_ results: [NPUTuningResult], to dir: String) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try enc.encode(results).write(to: URL(fileURLWithPath: "\(dir)/tune.json"))
    try markdown(results).write(toFile: "\(dir)/tune.md", atomically: true, encoding: .utf8)
    try svg(results).write(toFile: "\(dir)/tune.svg", atomically: true, encoding: .utf8)
  }

  package static func summary(_ r: NPUTuningResult) -> String {
    "\(r.search): best \(r.best) \(r.bestCycles) cycles vs preset \(r.presetCycles) (\(String(format: "%.3fx", r.speedup))); "
      + "\(r.measured) measured, \(r.invalid) invalid (not simulated), \(r.duplicates) duplicates, \(r.failed) failed; "
      + String(format: "%.1f s (%.3f s per measured candidate)", r.seconds, r.seconds / Double(max(1, r.measured)))
  }

  package static func markdown(_ results: [NPUTuningResult]) -> String {
    guard let first = results.first else { return "" }
    var out = "# polyc tune: \(first.kernel) (\(first.sizes.keys.sorted().map { "\($0)=\(first.sizes[$0]!)" }.joined(separator: ", ")))\n\n"
    out += "| search | budget | best cycles | preset cycles | speedup | measured | invalid | duplicates | failed | seconds |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for r in results {
      out += "| \(r.search) | \(r.budget) | \(r.bestCycles) | \(r.presetCycles) | " + String(format: "%.3fx", r.speedup)
        + " | \(r.measured) | \(r.invalid) | \(r.duplicates) | \(r.failed) | " + String(format: "%.1f", r.seconds) + " |\n"
    }
    for r in results { out += "\n\(r.search) best: \(r.best)\n" }
    return out
  }

  package static func svg(_ results: [NPUTuningResult]) -> String {
    let curves = results.map { r in (r.search, r.trials.filter { $0.outcome != .duplicate }.compactMap(\.bestSoFar).map(Double.init)) }
    return curveSVG(title: "polyc tune \(results.first?.kernel ?? ""): best cycles so far", curves: curves,
                    preset: results.first.map { Double($0.presetCycles) })
  }

  /// A best-so-far chart: one polyline per search, the preset as a dashed line.
  package static func curveSVG(title: String, curves: [(String, [Double])], preset: Double?) -> String {
    let w = 640.0, h = 360.0, left = 70.0, top = 40.0, plotW = 540.0, plotH = 260.0
    let all = curves.flatMap { $0.1 } + (preset.map { [$0] } ?? [])
    let lo = all.min() ?? 0, hi = all.max() ?? 1
    let n = Double(max(2, curves.map(\.1.count).max() ?? 2))
    func x(_ i: Int) -> Double { left + plotW * Double(i) / (n - 1) }
    func y(_ v: Double) -> Double { top + plotH * (hi - v) / max(1e-9, hi - lo) }
    func label(_ v: Double) -> String { v >= 100 ? "\(Int(v))" : String(format: "%.3g", v) }
    let colors = ["#1f77b4", "#d62728", "#2ca02c"]
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"11\">\n"
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    out += "<text x=\"\(left)\" y=\"22\" font-size=\"14\">\(title)</text>\n"
    out += "<line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" stroke=\"#000\"/>\n"
    out += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotH)\" stroke=\"#000\"/>\n"
    out += "<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\">\(label(hi))</text><text x=\"\(left - 4)\" y=\"\(top + plotH)\" text-anchor=\"end\">\(label(lo))</text>\n"
    out += "<text x=\"\(left + plotW / 2)\" y=\"\(top + plotH + 28)\" text-anchor=\"middle\">candidates measured</text>\n"
    if let p = preset {
      out += "<line x1=\"\(left)\" y1=\"\(y(p))\" x2=\"\(left + plotW)\" y2=\"\(y(p))\" stroke=\"#888\" stroke-dasharray=\"4 3\"/><text x=\"\(left + plotW - 2)\" y=\"\(y(p) - 3)\" text-anchor=\"end\" fill=\"#666\">preset</text>\n"
    }
    for (ci, (name, curve)) in curves.enumerated() where !curve.isEmpty {
      let points = curve.enumerated().map { "\(x($0.offset)),\(y($0.element))" }.joined(separator: " ")
      out += "<polyline fill=\"none\" stroke=\"\(colors[ci % colors.count])\" stroke-width=\"2\" points=\"\(points)\"/>\n"
      out += "<rect x=\"\(left + 10 + Double(ci) * 140)\" y=\"\(h - 22)\" width=\"10\" height=\"10\" fill=\"\(colors[ci % colors.count])\"/><text x=\"\(left + 24 + Double(ci) * 140)\" y=\"\(h - 13)\">\(name)</text>\n"
    }
    return out + "</svg>\n"
  }
}
