//===- StrategyCoding.swift - Strategy as Codable, in the strategy-file form ===//
//
// A host builds a `Strategy` in code and encodes it (its JSON is a strategy
// file `polyc --config` reads), or decodes one from any Decoder. Decoding
// goes through the strategy-file parser itself: the decoded value is turned
// back into JSON text and parsed strictly, so a decoded strategy obeys exactly
// the rules, defaults and key-path errors of a file. Encoding writes every
// field explicitly and leaves out only the sections the parser forbids in
// context (`isl` without the isl backend in the chain, `dimensions` without
// an ILP backend).
//
//===----------------------------------------------------------------------===//

import Foundation

extension Strategy: Codable {
  /// Decodes a strategy written in the strategy-file form (docs/strategies.md).
  ///
  /// - Throws: `StrategyError` with the key path of the first problem, as for a file.
  public init(from decoder: Decoder) throws {
    let value = try JSONValue(from: decoder)
    let data = try JSONSerialization.data(withJSONObject: value.object, options: [.fragmentsAllowed])
    self = try Strategy.parse(data, path: "<decoded strategy>")
  }

  /// Encodes the strategy in the strategy-file form.
  public func encode(to encoder: Encoder) throws {
    try JSONValue(fileObject).encode(to: encoder)
  }

  /// The strategy file of this strategy as JSON text (sorted keys, indented): `polyc --config`
  /// reads it back to an equal strategy.
  public func fileText() throws -> String {
    let data = try JSONSerialization.data(withJSONObject: fileObject, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// The strategy-file JSON object, every field explicit.
  var fileObject: [String: Any] {
    var o: [String: Any] = [
      "version": version, "name": name, "description": description, "backend": backend.rawValue,
      "budget": ["maxOperations": Int(maxOperations), "dependenceOperations": Int(dependenceOperations),
                 "legalityOperations": Int(legalityOperations), "transformOperations": Int(transformOperations),
                 "astOperations": Int(astOperations), "seconds": Int(secondsPerComputation)],
      "permutableBands": permutableBands,
      "fusion": Self.fusionObject(fusion),
      "directives": directives.map(Self.directiveObject),
      "tiling": Self.tilingObject(tiling),
      "parallelism": ["openmp": parallelism.openmp, "wavefront": parallelism.wavefront],
      "vectorization": Self.vectorizationObject(vectorization),
      "target": target.hardware.map { ["kind": target.kind.rawValue, "hardware": $0] } ?? ["kind": target.kind.rawValue],
      "keepSourceOrderWithoutGain": keepSourceOrderWithoutGain,
      "scalarExpansion": expandAccumulators && scalarExpansion ? "accumulators" as Any : scalarExpansion,
    ]
    // The default chain of the identity backend is `[identity]`, which a file cannot spell.
    if !fallback.contains(backend) { o["fallback"] = fallback.map(\.rawValue) }
    let chain = [backend] + fallback
    if chain.contains(.polytops) || chain.contains(.feautrier) {
      o["defaultDimension"] = Self.dimensionObject(defaultDimension)
      o["dimensions"] = dimensions.map(Self.dimensionObject)
    }
    if chain.contains(.isl) {
      o["isl"] = ["serializeSccs": isl.serializeSCCs, "outerCoincidence": isl.outerCoincidence,
                  "maximizeBandDepth": isl.maximizeBandDepth, "wholeComponent": isl.wholeComponent,
                  "maxCoefficient": isl.maxCoefficient, "algorithm": isl.algorithm]
    }
    return o
  }

  static func dimensionObject(_ d: DimensionConfig) -> [String: Any] {
    ["costs": d.costs.map(\.rawValue), "coincidence": d.coincidence.rawValue, "skewing": d.skewing,
     "maxCoefficient": d.maxCoefficient, "signs": d.signs.rawValue, "parametricShift": d.parametricShift,
     "maxShift": d.maxShift.map { $0 as Any } ?? NSNull(), "constraints": d.constraints.map(\.text)]
  }

  static func fusionObject(_ f: FusionPolicy) -> Any {
    if case .groups(let g) = f { return ["policy": "groups", "groups": g] }
    return f.name
  }

  static func directiveObject(_ d: Directive) -> [String: Any] {
    var o: [String: Any] = ["kind": d.kind.rawValue, "statement": d.statement]
    if d.kind == .fixed { o["rows"] = d.rows } else if let it = d.iterator { o["iterator"] = it }
    return o
  }

  static func tilingObject(_ t: TilingConfig) -> [String: Any] {
    var o: [String: Any] = ["enabled": t.enabled, "minBandDepth": t.minBandDepth, "diamond": t.diamond]
    switch t.sizes {
    case .auto: o["sizes"] = "auto"
    case .fixed(let s): o["sizes"] = s
    }
    if let s = t.secondLevel { o["secondLevel"] = ["sizes": s] }
    o["matmul"] = ["enabled": t.matmul.enabled, "registerTile": t.matmul.registerTile,
                   "cacheTiles": t.matmul.cacheTiles.map { $0 as Any } ?? "auto"]
    var cache: [String: Any] = [:]
    if let l1 = t.l1Bytes { cache["l1"] = l1 }
    if let l2 = t.l2Bytes { cache["l2"] = l2 }
    if !cache.isEmpty { o["cache"] = cache }
    return o
  }

  static func vectorizationObject(_ v: VectorizationConfig) -> [String: Any] {
    var o: [String: Any] = ["enabled": v.enabled, "width": v.width]
    if let u = v.unrollAndJam { o["unrollAndJam"] = u.isEmpty ? false as Any : u as Any }
    return o
  }
}

/// Any JSON value, to pass a strategy between a Decoder/Encoder and the strategy-file parser.
enum JSONValue: Codable {
  case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

  init(_ any: Any) {
    switch any {
    case is NSNull: self = .null
    case let b as Bool: self = .bool(b)
    case let i as Int: self = .int(i)
    case let d as Double: self = .double(d)
    case let s as String: self = .string(s)
    case let a as [Any]: self = .array(a.map(JSONValue.init))
    case let o as [String: Any]: self = .object(o.mapValues(JSONValue.init))
    default: self = .string("\(any)")
    }
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null }
    else if let b = try? c.decode(Bool.self) { self = .bool(b) }
    else if let i = try? c.decode(Int.self) { self = .int(i) }
    else if let d = try? c.decode(Double.self) { self = .double(d) }
    else if let s = try? c.decode(String.self) { self = .string(s) }
    else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
    else { self = .object(try c.decode([String: JSONValue].self)) }
  }

  func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let b): try c.encode(b)
    case .int(let i): try c.encode(i)
    case .double(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    }
  }

  /// The Foundation object (for JSONSerialization).
  var object: Any {
    switch self {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int(let i): return i
    case .double(let d): return d
    case .string(let s): return s
    case .array(let a): return a.map(\.object)
    case .object(let o): return o.mapValues(\.object)
    }
  }
}
