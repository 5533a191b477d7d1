//===- CPUTuner.swift - Per-kernel strategy search for the CPU ------------===//
//
// `polyc tune KERNEL --target cpu` searches the strategy knobs that change the
// generated C: the scheduler preset the strategy starts from (cpu, pluto,
// tensor, isl), the fusion policy or two explicit fusion groups, the outer
// dimension's coincidence, cost order and skewing (polytops backends), tiling
// on/off, its sizes, a second level and diamond tiles, the cache sizes
// automatic tile sizes target, the register tile of matrix multiplications, the wavefront,
// vectorization with its unroll-and-jam factors, and scalar expansion.
//
// Cheap validity first: a candidate whose strategy the parser or the
// scheduler rejects, or whose schedule fails the legality check
// (`Pipeline.compile` refuses it), is discarded before any C is compiled.
// Candidates that generate the same program text as an earlier one are
// duplicates and are not measured again.
//
// Measurement, as `polyc bench` does: the program is compiled twice, once to
// verify (dump compared with the original schedule's at a small data set,
// `-D<NAME>_DATASET`) and once to time (the tuned data set). The timed binary
// runs round-robin with the preset's binary, `repetitions` rounds, so a noisy
// machine slows both alike; a candidate's score is its median over the
// preset's median from the same rounds. The best candidate is confirmed at the
// end against the preset with twice the rounds; unless it is faster by more
// than the noise margin, the preset itself is the result, so a tuned strategy
// is never slower than the preset it started from.
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycBench
import PolycDriver
import PolycFrontend
import PolycNPU
import PolycScheduler
import PolycToolchain
import PolycTransforms

/// One point of the CPU search space.
package struct CPUCandidate: Hashable, Codable, Sendable, CustomStringConvertible {
  /// The preset the strategy starts from (a file `Configs/<base>.json`).
  package var base: String
  package var fusion: String
  /// Coincidence of dimension 0 ("preferred" or "off"; polytops backends only).
  package var outerCoincidence: String
  /// Skewing in every dimension (polytops backends only).
  package var skewing: Bool
  package var tiling: Bool
  /// nil: `"auto"`.
  package var tileSizes: [Int]?
  package var wavefront: Bool
  /// Diamond tiles for time-iterated stencils (`tiling.diamond`).
  package var diamond: Bool
  package var vectorize: Bool
  /// nil: the default (`[4, 4]` when tiled); `[]`: off.
  package var unrollAndJam: [Int]?
  package var scalarExpansion: Bool
  /// With `scalarExpansion`: accumulators too (`"scalarExpansion": "accumulators"`).
  package var accumulators: Bool? = nil
  /// `tiling.cache` (`[l1, l2]` bytes) that automatic tile sizes target; nil: the preset's.
  package var cache: [Int]? = nil
  /// `tiling.matmul.registerTile` (rows, columns of C) where the preset tiles matrix
  /// multiplications BLIS-style; nil: the preset's.
  package var registerTile: [Int]? = nil
  /// The cost functions of dimension 0 (polytops backends); nil: the preset's.
  package var outerCosts: [String]? = nil
  /// A second tiling level of a quarter of each fixed tile size (`tiling.secondLevel`).
  package var secondLevel: Bool? = nil
  /// Fusion by explicit groups (`"policy": "groups"`): the statements before this index in
  /// the SCoP's order form one group, the others a second (replaces `fusion`).
  package var fusionSplit: Int? = nil

  package var description: String {
    var parts = [base, fusionSplit.map { "fusion groups split at statement \($0)" } ?? "fusion \(fusion)"]
    if base != "isl" { parts.append("outer \(outerCoincidence)" + (skewing ? "" : ", no skew")) }
    if base != "isl", let costs = outerCosts { parts.append("outer costs \(costs.joined(separator: "+"))") }
    parts.append(tiling ? "tiles \(tileSizes.map { $0.map(String.init).joined(separator: "x") } ?? "auto")" : "untiled")
    if tiling && diamond { parts.append("diamond") }
    if tiling && tileSizes != nil && secondLevel == true { parts.append("second level") }
    if tiling, let c = cache { parts.append("cache \(c.map { "\($0 / 1024) KiB" }.joined(separator: "/"))") }
    if let r = registerTile { parts.append("register tile \(r.map(String.init).joined(separator: "x"))") }
    if wavefront { parts.append("wavefront") }
    parts.append(vectorize ? "simd" + (unrollAndJam.map { $0.isEmpty ? " no-uaj" : " uaj \($0.map(String.init).joined(separator: "x"))" } ?? "") : "no simd")
    if scalarExpansion { parts.append(accumulators == true ? "scalar expansion (accumulators)" : "scalar expansion") }
    return parts.joined(separator: ", ")
  }
}

