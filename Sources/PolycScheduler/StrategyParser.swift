//===- StrategyParser.swift - JSON -> Strategy, with key paths ------------===//
//
// Reads the JSON object with Foundation, then walks it key by key. Every
// value is checked for its type and range; unknown keys, wrong types and
// impossible combinations are `StrategyError`s naming the JSON path
// (`dimensions[1].costs[0]`). Absent keys keep their defaults; keys of a
// `dimensions[i]` entry default to `defaultDimension`.
//
//===----------------------------------------------------------------------===//

import Foundation

/// The ranges of the numeric knobs: past them the scheduler's integer
/// programs, the generated code (C `int` loop bounds) or the unrolled body
/// would overflow or explode.
enum Limits {
  static let maxOperations = 1_000_000_000_000
  static let maxSeconds = 86_400
  static let maxCoefficient = 1_000
  static let maxShift = 1_000_000
  static let maxTileSize = 1 << 20
  static let minCacheBytes = 1 << 10
  static let maxCacheBytes = 1 << 30
  static let maxRegisterTileRows = 16
  static let maxRegisterTileColumns = 64
  static let maxBandDepth = 32
  static let maxUnrollAndJam = 16
  static let maxVectorWidth = 64
}

struct StrategyParser {
  let path: String

  func fail(_ keyPath: String, _ message: String) -> StrategyError {
    StrategyError(path: path, keyPath: keyPath, message: message)
  }

  func parse(_ data: Data) throws -> Strategy {
    guard String(data: data, encoding: .utf8) != nil else { throw fail("", "not UTF-8 text (binary file?)") }
    do {
      try JSONCheck.check(Array(data))
    } catch let p as JSONProblem {
      let message = p.keyPath.isEmpty ? "not valid JSON: \(p.message)" : p.message
      throw StrategyError(path: path, keyPath: p.keyPath, message: message, line: p.line, column: p.column)
    }
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
      throw fail("", "not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)")")
    }
    let obj = try object(json, "", allowed: [
      "version", "name", "description", "backend", "fallback", "budget", "permutableBands", "dimensions",
      "defaultDimension", "fusion", "directives", "isl", "tiling", "parallelism", "vectorization", "target",
      "keepSourceOrderWithoutGain", "scalarExpansion",
    ])
    var s = Strategy()
    s.sourcePath = path
    guard let v = obj["version"] else { throw fail("version", "missing (this polyc reads version \(Strategy.currentVersion))") }
    let version = try int(v, "version")
    guard version == Strategy.currentVersion else {
      throw fail("version", "unsupported version \(version) (this polyc reads version \(Strategy.currentVersion))")
    }
    if let v = obj["name"] { s.name = try string(v, "name") } else {
      s.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
    if let v = obj["description"] { s.description = try string(v, "description") }
    if let v = obj["backend"] { s.backend = try enumValue(v, "backend", Backend.self, what: "backend") }
    if s.backend == .feautrier { s.permutableBands = false; s.defaultDimension.costs = [.feautrier, .proximity] }
    if let v = obj["fallback"] {
      s.fallback = try array(v, "fallback").enumerated().map { try enumValue($1, "fallback[\($0)]", Backend.self, what: "backend") }
      for (i, b) in s.fallback.enumerated() where b == s.backend {
        throw fail("fallback[\(i)]", "the fallback chain must not repeat the backend '\(b.rawValue)'")
      }
      if Swift.Set(s.fallback).count != s.fallback.count { throw fail("fallback", "a backend appears twice") }
    }
    if let v = obj["budget"] {
      let b = try object(v, "budget", allowed: ["maxOperations", "dependenceOperations", "legalityOperations",
                                                "transformOperations", "astOperations", "seconds"])
      func operations(_ key: String) throws -> UInt? {
        try b[key].map { UInt(try int($0, "budget.\(key)", min: 0, max: Limits.maxOperations)) }
      }
      if let m = try operations("maxOperations") { s.maxOperations = m }
      if let m = try operations("dependenceOperations") { s.dependenceOperations = m }
      if let m = try operations("legalityOperations") { s.legalityOperations = m }
      if let m = try operations("transformOperations") { s.transformOperations = m }
      if let m = try operations("astOperations") { s.astOperations = m }
      if let v = b["seconds"] { s.secondsPerComputation = UInt(try int(v, "budget.seconds", min: 0, max: Limits.maxSeconds)) }
    }
    if let v = obj["permutableBands"] { s.permutableBands = try bool(v, "permutableBands") }
    if let v = obj["defaultDimension"] {
      s.defaultDimension = try dimension(v, "defaultDimension", base: s.defaultDimension)
    }
    if let v = obj["dimensions"] {
      s.dimensions = try array(v, "dimensions").enumerated().map { try dimension($1, "dimensions[\($0)]", base: s.defaultDimension) }
    }
    if let v = obj["fusion"] { s.fusion = try fusion(v, "fusion") }
    if let v = obj["directives"] {
      s.directives = try array(v, "directives").enumerated().map { try directive($1, "directives[\($0)]") }
    }
    if let v = obj["isl"] { s.isl = try islOptions(v, "isl") }
    if let v = obj["tiling"] { s.tiling = try tiling(v, "tiling") }
    if let v = obj["parallelism"] { s.parallelism = try parallelism(v, "parallelism") }
    if let v = obj["vectorization"] { s.vectorization = try vectorization(v, "vectorization") }
    if let v = obj["target"] { s.target = try target(v, "target") }
    if let v = obj["keepSourceOrderWithoutGain"] { s.keepSourceOrderWithoutGain = try bool(v, "keepSourceOrderWithoutGain") }
    if let v = obj["scalarExpansion"] {
      if let mode = v as? String, !isBool(v) {
        guard mode == "accumulators" else {
          throw fail("scalarExpansion", "expected true, false or \"accumulators\", found \"\(mode)\"")
        }
        s.scalarExpansion = true
        s.expandAccumulators = true
      } else {
        guard isBool(v), let b = v as? Bool else {
          throw fail("scalarExpansion", "expected true, false or \"accumulators\", found \(kind(v))")
        }
        s.scalarExpansion = b
      }
    }
    try checkCombinations(s, obj)
    return s
  }