/// What happened to one CPU candidate.
package struct CPUTrial: Codable, Sendable {
  package var candidate: CPUCandidate
  package var outcome: TrialOutcome
  /// Median seconds of the candidate and of the preset in the same rounds.
  package var seconds: Double?
  package var presetSeconds: Double?
  package var reason: String?
  /// Best ratio (candidate / preset) so far, after this trial.
  package var bestRatioSoFar: Double?
  /// Seconds spent on this trial (compiling, building, verifying, timing).
  package var cost: Double
  /// A duplicate: the index of the trial with the same program (-1: the preset's).
  package var duplicateOf: Int? = nil

  package init(candidate: CPUCandidate, outcome: TrialOutcome, seconds: Double?, presetSeconds: Double?, reason: String?,
               bestRatioSoFar: Double?, cost: Double, duplicateOf: Int? = nil) {
    (self.candidate, self.outcome, self.seconds, self.presetSeconds) = (candidate, outcome, seconds, presetSeconds)
    (self.reason, self.bestRatioSoFar, self.cost, self.duplicateOf) = (reason, bestRatioSoFar, cost, duplicateOf)
  }
  package var ratio: Double? {
    guard let s = seconds, let p = presetSeconds else { return nil }
    return max(s, 1e-6) / max(p, 1e-6)
  }
}

/// The result of one CPU search.
package struct CPUTuningResult: Codable, Sendable, TuningOutcomes {
  package var kernel: String
  package var dataset: String
  package var search: String
  package var budget: Int
  package var best: CPUCandidate
  /// Medians of the confirmation rounds: the best candidate and the preset side by side.
  package var bestSeconds: Double
  package var presetSeconds: Double
  /// False when the confirmation did not beat the preset beyond noise: the preset is kept.
  package var confirmed: Bool
  package var trials: [CPUTrial]
  package var seconds: Double
  package var outcomes: [TrialOutcome] { trials.map(\.outcome) }
  package var speedup: Double { max(presetSeconds, 1e-6) / max(bestSeconds, 1e-6) }
}

/// How candidates are compiled, verified and timed.
package struct CPUTuningOptions: Sendable {
  /// The data set timed.
  package var dataset = "LARGE"
  /// The data set whose dump verifies each candidate against the original schedule.
  package var verifyDataset = "SMALL"
  package var cc = "gcc"
  package var cflags = BenchConfiguration.defaultCFlags
  package var threads = 2
  /// Timed rounds per candidate (each round runs the candidate and the preset).
  package var repetitions = 3
  /// A candidate must beat the preset by this factor in the confirmation to replace it.
  package var noiseMargin = 0.03
  /// More rounds while a candidate's and the preset's runs total less than this (seconds).
  package var minimumTimedSeconds = 0.5
  package var maximumRounds = 31
  /// Seconds a single run may take.
  package var timeout = 300.0
  /// A candidate's timed process is killed after this many times the preset's median process
  /// time so far (at least `slowFloor` seconds): a schedule 100 times slower than the preset
  /// must not hold the search for minutes. It then counts as this many times the preset's
  /// kernel time, a lower bound.
  package var slowFactor = 10.0
  package var slowFloor = 2.0
  /// Stop the search after this many seconds (nil: the budget alone).
  package var timeLimit: Double?
  /// A polyc executable that compiles each candidate in a child process, killed after
  /// `compileTimeout` seconds: isl's operation budgets do not bound every isl computation
  /// (AST generation's stride detection is not counted), and one candidate must not stall
  /// the search. nil: candidates compile in this process.
  package var polyc: String?
  package var compileTimeout = 120.0
  package init() {}
}