  // MARK: Sections

  func dimension(_ v: Any, _ kp: String, base: DimensionConfig) throws -> DimensionConfig {
    let o = try object(v, kp, allowed: ["costs", "coincidence", "skewing", "maxCoefficient", "signs", "parametricShift", "maxShift", "constraints"])
    var d = base
    if let c = o["costs"] {
      var seen = Swift.Set<CostFunction>()
      d.costs = try array(c, "\(kp).costs").enumerated().map { i, x in
        let name = try string(x, "\(kp).costs[\(i)]")
        guard let f = CostFunction(rawValue: name) else {
          throw fail("\(kp).costs[\(i)]", "unknown cost function '\(name)' (expected one of \(CostFunction.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard seen.insert(f).inserted else { throw fail("\(kp).costs[\(i)]", "cost function '\(name)' appears twice") }
        return f
      }
    }
    if let c = o["coincidence"] { d.coincidence = try enumValue(c, "\(kp).coincidence", CoincidenceMode.self, what: "coincidence mode") }
    if let c = o["skewing"] { d.skewing = try bool(c, "\(kp).skewing") }
    if let c = o["maxCoefficient"] { d.maxCoefficient = try int(c, "\(kp).maxCoefficient", min: 1, max: Limits.maxCoefficient) }
    if let c = o["signs"] { d.signs = try enumValue(c, "\(kp).signs", CoefficientSigns.self, what: "sign rule") }
    if let c = o["parametricShift"] { d.parametricShift = try bool(c, "\(kp).parametricShift") }
    if let c = o["maxShift"] { d.maxShift = c is NSNull ? nil : try int(c, "\(kp).maxShift", min: 0, max: Limits.maxShift) }
    if let c = o["constraints"] {
      d.constraints = try array(c, "\(kp).constraints").enumerated().map { i, x in
        let k = "\(kp).constraints[\(i)]"
        do { return try LinearText.constraint(try string(x, k), keyPath: k) } catch let e as LinearText.ParseError {
          throw fail(k, e.message)
        }
      }
    }
    if let i = d.costs.firstIndex(of: .feautrier), i != 0 {
      throw fail("\(kp).costs[\(i)]", "cost 'feautrier' decides which dependences the dimension satisfies and must come first")
    }
    if d.coincidence == .required && d.costs.contains(.feautrier) {
      throw fail("\(kp).costs", "cost 'feautrier' (satisfy dependences) contradicts coincidence 'required' (satisfy none)")
    }
    return d
  }

  func fusion(_ v: Any, _ kp: String) throws -> FusionPolicy {
    if let name = v as? String { return try fusionPolicy(name, kp, groups: nil) }
    let o = try object(v, kp, allowed: ["policy", "groups"])
    guard let p = o["policy"] else { throw fail("\(kp).policy", "missing (one of max, smart, connected, none, groups)") }
    let name = try string(p, "\(kp).policy")
    var groups: [[String]]?
    if let g = o["groups"] {
      groups = try array(g, "\(kp).groups").enumerated().map { i, x in
        let names = try array(x, "\(kp).groups[\(i)]").enumerated().map { try string($1, "\(kp).groups[\(i)][\($0)]") }
        if names.isEmpty { throw fail("\(kp).groups[\(i)]", "a fusion group must name at least one statement") }
        return names
      }
      var seen = Swift.Set<String>()
      for (i, g) in groups!.enumerated() {
        for (j, s) in g.enumerated() where !seen.insert(s).inserted {
          throw fail("\(kp).groups[\(i)][\(j)]", "statement '\(s)' is in two fusion groups")
        }
      }
    }
    return try fusionPolicy(name, "\(kp).policy", groups: groups)
  }

  func fusionPolicy(_ name: String, _ kp: String, groups: [[String]]?) throws -> FusionPolicy {
    let policy: FusionPolicy
    switch name {
    case "max": policy = .max
    case "smart": policy = .smart
    case "connected": policy = .connected
    case "none": policy = .none
    case "groups":
      guard let groups else { throw fail(kp, "policy 'groups' needs a 'groups' list") }
      return .groups(groups)
    default: throw fail(kp, "unknown fusion policy '\(name)' (expected one of max, smart, connected, none, groups)")
    }
    if groups != nil { throw fail(kp, "'groups' applies only to policy 'groups', not '\(name)'") }
    return policy
  }

  func directive(_ v: Any, _ kp: String) throws -> Directive {
    let o = try object(v, kp, allowed: ["kind", "statement", "iterator", "rows"])
    guard let k = o["kind"] else { throw fail("\(kp).kind", "missing (one of \(DirectiveKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
    let kind = try enumValue(k, "\(kp).kind", DirectiveKind.self, what: "directive")
    guard let st = o["statement"] else { throw fail("\(kp).statement", "missing") }
    let statement = try string(st, "\(kp).statement")
    var d = Directive(kind: kind, statement: statement, iterator: nil, rows: [], keyPath: kp)
    if kind == .fixed {
      if o["iterator"] != nil { throw fail("\(kp).iterator", "a 'fixed' directive takes 'rows', not 'iterator'") }
      guard let r = o["rows"] else { throw fail("\(kp).rows", "missing (the fixed schedule rows, e.g. [\"i\", \"j\"])") }
      d.rows = try array(r, "\(kp).rows").enumerated().map { i, x in
        let text = try string(x, "\(kp).rows[\(i)]")
        do { _ = try LinearText.expression(text) } catch let e as LinearText.ParseError { throw fail("\(kp).rows[\(i)]", e.message) }
        return text
      }
      if d.rows.isEmpty { throw fail("\(kp).rows", "at least one row") }
    } else {
      if o["rows"] != nil { throw fail("\(kp).rows", "only a 'fixed' directive takes 'rows'") }
      guard let it = o["iterator"] else { throw fail("\(kp).iterator", "missing (the loop iterator the directive applies to)") }
      d.iterator = try string(it, "\(kp).iterator")
    }
    return d
  }

  func islOptions(_ v: Any, _ kp: String) throws -> IslOptions {
    let o = try object(v, kp, allowed: ["serializeSccs", "outerCoincidence", "maximizeBandDepth", "wholeComponent", "maxCoefficient", "algorithm"])
    var r = IslOptions()
    if let x = o["serializeSccs"] { r.serializeSCCs = try bool(x, "\(kp).serializeSccs") }
    if let x = o["outerCoincidence"] { r.outerCoincidence = try bool(x, "\(kp).outerCoincidence") }
    if let x = o["maximizeBandDepth"] { r.maximizeBandDepth = try bool(x, "\(kp).maximizeBandDepth") }
    if let x = o["wholeComponent"] { r.wholeComponent = try bool(x, "\(kp).wholeComponent") }
    if let x = o["maxCoefficient"] {
      r.maxCoefficient = try int(x, "\(kp).maxCoefficient", min: -1, max: Limits.maxCoefficient)
      if r.maxCoefficient == 0 { throw fail("\(kp).maxCoefficient", "must be -1 (unbounded) or at least 1") }
    }
    if let x = o["algorithm"] {
      r.algorithm = try string(x, "\(kp).algorithm")
      guard ["isl", "feautrier"].contains(r.algorithm) else {
        throw fail("\(kp).algorithm", "unknown algorithm '\(r.algorithm)' (expected isl or feautrier)")
      }
    }
    return r
  }

  func tiling(_ v: Any, _ kp: String) throws -> TilingConfig {
    let o = try object(v, kp, allowed: ["enabled", "sizes", "secondLevel", "minBandDepth", "diamond", "matmul", "cache"])
    var t = TilingConfig()
    t.enabled = o["enabled"] == nil ? true : try bool(o["enabled"]!, "\(kp).enabled")
    if let s = o["sizes"] {
      if let text = s as? String {
        guard text == "auto" else { throw fail("\(kp).sizes", "expected \"auto\" or a list of positive integers") }
        t.sizes = .auto
      } else {
        t.sizes = .fixed(try sizes(s, "\(kp).sizes"))
      }
    }
    if let s = o["secondLevel"] {
      if !(s is NSNull) {
        let so = try object(s, "\(kp).secondLevel", allowed: ["sizes"])
        guard let x = so["sizes"] else { throw fail("\(kp).secondLevel.sizes", "missing") }
        t.secondLevel = try sizes(x, "\(kp).secondLevel.sizes")
        if case .fixed(let outer) = t.sizes {
          for (i, (a, b)) in zip(outer, t.secondLevel!).enumerated() where b >= a || a % b != 0 {
            throw fail("\(kp).secondLevel.sizes[\(i)]", "second-level size \(b) must divide and be smaller than the tile size \(a)")
          }
        }
      }
    }
    if let m = o["minBandDepth"] { t.minBandDepth = try int(m, "\(kp).minBandDepth", min: 1, max: Limits.maxBandDepth) }
    if let d = o["diamond"] { t.diamond = try bool(d, "\(kp).diamond") }
    if let m = o["matmul"] { t.matmul = try matmul(m, "\(kp).matmul") }
    if let c = o["cache"] {
      let co = try object(c, "\(kp).cache", allowed: ["l1", "l2"])
      if let x = co["l1"] { t.l1Bytes = try int(x, "\(kp).cache.l1", min: Limits.minCacheBytes, max: Limits.maxCacheBytes) }
      if let x = co["l2"] { t.l2Bytes = try int(x, "\(kp).cache.l2", min: Limits.minCacheBytes, max: Limits.maxCacheBytes) }
    }
    return t
  }

  func matmul(_ v: Any, _ kp: String) throws -> MatmulTilingConfig {
    let o = try object(v, kp, allowed: ["enabled", "registerTile", "cacheTiles"])
    var m = MatmulTilingConfig()
    m.enabled = o["enabled"] == nil ? true : try bool(o["enabled"]!, "\(kp).enabled")
    if let x = o["registerTile"] {
      let r = try array(x, "\(kp).registerTile")
      guard r.count == 2 else { throw fail("\(kp).registerTile", "expected [rows, columns] of C, e.g. [8, 16]") }
      m.registerTile = [try int(r[0], "\(kp).registerTile[0]", min: 1, max: Limits.maxRegisterTileRows),
                        try int(r[1], "\(kp).registerTile[1]", min: 1, max: Limits.maxRegisterTileColumns)]
    }
    if let x = o["cacheTiles"] {
      if let text = x as? String {
        guard text == "auto" else { throw fail("\(kp).cacheTiles", "expected \"auto\" or [MC, NC, KC]") }
      } else {
        let c = try sizes(x, "\(kp).cacheTiles")
        guard c.count == 3 else { throw fail("\(kp).cacheTiles", "expected [MC, NC, KC] (rows of A, columns of B, depth), found \(c.count) sizes") }
        if c[0] % m.registerTile[0] != 0 {
          throw fail("\(kp).cacheTiles[0]", "MC = \(c[0]) must be a multiple of the register tile's \(m.registerTile[0]) rows")
        }
        if c[1] % m.registerTile[1] != 0 {
          throw fail("\(kp).cacheTiles[1]", "NC = \(c[1]) must be a multiple of the register tile's \(m.registerTile[1]) columns")
        }
        m.cacheTiles = c
      }
    }
    return m
  }

  func sizes(_ v: Any, _ kp: String) throws -> [Int] {
    let list = try array(v, kp).enumerated().map { try int($1, "\(kp)[\($0)]", min: 1, max: Limits.maxTileSize) }
    if list.isEmpty { throw fail(kp, "expected at least one tile size") }
    return list
  }

  func parallelism(_ v: Any, _ kp: String) throws -> ParallelismConfig {
    let o = try object(v, kp, allowed: ["openmp", "wavefront"])
    var p = ParallelismConfig()
    if let x = o["openmp"] { p.openmp = try bool(x, "\(kp).openmp") }
    if let x = o["wavefront"] { p.wavefront = try bool(x, "\(kp).wavefront") }
    return p
  }

  func vectorization(_ v: Any, _ kp: String) throws -> VectorizationConfig {
    let o = try object(v, kp, allowed: ["enabled", "width", "unrollAndJam"])
    var r = VectorizationConfig()
    if let x = o["unrollAndJam"] {
      if isBool(x) {
        guard try !bool(x, "\(kp).unrollAndJam") else {
          throw fail("\(kp).unrollAndJam", "expected false or a list of factors such as [4, 2]")
        }
        r.unrollAndJam = []
      } else {
        let f = try array(x, "\(kp).unrollAndJam").enumerated().map { try int($1, "\(kp).unrollAndJam[\($0)]", min: 1, max: Limits.maxUnrollAndJam) }
        if f.count > 2 { throw fail("\(kp).unrollAndJam", "at most two factors (second-innermost loop first), found \(f.count)") }
        r.unrollAndJam = f
      }
    }
    r.enabled = o["enabled"] == nil ? true : try bool(o["enabled"]!, "\(kp).enabled")
    if let x = o["width"] {
      r.width = try int(x, "\(kp).width", min: 1, max: Limits.maxVectorWidth)
      guard r.width & (r.width - 1) == 0 else { throw fail("\(kp).width", "must be a power of two, not \(r.width)") }
    }
    return r
  }

  func target(_ v: Any, _ kp: String) throws -> TargetConfig {
    let o = try object(v, kp, allowed: ["kind", "hardware"])
    var t = TargetConfig()
    if let x = o["kind"] { t.kind = try enumValue(x, "\(kp).kind", TargetKind.self, what: "target") }
    if let x = o["hardware"] {
      t.hardware = try string(x, "\(kp).hardware")
      if t.kind != .npu { throw fail("\(kp).hardware", "a hardware description applies only to target kind 'npu'") }
    }
    return t
  }

  /// Requests that are well-typed but cannot be honoured together.
  func checkCombinations(_ s: Strategy, _ obj: [String: Any]) throws {
    let ilp: Swift.Set<Backend> = [.polytops, .feautrier]
    let chain = [s.backend] + s.fallback
    if obj["dimensions"] != nil || obj["defaultDimension"] != nil, !chain.contains(where: ilp.contains) {
      throw fail(obj["dimensions"] != nil ? "dimensions" : "defaultDimension",
                 "applies only to the polytops and feautrier backends, not '\(s.backend.rawValue)'")
    }
    if obj["isl"] != nil, !chain.contains(.isl) {
      throw fail("isl", "isl scheduler options apply only when 'isl' is the backend or a fallback")
    }
    if s.tiling.matmul.enabled && !s.tiling.enabled {
      throw fail("tiling.matmul", "matrix-multiplication tiles need 'tiling.enabled'")
    }
    if s.parallelism.wavefront && !s.tiling.enabled {
      throw fail("parallelism.wavefront", "a wavefront runs over tiles: enable 'tiling'")
    }
    if s.target.kind == .npu && s.parallelism.openmp {
      throw fail("parallelism.openmp", "target 'npu' runs on the accelerator: OpenMP does not apply")
    }
    if s.target.kind == .npu && s.vectorization.enabled {
      throw fail("vectorization.enabled", "target 'npu' uses its GEMM unit, not CPU vector loops")
    }
    if s.backend == .identity && !s.directives.isEmpty {
      throw fail("directives", "backend 'identity' keeps the original schedule and cannot honour directives")
    }
  }

  // MARK: Typed accessors

  func object(_ v: Any, _ kp: String, allowed: [String]) throws -> [String: Any] {
    guard let o = v as? [String: Any] else { throw fail(kp, "expected an object, found \(kind(v))") }
    for key in o.keys.sorted() where !allowed.contains(key) {
      let full = kp.isEmpty ? key : "\(kp).\(key)"
      let hint = allowed.first { closeEnough($0, key) }.map { " (did you mean '\($0)'?)" } ?? ""
      throw fail(full, "unknown key\(hint)")
    }
    return o
  }

  func array(_ v: Any, _ kp: String) throws -> [Any] {
    guard let a = v as? [Any] else { throw fail(kp, "expected a list, found \(kind(v))") }
    return a
  }

  func string(_ v: Any, _ kp: String) throws -> String {
    guard let s = v as? String else { throw fail(kp, "expected a string, found \(kind(v))") }
    return s
  }

  func isBool(_ v: Any) -> Bool {
    guard let n = v as? NSNumber else { return false }
    return String(cString: n.objCType) == "c"
  }

  func bool(_ v: Any, _ kp: String) throws -> Bool {
    guard isBool(v), let b = v as? Bool else { throw fail(kp, "expected true or false, found \(kind(v))") }
    return b
  }

  func int(_ v: Any, _ kp: String, min: Int? = nil, max: Int? = nil) throws -> Int {
    guard !isBool(v), let n = v as? NSNumber, let i = v as? Int, Double(i) == n.doubleValue else {
      throw fail(kp, "expected an integer, found \(kind(v))")
    }
    if let min, i < min { throw fail(kp, "must be at least \(min), not \(i)") }
    if let max, i > max { throw fail(kp, "must be at most \(max), not \(i)") }
    return i
  }

  func enumValue<E: RawRepresentable & CaseIterable>(_ v: Any, _ kp: String, _: E.Type, what: String) throws -> E where E.RawValue == String {
    let name = try string(v, kp)
    guard let e = E(rawValue: name) else {
      throw fail(kp, "unknown \(what) '\(name)' (expected one of \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return e
  }

  func kind(_ v: Any) -> String {
    if v is NSNull { return "null" }
    if isBool(v) { return "a boolean" }
    if v is NSNumber { return "a number" }
    if v is String { return "a string" }
    if v is [Any] { return "a list" }
    if v is [String: Any] { return "an object" }
    return "\(type(of: v))"
  }

  /// Same letters up to case, or one edit apart: a likely typo.
  func closeEnough(_ a: String, _ b: String) -> Bool {
    if a.lowercased() == b.lowercased() { return true }
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    guard abs(x.count - y.count) <= 1 else { return false }
    var prev = Array(0...y.count)
    for i in 1...max(x.count, 1) where !x.isEmpty {
      var cur = [i] + Array(repeating: 0, count: y.count)
      for j in stride(from: 1, through: y.count, by: 1) {
        cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      }
      prev = cur
    }
    return prev[y.count] <= 1
  }
}