package final class CPUTuner {
  package let kernelPath: String
  package let configsDirectory: String
  package let basePreset: String
  package let seed: UInt64
  package let options: CPUTuningOptions
  /// Receives one line per measured candidate.
  package var progress: (String) -> Void = { _ in }
  let kernel: CheckedKernel
  let workDirectory: String
  /// Builds done so far (a test checks that invalid candidates build nothing).
  package private(set) var builds = 0
  /// Set by `evaluate` for a duplicate: the trial whose program it repeats (-1: the preset's).
  private var lastDuplicateOf: Int?

  /// - Parameters:
  ///   - basePreset: the preset the result is compared with (`cpu`: `Configs/cpu.json`).
  package init(kernelPath: String, configsDirectory: String, basePreset: String = "cpu", seed: UInt64 = 1,
               options: CPUTuningOptions = CPUTuningOptions()) throws {
    self.kernelPath = kernelPath
    self.configsDirectory = configsDirectory
    self.basePreset = basePreset
    self.seed = seed
    self.options = options
    kernel = try Pipeline.loadKernel(path: kernelPath)
    workDirectory = NSTemporaryDirectory() + "polyc-tune-\(kernel.name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: workDirectory) }

  // MARK: Candidates and their strategy files

  static let presets = ["cpu", "pluto", "tensor", "isl"]
  static let fusions = ["none", "smart", "connected", "max"]
  static let sizes = [8, 16, 32, 64, 128, 256]
  static let unrolls: [[Int]?] = [nil, [], [2, 2], [4, 2], [2, 4], [8, 1]]
  /// `[l1, l2]`: half and twice the default's 32 KiB / 512 KiB, and the L1d and L2 of a
  /// Zen 4/5 core (48 KiB, 1 MiB).
  static let caches: [[Int]?] = [nil, [16_384, 262_144], [49_152, 1_048_576], [65_536, 2_097_152]]
  static let registerTiles: [[Int]?] = [nil, [8, 16], [4, 24], [6, 16], [4, 32], [8, 8]]
  static let costOrders: [[String]?] = [nil, ["proximity"], ["proximity", "contiguity"], ["contiguity", "proximity"],
                                        ["bigLoopsFirst", "proximity"], ["contiguity", "bigLoopsFirst", "proximity"]]

  /// The SCoP's statement names, in order (the original schedule's), for fusion groups.
  package private(set) lazy var statementNames: [String] = {
    (try? Pipeline.compile(kernel: self.kernel, strategy: Strategy(), transforms: TransformOptions.none))?.scop.statements.map(\.name) ?? []
  }()

  /// A random split point of the statements (nil: fewer than two statements).
  func randomSplit(_ rng: inout DeterministicRandom) -> Int? {
    statementNames.count < 2 ? nil : rng.int(in: 1...(statementNames.count - 1))
  }

  func presetObject(_ name: String) throws -> [String: Any] {
    let path = "\(configsDirectory)/\(name).json"
    guard let data = FileManager.default.contents(atPath: path),
          let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw PolycError.io("cannot read strategy '\(path)' as a JSON object")
    }
    return object
  }

  /// The candidate a preset file stands for (its own settings, read back from its JSON).
  package func candidate(ofPreset name: String) throws -> CPUCandidate {
    let o = try presetObject(name)
    let tiling = o["tiling"] as? [String: Any]
    let par = o["parallelism"] as? [String: Any]
    let vec = o["vectorization"] as? [String: Any]
    let dims = o["dimensions"] as? [[String: Any]]
    let def = o["defaultDimension"] as? [String: Any]
    let fusion = (o["fusion"] as? String) ?? "smart"
    return CPUCandidate(
      base: name, fusion: Self.fusions.contains(fusion) ? fusion : "smart",
      outerCoincidence: (dims?.first?["coincidence"] as? String) ?? (def?["coincidence"] as? String) ?? "off",
      skewing: (def?["skewing"] as? Bool) ?? true,
      tiling: tiling.map { ($0["enabled"] as? Bool) ?? true } ?? false,
      tileSizes: tiling?["sizes"] as? [Int],
      wavefront: (par?["wavefront"] as? Bool) ?? false,
      diamond: (tiling?["diamond"] as? Bool) ?? false,
      vectorize: vec.map { ($0["enabled"] as? Bool) ?? true } ?? false,
      unrollAndJam: (vec?["unrollAndJam"] as? [Int]) ?? ((vec?["unrollAndJam"] as? Bool) == false ? [] : nil),
      scalarExpansion: (o["scalarExpansion"] as? Bool) ?? ((o["scalarExpansion"] as? String) == "accumulators"),
      accumulators: (o["scalarExpansion"] as? String) == "accumulators" ? true : nil)
  }

  /// The strategy JSON object of a candidate.
  func json(_ c: CPUCandidate) throws -> [String: Any] {
    var o = try presetObject(c.base)
    o["name"] = "\(basePreset)-tuned-\(kernel.name)"
    o["description"] = "Tuned by polyc tune --target cpu for kernel \(kernel.name) at \(options.dataset): \(c)."
    o["fusion"] = c.fusion
    if let k = c.fusionSplit, k > 0, k < statementNames.count {
      o["fusion"] = ["policy": "groups", "groups": [Array(statementNames[..<k]), Array(statementNames[k...])]] as [String: Any]
    }
    if (o["backend"] as? String) == "polytops" {
      var dims = (o["dimensions"] as? [[String: Any]]) ?? []
      if dims.isEmpty { dims = [[:]] }
      dims[0]["coincidence"] = c.outerCoincidence
      if let costs = c.outerCosts { dims[0]["costs"] = costs }
      o["dimensions"] = dims
      var def = (o["defaultDimension"] as? [String: Any]) ?? [:]
      def["skewing"] = c.skewing
      o["defaultDimension"] = def
    }
    var tiling = (o["tiling"] as? [String: Any]) ?? [:]
    tiling["enabled"] = c.tiling
    if c.tiling { tiling["sizes"] = c.tileSizes.map { $0 as Any } ?? "auto" }
    if c.tiling, c.secondLevel == true, let sizes = c.tileSizes, sizes.allSatisfy({ $0 >= 8 }) {
      tiling["secondLevel"] = ["sizes": sizes.map { $0 / 4 }]
    } else {
      tiling.removeValue(forKey: "secondLevel")
    }
    tiling["diamond"] = c.tiling && c.diamond
    if c.tiling, let cache = c.cache { tiling["cache"] = ["l1": cache[0], "l2": cache[1]] }
    // BLIS-style matmul tiles need tiling: an untiled candidate of the cpu preset turns them
    // off (the parser would reject it, and no untiled cpu candidate would ever be measured).
    if !c.tiling, var matmul = tiling["matmul"] as? [String: Any] {
      matmul["enabled"] = false
      tiling["matmul"] = matmul
    }
    if let r = c.registerTile, var matmul = tiling["matmul"] as? [String: Any], (matmul["enabled"] as? Bool) ?? true {
      matmul["registerTile"] = r
      if matmul["cacheTiles"] is [Int] { matmul["cacheTiles"] = "auto" }
      tiling["matmul"] = matmul
    }
    o["tiling"] = tiling
    var par = (o["parallelism"] as? [String: Any]) ?? [:]
    par["openmp"] = true
    par["wavefront"] = c.tiling && c.wavefront
    o["parallelism"] = par
    var vec = (o["vectorization"] as? [String: Any]) ?? [:]
    vec["enabled"] = c.vectorize
    if c.vectorize {
      if let u = c.unrollAndJam { vec["unrollAndJam"] = u.isEmpty ? false as Any : u as Any } else { vec.removeValue(forKey: "unrollAndJam") }
    } else {
      vec.removeValue(forKey: "unrollAndJam")
    }
    o["vectorization"] = vec
    o["scalarExpansion"] = c.scalarExpansion && c.accumulators == true ? "accumulators" as Any : c.scalarExpansion
    // Every candidate's isl work is bounded: a preset without a scheduling budget (or one a
    // knob makes expensive) must not stall the search. Past the budget the strategy's
    // fallbacks apply, as for any strategy.
    var budget = (o["budget"] as? [String: Any]) ?? [:]
    if ((budget["maxOperations"] as? Int) ?? 0) == 0 { budget["maxOperations"] = Self.candidateOperations }
    o["budget"] = budget
    return o
  }

  /// isl operations one candidate's scheduler may take when its preset sets no budget.
  static let candidateOperations = 50_000_000

  package func strategy(_ c: CPUCandidate) throws -> Strategy {
    let data = try JSONSerialization.data(withJSONObject: try json(c), options: [.sortedKeys])
    return try Pipeline.strategy(json: String(decoding: data, as: UTF8.self), path: "\(configsDirectory)/\(c.base).json")
  }

  /// The strategy file of a candidate, as `polyc --config` reads it.
  package func strategyText(_ c: CPUCandidate) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: try json(c), options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  // MARK: Building and measuring

  /// The program text of a strategy (nil: the original schedule).
  package func program(_ s: Strategy?) throws -> String {
    let strategy = s ?? Strategy()
    let c = try Pipeline.compile(kernel: kernel, strategy: strategy, transforms: s == nil ? TransformOptions.none : nil)
    return try Pipeline.emit(.program, c, dataset: options.dataset)
  }

  /// The candidate's program from `polyc KERNEL --config sN.json --emit program` in a child
  /// process; its strategy file stays in the work directory (named in the error).
  func programInChildProcess(_ c: CPUCandidate, index: Int, polyc: String) throws -> String {
    let path = "\(workDirectory)/s\(index).json"
    try strategyText(c).write(toFile: path, atomically: true, encoding: .utf8)
    let r = try ProcessRunner.run(polyc, [kernelPath, "--config", path, "--emit", "program", "--dataset", options.dataset],
                                  timeout: options.compileTimeout)
    if r.timedOut {
      throw PolycError.io("polyc did not finish within \(Int(options.compileTimeout)) s on this candidate (\(path))")
    }
    guard r.status == 0 else {
      throw PolycError.io(r.stderr.split(separator: "\n").first.map(String.init) ?? "polyc exited with status \(r.status)")
    }
    return r.stdout
  }

  func build(_ source: String, name: String) throws -> ProgramBinaries {
    builds += 1
    return try ProgramBinaries.build(source, name: name, in: workDirectory, compiler: CCompiler(command: options.cc, flags: options.cflags),
                                     verifyFlags: ["-D\(options.verifyDataset)_DATASET"])
  }

  var environment: [String: String] { ["OMP_NUM_THREADS": "\(options.threads)", "OMP_WAIT_POLICY": "PASSIVE"] }

  func dump(_ binary: String) throws -> String {
    try ProgramRun.dump(binary, timeout: options.timeout, environment: environment)
  }

  func seconds(_ binary: String) throws -> Double {
    try ProgramRun.seconds(binary, timeout: options.timeout, environment: environment)
  }

  /// Medians of `a` and `b` timed round-robin for `rounds` rounds, and more rounds (up to
  /// `maximumRounds`) while the runs total less than `minimumTimedSeconds`, as `polyc bench` does
  /// for kernels too short to time.
  ///
  /// `b` (the preset) runs first in each round; `a` is killed after `slowFactor` times `b`'s
  /// median process time so far (see `slowFactor`), and then `a`'s result is `slowFactor`
  /// times `b`'s median, with `killed` set.
  package func sideBySide(_ a: String, _ b: String, rounds: Int) throws -> (Double, Double, killed: Bool) {
    var ta: [Double] = [], tb: [Double] = [], wallB: [Double] = []
    while ta.count < rounds || (ta.count < options.maximumRounds && ta.reduce(0, +) + tb.reduce(0, +) < options.minimumTimedSeconds) {
      // The limit is on the whole process (data initialisation included: lu's and cholesky's
      // take longer than their kernels), so it scales the preset's process time, not its kernel time.
      let t0 = Date()
      tb.append(try seconds(b))
      wallB.append(Date().timeIntervalSince(t0))
      let limit = min(options.timeout, max(options.slowFloor, options.slowFactor * Statistics.median(wallB)))
      let r = try ProcessRunner.run(a, [], timeout: limit, environment: environment)
      if r.timedOut { return (options.slowFactor * Statistics.median(tb), Statistics.median(tb), true) }
      ta.append(try ProgramRun.seconds(fromOutput: r))
    }
    return (Statistics.median(ta), Statistics.median(tb), false)
  }

  package struct Baseline {
    var reference: String
    var preset: ProgramBinaries
    package var presetCandidate: CPUCandidate
  }

  package func baseline() throws -> Baseline {
    let original = try build(try program(nil), name: "original")
    let reference = try dump(original.verify)
    let presetCandidate = try candidate(ofPreset: basePreset)
    let preset = try build(try program(try Pipeline.loadStrategy(path: "\(configsDirectory)/\(basePreset).json")), name: "preset")
    if let m = DumpComparison.compare(expected: reference, actual: try dump(preset.verify)) {
      throw PolycError.io("the preset '\(basePreset)' computes a different result from the original schedule (\(m))")
    }
    return Baseline(reference: reference, preset: preset, presetCandidate: presetCandidate)
  }

  /// Evaluates one candidate: invalid before anything is built when the strategy or the schedule is
  /// rejected; duplicate when its program text was seen.
  package func evaluate(_ c: CPUCandidate, index: Int, _ b: Baseline, seenPrograms: inout [String: Int])
    -> (TrialOutcome, Double?, Double?, String?) {
    let text: String
    do {
      let s = try strategy(c)
      if let polyc = options.polyc {
        text = try programInChildProcess(c, index: index, polyc: polyc)
      } else {
        text = try program(s)
      }
    } catch let e as PolycError {
      return (.invalid, nil, nil, e.description)
    } catch {
      return (.invalid, nil, nil, "\(error)")
    }
    if let earlier = seenPrograms[text] {
      lastDuplicateOf = earlier
      return (.duplicate, nil, nil, earlier < 0 ? "the same program as the preset" : "the same program as candidate \(earlier)")
    }
    seenPrograms[text] = index
    do {
      let bin = try build(text, name: "c\(index)")
      if let m = DumpComparison.compare(expected: b.reference, actual: try dump(bin.verify)) {
        return (.failed, nil, nil, "wrong output: \(m)")
      }
      let (t, p, killed) = try sideBySide(bin.timed, b.preset.timed, rounds: options.repetitions)
      return (.measured, t, p, killed ? String(format: "killed at %gx the preset's process time: at least this slow", options.slowFactor) : nil)
    } catch {
      return (.failed, nil, nil, "\(error)")
    }
  }

  // MARK: Search

  package func random(_ rng: inout DeterministicRandom) -> CPUCandidate {
    func pick<T>(_ xs: [T]) -> T { xs[rng.int(in: 0...(xs.count - 1))] }
    let tiled = rng.int(in: 0...3) > 0
    let depth = 3
    return CPUCandidate(
      base: pick(Self.presets), fusion: pick(Self.fusions), outerCoincidence: pick(["preferred", "off"]),
      skewing: rng.int(in: 0...3) > 0, tiling: tiled,
      tileSizes: rng.int(in: 0...2) == 0 ? nil : (0..<depth).map { _ in pick(Self.sizes) },
      wavefront: rng.int(in: 0...1) == 1, diamond: rng.int(in: 0...1) == 1, vectorize: rng.int(in: 0...3) > 0,
      unrollAndJam: pick(Self.unrolls),
      scalarExpansion: rng.int(in: 0...1) == 1, cache: pick(Self.caches), registerTile: pick(Self.registerTiles),
      outerCosts: pick(Self.costOrders), secondLevel: rng.int(in: 0...3) == 0 ? true : nil,
      fusionSplit: rng.int(in: 0...4) == 0 ? randomSplit(&rng) : nil)
  }

  func neighbour(_ c: CPUCandidate, _ rng: inout DeterministicRandom) -> CPUCandidate {
    func pick<T>(_ xs: [T]) -> T { xs[rng.int(in: 0...(xs.count - 1))] }
    var n = c
    switch rng.int(in: 0...14) {
    case 0: n.base = pick(Self.presets)
    case 1: n.fusion = pick(Self.fusions); n.fusionSplit = nil
    case 2: n.outerCoincidence = c.outerCoincidence == "preferred" ? "off" : "preferred"
    case 3: n.skewing.toggle()
    case 4: n.tiling.toggle()
    case 5:
      var s = c.tileSizes ?? [32, 32, 32]
      let i = rng.int(in: 0...(s.count - 1))
      let j = (Self.sizes.firstIndex(of: s[i]) ?? 2) + (rng.int(in: 0...1) == 0 ? -1 : 1)
      s[i] = Self.sizes[max(0, min(Self.sizes.count - 1, j))]
      n.tileSizes = s
      n.tiling = true
    case 6: n.wavefront.toggle()
    case 7: n.unrollAndJam = pick(Self.unrolls); n.vectorize = true
    case 8: n.diamond.toggle(); n.tiling = true
    case 9: n.cache = pick(Self.caches); n.tiling = true
    case 10: n.registerTile = pick(Self.registerTiles)
    case 11: n.outerCosts = pick(Self.costOrders)
    case 12:
      n.secondLevel = c.secondLevel == true ? nil : true
      if n.tileSizes == nil { n.tileSizes = [32, 32, 32] }
      n.tiling = true
    case 13: n.fusionSplit = c.fusionSplit == nil ? randomSplit(&rng) : nil
    default:
      // off -> on -> on with accumulators -> off
      if !c.scalarExpansion {
        n.scalarExpansion = true
        n.accumulators = nil
      } else if c.accumulators != true {
        n.accumulators = true
      } else {
        n.scalarExpansion = false
        n.accumulators = nil
      }
    }
    return n
  }

  /// The cost model's view of a candidate: one-hot knobs, log2 tile sizes, and a constant.
  package static func features(_ c: CPUCandidate) -> [Double] {
    func oneHot<T: Equatable>(_ v: T, _ xs: [T]) -> [Double] { xs.map { $0 == v ? 1 : 0 } }
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    var x: [Double] = [1]
    x += oneHot(c.base, presets) + oneHot(c.fusion, fusions)
    x += [flag(c.outerCoincidence == "preferred"), flag(c.skewing), flag(c.tiling), flag(c.tiling && c.tileSizes == nil)]
    let sizes = c.tiling ? (c.tileSizes ?? []) : []
    x += (0..<3).map { $0 < sizes.count ? log2(Double(max(1, sizes[$0]))) / 8 : 0 }
    x += [flag(c.tiling && c.diamond), flag(c.tiling && c.wavefront), flag(c.vectorize)]
    x += oneHot(c.vectorize ? c.unrollAndJam : [0], unrolls)
    x += [flag(c.scalarExpansion), flag(c.scalarExpansion && c.accumulators == true)]
    x += oneHot(c.tiling ? c.cache : [0], caches) + oneHot(c.registerTile, registerTiles)
    x += oneHot(c.base == "isl" ? [] : c.outerCosts, costOrders)
    x += [flag(c.tiling && c.tileSizes != nil && c.secondLevel == true), flag(c.fusionSplit != nil)]
    return x
  }

  /// Scores the cost model learns from: the log of a candidate's time over the preset's
  /// (measured, or the program it duplicates), a failed or invalid candidate as twice as slow.
  package static func score(_ t: CPUTrial, _ trials: [CPUTrial]) -> Double? {
    switch t.outcome {
    case .measured: return t.ratio.map { log(min(10, $0)) }
    case .invalid, .failed: return log(2.0)
    case .duplicate:
      guard let i = t.duplicateOf else { return nil }
      return i < 0 ? 0 : trials.indices.contains(i) ? score(trials[i], trials) : nil
    }
  }

  /// The model-guided choice: a random candidate one time in four, else of candidates drawn at
  /// random and around the best four so far, the one the model fitted to `trials` predicts fastest.
  /// The preset itself is a sample of score 0.
  func modelCandidate(_ trials: [CPUTrial], preset: CPUCandidate, population: [(CPUCandidate, Double)],
                      seen: Swift.Set<CPUCandidate>, _ rng: inout DeterministicRandom) -> CPUCandidate {
    // Exploitation with the model's prediction alone, and a random candidate one time in four
    // (epsilon-greedy, as AutoTVM): measured times are noisy, and the confidence bound of the NPU
    // search sent the CPU search after unusual knob combinations (docs/tune.md).
    if rng.int(in: 0...3) == 0 { return random(&rng) }
    let pool = RidgeModel.pool(random: { random(&rng) }, neighbour: { neighbour($0, &rng) }, of: population.map(\.0),
                               seen: seen.contains)
    let samples = trials.compactMap { t in Self.score(t, trials).map { (x: Self.features(t.candidate), y: $0) } }
      + [(x: Self.features(preset), y: 0.0)]
    return RidgeModel.pick(from: pool, samples: samples, features: Self.features, kappa: 0) ?? random(&rng)
  }

  /// Runs a search with `budget` candidates measured or found invalid.
  package func run(search: TuningSearch, budget: Int) throws -> CPUTuningResult {
    let start = Date()
    let b = try baseline()
    var rng = DeterministicRandom(seed: seed)
    var seedQueue = Self.presets.filter { $0 != basePreset }.compactMap { try? candidate(ofPreset: $0) }
    var trials: [CPUTrial] = []
    var seenCandidates = Swift.Set<CPUCandidate>([b.presetCandidate])
    var seenPrograms: [String: Int] = [:]
    if let presetText = try? program(try strategy(b.presetCandidate)) { seenPrograms[presetText] = -1 }
    var population: [(CPUCandidate, Double)] = [(b.presetCandidate, 1.0)]
    var best: (candidate: CPUCandidate, ratio: Double)?
    var spent = 0, attempts = 0
    while spent < budget && attempts < budget * 20 {
      if let limit = options.timeLimit, Date().timeIntervalSince(start) > limit { break }
      attempts += 1
      let c: CPUCandidate
      switch search {
      case .random: c = random(&rng)
      case .model:
        // Three random candidates first: the model needs samples that differ in many knobs.
        c = trials.filter { $0.outcome != .duplicate }.count < 3 ? random(&rng)
          : modelCandidate(trials, preset: b.presetCandidate, population: population, seen: seenCandidates, &rng)
      case .evolutionary:
        if !seedQueue.isEmpty { c = seedQueue.removeFirst() }
        else if rng.int(in: 0...4) == 0 { c = random(&rng) }
        else { c = neighbour(population[rng.int(in: 0...(min(3, population.count - 1)))].0, &rng) }
      }
      guard seenCandidates.insert(c).inserted else { continue }
      let t0 = Date()
      let (outcome, s, p, reason) = evaluate(c, index: trials.count, b, seenPrograms: &seenPrograms)
      if outcome != .duplicate { spent += 1 }
      var trial = CPUTrial(candidate: c, outcome: outcome, seconds: s, presetSeconds: p, reason: reason, bestRatioSoFar: nil,
                           cost: Date().timeIntervalSince(t0))
      if outcome == .duplicate { trial.duplicateOf = lastDuplicateOf }
      if let r = trial.ratio {
        population.append((c, r))
        population.sort { $0.1 < $1.1 }
        if best == nil || r < best!.ratio { best = (c, r) }
      }
      trial.bestRatioSoFar = best?.ratio
      trials.append(trial)
      progress("  [\(search.rawValue) \(spent)/\(budget)] \(outcome.rawValue): \(c)"
        + (trial.ratio.map { String(format: " -> %.3fx of the preset's time", $0) } ?? "") + (reason.map { " (\($0.prefix(120)))" } ?? ""))
    }
    // Confirmation: the best candidate against the preset, twice the rounds, side by side.
    var result = CPUTuningResult(kernel: kernel.name, dataset: options.dataset, search: search.rawValue, budget: budget,
                                 best: b.presetCandidate, bestSeconds: 0, presetSeconds: 0, confirmed: false, trials: trials, seconds: 0)
    if let best, best.ratio < 1 {
      let index = trials.firstIndex { $0.candidate == best.candidate }!
      let (t, p, killed) = try sideBySide("\(workDirectory)/c\(index).time", b.preset.timed, rounds: 2 * options.repetitions)
      if !killed && t < p * (1 - options.noiseMargin) {
        result.best = best.candidate
        result.confirmed = true
      }
      (result.bestSeconds, result.presetSeconds) = result.confirmed ? (t, p) : (p, p)
    } else {
      let (p, _, _) = try sideBySide(b.preset.timed, b.preset.timed, rounds: 1)
      (result.bestSeconds, result.presetSeconds) = (p, p)
    }
    result.seconds = Date().timeIntervalSince(start)
    return result
  }
}

extension TuningReport {
  package static func summary(_ r: CPUTuningResult) -> String {
    "\(r.search): best \(r.best) \(String(format: "%.4f", r.bestSeconds)) s vs preset \(String(format: "%.4f", r.presetSeconds)) s "
      + "(\(String(format: "%.3fx", r.speedup))\(r.confirmed ? "" : ", preset kept"));"
      + " \(r.measured) measured, \(r.invalid) invalid (not built), \(r.duplicates) duplicates, \(r.failed) failed; "
      + String(format: "%.0f s (%.1f s per measured candidate)", r.seconds, r.seconds / Double(max(1, r.measured)))
  }

  package static func write(_ results: [CPUTuningResult], to dir: String) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try enc.encode(results).write(to: URL(fileURLWithPath: "\(dir)/tune.json"))
    guard let first = results.first else { return }
    var md = "# polyc tune --target cpu: \(first.kernel) (\(first.dataset))\n\n"
    md += "| search | budget | best (s) | preset (s) | speedup | confirmed | measured | invalid | duplicates | failed | seconds |\n"
    md += "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n"
    for r in results {
      md += "| \(r.search) | \(r.budget) | " + String(format: "%.4f | %.4f | %.3fx", r.bestSeconds, r.presetSeconds, r.speedup)
        + " | \(r.confirmed ? "yes" : "no (preset kept)") | \(r.measured) | \(r.invalid) | \(r.duplicates) | \(r.failed) | "
        + String(format: "%.0f", r.seconds) + " |\n"
    }
    for r in results { md += "\n\(r.search) best: \(r.best)\n" }
    try md.write(toFile: "\(dir)/tune.md", atomically: true, encoding: .utf8)
    let curves = results.map { r in (r.search, r.trials.filter { $0.outcome != .duplicate }.compactMap(\.bestRatioSoFar)) }
    try curveSVG(title: "polyc tune \(first.kernel): best time so far, relative to the preset", curves: curves, preset: 1.0)
      .write(toFile: "\(dir)/tune.svg", atomically: true, encoding: .utf8)
  }
}
