// The hardware description of the NPU (Configs/hw/*.json, documented in docs/npu-hw.md).
//
// Every key is optional and defaults to the npu16 value; unknown keys, wrong types and bad
// values are `HardwareConfigError`s that name the JSON key path (`hw.scratchpad.inputBytes`).

import Foundation

/// A hardware description: GEMM core shape, scratchpad sizes, DMA and ALU timing, clock.
public struct HardwareConfig: Codable, Equatable, Sendable {
  /// Format version of the description; only 1 is supported.
  public var version: Int
  /// A name shown in reports.
  public var name: String
  /// The GEMM core.
  public var gemm: GemmCore
  /// On-chip buffer sizes.
  public var scratchpad: Scratchpads
  /// The DRAM <-> scratchpad DMA engine.
  public var dma: DMA
  /// The accumulator ALU.
  public var alu: ALU
  /// Clock frequency in MHz (only used to convert cycles into time in reports).
  public var clockMHz: Double

  /// The GEMM core: BLOCK_OUT x BLOCK_IN int8 multiply-accumulates per cycle into int32.
  public struct GemmCore: Codable, Equatable, Sendable {
    /// BLOCK_OUT: output channels (accumulator lanes) per core operation. Power of two, 1...128.
    public var blockOut: Int
    /// BLOCK_IN: reduction elements (input lanes) per core operation. Power of two, 1...128.
    public var blockIn: Int

    /// A core of `blockOut` x `blockIn` lanes (default 16 x 16).
    public init(blockOut: Int = 16, blockIn: Int = 16) {
      self.blockOut = blockOut
      self.blockIn = blockIn
    }
  }

  /// Scratchpad capacities in bytes.
  public struct Scratchpads: Codable, Equatable, Sendable {
    /// Input buffer (int8), a positive multiple of BLOCK_IN bytes (one entry), at most 65536 entries.
    public var inputBytes: Int
    /// Weight buffer (int8), a positive multiple of BLOCK_OUT*BLOCK_IN bytes, at most 65536 entries.
    public var weightBytes: Int
    /// Accumulator buffer (int32), a positive multiple of 4*BLOCK_OUT bytes, at most 65536 entries.
    public var accumulatorBytes: Int
    /// Micro-op buffer, a positive multiple of 8 bytes (one micro-op), at most 8192 micro-ops.
    public var microOpBytes: Int

    /// Scratchpads of the given sizes in bytes (default npu16's: 64 KiB input, 256 KiB weights,
    /// 256 KiB accumulators, 32 KiB micro-ops).
    public init(inputBytes: Int = 65536, weightBytes: Int = 262_144, accumulatorBytes: Int = 262_144,
                microOpBytes: Int = 32768) {
      self.inputBytes = inputBytes
      self.weightBytes = weightBytes
      self.accumulatorBytes = accumulatorBytes
      self.microOpBytes = microOpBytes
    }
  }

  /// DMA: every LOAD/STORE occupies its module for `latencyCycles` plus its transfer time; the
  /// DRAM channel is shared by all modules and moves `bytesPerCycle` bytes per cycle.
  public struct DMA: Codable, Equatable, Sendable {
    /// DRAM bandwidth in bytes per cycle, >= 1.
    public var bytesPerCycle: Int
    /// Fixed latency of one DMA instruction in cycles, >= 0.
    public var latencyCycles: Int

    /// A DMA engine moving `bytesPerCycle` bytes per cycle after `latencyCycles` cycles (default 32, 64).
    public init(bytesPerCycle: Int = 32, latencyCycles: Int = 64) {
      self.bytesPerCycle = bytesPerCycle
      self.latencyCycles = latencyCycles
    }
  }

  /// The ALU processes `elementsPerCycle` int32 lanes per cycle.
  public struct ALU: Codable, Equatable, Sendable {
    /// Accumulator lanes per cycle, >= 1.
    public var elementsPerCycle: Int

    /// An ALU of `elementsPerCycle` lanes (default 64).
    public init(elementsPerCycle: Int = 64) {
      self.elementsPerCycle = elementsPerCycle
    }
  }

  /// A description from its parts; the defaults are npu16's. The lowerings and the simulator
  /// call `validate()`.
  public init(version: Int = 1, name: String = "npu16", gemm: GemmCore = GemmCore(), scratchpad: Scratchpads = Scratchpads(),
              dma: DMA = DMA(), alu: ALU = ALU(), clockMHz: Double = 1000) {
    self.version = version
    self.name = name
    self.gemm = gemm
    self.scratchpad = scratchpad
    self.dma = dma
    self.alu = alu
    self.clockMHz = clockMHz
  }

  /// The default 16x16 configuration (same as Configs/hw/npu16.json).
  public static let npu16 = HardwareConfig()

  /// A 32x32 configuration with larger buffers (same as Configs/hw/npu32.json).
  public static let npu32 = HardwareConfig(
    name: "npu32", gemm: GemmCore(blockOut: 32, blockIn: 32),
    scratchpad: Scratchpads(inputBytes: 131_072, weightBytes: 1_048_576, accumulatorBytes: 524_288, microOpBytes: 32768),
    dma: DMA(bytesPerCycle: 64, latencyCycles: 64), alu: ALU(elementsPerCycle: 128), clockMHz: 1000)

  // MARK: Derived quantities

  /// BLOCK_OUT of the GEMM core.
  public var blockOut: Int { gemm.blockOut }
  /// BLOCK_IN of the GEMM core.
  public var blockIn: Int { gemm.blockIn }
  /// Peak multiply-accumulates per cycle.
  public var macsPerCycle: Int { gemm.blockOut * gemm.blockIn }
  /// Bytes of one entry of each scratchpad, and of one DRAM element of that memory type.
  public func elementBytes(_ t: MemoryType) -> Int {
    switch t {
    case .input: return gemm.blockIn
    case .weight: return gemm.blockIn * gemm.blockOut
    case .accumulator: return 4 * gemm.blockOut
    case .uop: return MicroOp.byteCount
    }
  }
  /// Bytes of one int8 output row written by STORE.
  public var outputElementBytes: Int { gemm.blockOut }
  /// Scratchpad depth in entries.
  public func depth(_ t: MemoryType) -> Int {
    let bytes: Int
    switch t {
    case .input: bytes = scratchpad.inputBytes
    case .weight: bytes = scratchpad.weightBytes
    case .accumulator: bytes = scratchpad.accumulatorBytes
    case .uop: bytes = scratchpad.microOpBytes
    }
    let unit = elementBytes(t)
    return unit > 0 ? max(0, bytes / unit) : 0
  }

  // MARK: Loading

  /// Loads and validates a JSON hardware description.
  public static func load(path: String) throws -> HardwareConfig {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw HardwareConfigError.unreadableFile(path: path, reason: error.localizedDescription)
    }
    return try decode(data)
  }

  /// Decodes and validates a JSON hardware description.
  public static func decode(_ data: Data) throws -> HardwareConfig {
    do {
      _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
      throw HardwareConfigError.invalidJSON(reason: error.localizedDescription)
    }
    let config: HardwareConfig
    do {
      config = try JSONDecoder().decode(HardwareConfig.self, from: data)
    } catch let e as HardwareConfigError {
      throw e
    } catch let e as DecodingError {
      throw HardwareConfigError(decodingError: e)
    }
    try config.validate()
    return config
  }

  /// Pretty-printed JSON with sorted keys.
  public func jsonString() -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
  }

  // MARK: Validation

  /// The largest DMA latency, bandwidth or ALU width accepted: cycle counts of
  /// the simulator and the tile model stay far from Int overflow with it.
  public static let maxTimingValue = 1 << 20

  /// Checks every value (version, power-of-two core shape, scratchpad multiples and capacities,
  /// timing ranges, clock).
  ///
  /// - Throws: `HardwareConfigError.invalidValue` naming the offending key path (`hw.gemm.blockIn`).
  public func validate() throws {
    func fail(_ path: String, _ message: String) -> HardwareConfigError {
      HardwareConfigError.invalidValue(path: "hw." + path, message: message)
    }
    if version != 1 { throw fail("version", "unsupported version \(version) (supported: 1)") }
    if name.isEmpty { throw fail("name", "must not be empty") }
    for (key, v) in [("gemm.blockOut", gemm.blockOut), ("gemm.blockIn", gemm.blockIn)] {
      if v < 1 || v > 128 || (v & (v - 1)) != 0 { throw fail(key, "must be a power of two between 1 and 128 (got \(v))") }
    }
    let buffers: [(String, Int, Int, String, Int)] = [
      ("scratchpad.inputBytes", scratchpad.inputBytes, elementBytes(.input), "one input row of BLOCK_IN int8", 65536),
      ("scratchpad.weightBytes", scratchpad.weightBytes, elementBytes(.weight), "one BLOCK_OUT x BLOCK_IN int8 weight block", 65536),
      ("scratchpad.accumulatorBytes", scratchpad.accumulatorBytes, elementBytes(.accumulator), "one accumulator row of BLOCK_OUT int32", 65536),
      ("scratchpad.microOpBytes", scratchpad.microOpBytes, MicroOp.byteCount, "one 64-bit micro-op", 1 << ISAFields.uopBegin.width),
    ]
    for (key, bytes, unit, what, maxEntries) in buffers {
      if bytes <= 0 || bytes % unit != 0 {
        throw fail(key, "must be a positive multiple of \(unit) bytes (\(what)), got \(bytes)")
      }
      if bytes / unit > maxEntries {
        throw fail(key, "holds \(bytes / unit) entries; the ISA addresses at most \(maxEntries) (\(maxEntries * unit) bytes)")
      }
    }
    let limit = Self.maxTimingValue
    if dma.bytesPerCycle < 1 || dma.bytesPerCycle > limit { throw fail("dma.bytesPerCycle", "must be in 1...\(limit) (got \(dma.bytesPerCycle))") }
    if dma.latencyCycles < 0 || dma.latencyCycles > limit { throw fail("dma.latencyCycles", "must be in 0...\(limit) (got \(dma.latencyCycles))") }
    if alu.elementsPerCycle < 1 || alu.elementsPerCycle > limit { throw fail("alu.elementsPerCycle", "must be in 1...\(limit) (got \(alu.elementsPerCycle))") }
    if !(clockMHz > 0) || !clockMHz.isFinite { throw fail("clockMHz", "must be a positive number (got \(clockMHz))") }
  }

  // MARK: Codable with strict keys

  enum CodingKeys: String, CodingKey, CaseIterable {
    case version, name, gemm, scratchpad, dma, alu, clockMHz
  }

  /// Decodes a description; absent keys take npu16's values, unknown keys are errors.
  public init(from decoder: Decoder) throws {
    try StrictKeys.check(decoder, CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = HardwareConfig.npu16
    version = try StrictKeys.int(c, .version, default: d.version)
    name = try StrictKeys.string(c, .name, default: d.name)
    gemm = try c.decodeIfPresent(GemmCore.self, forKey: .gemm) ?? d.gemm
    scratchpad = try c.decodeIfPresent(Scratchpads.self, forKey: .scratchpad) ?? d.scratchpad
    dma = try c.decodeIfPresent(DMA.self, forKey: .dma) ?? d.dma
    alu = try c.decodeIfPresent(ALU.self, forKey: .alu) ?? d.alu
    clockMHz = try StrictKeys.double(c, .clockMHz, default: d.clockMHz)
  }
}

extension HardwareConfig.GemmCore {
  enum CodingKeys: String, CodingKey, CaseIterable { case blockOut, blockIn }

  /// Decodes a GEMM core; absent keys take the defaults, unknown keys are errors.
  public init(from decoder: Decoder) throws {
    try StrictKeys.check(decoder, CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = HardwareConfig.GemmCore()
    self.init(blockOut: try StrictKeys.int(c, .blockOut, default: d.blockOut),
              blockIn: try StrictKeys.int(c, .blockIn, default: d.blockIn))
  }
}

extension HardwareConfig.Scratchpads {
  enum CodingKeys: String, CodingKey, CaseIterable { case inputBytes, weightBytes, accumulatorBytes, microOpBytes }

  /// Decodes scratchpad sizes; absent keys take the defaults, unknown keys are errors.
  public init(from decoder: Decoder) throws {
    try StrictKeys.check(decoder, CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = HardwareConfig.Scratchpads()
    self.init(inputBytes: try StrictKeys.int(c, .inputBytes, default: d.inputBytes),
              weightBytes: try StrictKeys.int(c, .weightBytes, default: d.weightBytes),
              accumulatorBytes: try StrictKeys.int(c, .accumulatorBytes, default: d.accumulatorBytes),
              microOpBytes: try StrictKeys.int(c, .microOpBytes, default: d.microOpBytes))
  }
}

extension HardwareConfig.DMA {
  enum CodingKeys: String, CodingKey, CaseIterable { case bytesPerCycle, latencyCycles }

  /// Decodes a DMA engine; absent keys take the defaults, unknown keys are errors.
  public init(from decoder: Decoder) throws {
    try StrictKeys.check(decoder, CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = HardwareConfig.DMA()
    self.init(bytesPerCycle: try StrictKeys.int(c, .bytesPerCycle, default: d.bytesPerCycle),
              latencyCycles: try StrictKeys.int(c, .latencyCycles, default: d.latencyCycles))
  }
}

extension HardwareConfig.ALU {
  enum CodingKeys: String, CodingKey, CaseIterable { case elementsPerCycle }

  /// Decodes an ALU; absent keys take the defaults, unknown keys are errors.
  public init(from decoder: Decoder) throws {
    try StrictKeys.check(decoder, CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = HardwareConfig.ALU()
    self.init(elementsPerCycle: try StrictKeys.int(c, .elementsPerCycle, default: d.elementsPerCycle))
  }
}

// MARK: - Errors

/// A bad hardware description. Every case names the JSON key path, rooted at `hw`.
public enum HardwareConfigError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The file at `path` cannot be read.
  case unreadableFile(path: String, reason: String)
  /// The text is not JSON.
  case invalidJSON(reason: String)
  /// A key that the format does not define.
  case unknownKey(path: String, allowed: [String])
  /// A value of the wrong JSON type.
  case typeMismatch(path: String, expected: String)
  /// A value outside its legal range.
  case invalidValue(path: String, message: String)

  /// The JSON key path of the offending value (`hw` for the document itself).
  public var keyPath: String {
    switch self {
    case .unreadableFile, .invalidJSON: return "hw"
    case .unknownKey(let p, _), .typeMismatch(let p, _), .invalidValue(let p, _): return p
    }
  }

  /// The key path and what is wrong.
  public var description: String {
    switch self {
    case let .unreadableFile(path, reason): return "cannot read hardware description \(path): \(reason)"
    case .invalidJSON(let reason): return "hw: invalid JSON: \(reason)"
    case let .unknownKey(path, allowed): return "\(path): unknown key (expected one of \(allowed.joined(separator: ", ")))"
    case let .typeMismatch(path, expected): return "\(path): expected \(expected)"
    case let .invalidValue(path, message): return "\(path): \(message)"
    }
  }

  /// The same text as `description`.
  public var errorDescription: String? { description }

  init(decodingError e: DecodingError) {
    func path(_ keys: [CodingKey]) -> String {
      (["hw"] + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }).joined(separator: ".")
    }
    switch e {
    case let .typeMismatch(type, ctx):
      self = .typeMismatch(path: path(ctx.codingPath), expected: Self.typeName(type))
    case let .valueNotFound(type, ctx):
      self = .typeMismatch(path: path(ctx.codingPath), expected: Self.typeName(type))
    case let .keyNotFound(key, ctx):
      self = .invalidValue(path: path(ctx.codingPath + [key]), message: "missing")
    case let .dataCorrupted(ctx):
      self = ctx.codingPath.isEmpty ? .invalidJSON(reason: ctx.debugDescription)
        : .typeMismatch(path: path(ctx.codingPath), expected: "a valid value (\(ctx.debugDescription))")
    @unknown default:
      self = .invalidJSON(reason: "\(e)")
    }
  }

  private static func typeName(_ t: Any.Type) -> String {
    if t == Int.self { return "an integer" }
    if t == Double.self { return "a number" }
    if t == String.self { return "a string" }
    return "an object"
  }
}

/// Rejects keys that a Codable type does not define.
enum StrictKeys {
  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
      self.stringValue = "\(intValue)"
      self.intValue = intValue
    }
  }

  static func path(_ keys: [CodingKey]) -> String {
    (["hw"] + keys.map(\.stringValue)).joined(separator: ".")
  }

  /// An integer value; any other JSON value (1.5, "16", null) is a type error naming the key path.
  static func int<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, default d: Int) throws -> Int {
    guard c.contains(key) else { return d }
    if let v = try? c.decode(Int.self, forKey: key) { return v }
    throw HardwareConfigError.typeMismatch(path: path(c.codingPath + [key]), expected: "an integer")
  }

  static func double<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, default d: Double) throws -> Double {
    guard c.contains(key) else { return d }
    if let v = try? c.decode(Double.self, forKey: key) { return v }
    throw HardwareConfigError.typeMismatch(path: path(c.codingPath + [key]), expected: "a number")
  }

  static func string<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K, default d: String) throws -> String {
    guard c.contains(key) else { return d }
    if let v = try? c.decode(String.self, forKey: key) { return v }
    throw HardwareConfigError.typeMismatch(path: path(c.codingPath + [key]), expected: "a string")
  }

  static func check<K: CodingKey & CaseIterable>(_ decoder: Decoder, _: K.Type) throws {
    let c = try decoder.container(keyedBy: AnyKey.self)
    let allowed = K.allCases.map(\.stringValue)
    for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !allowed.contains(key.stringValue) {
      throw HardwareConfigError.unknownKey(path: path(decoder.codingPath + [key]), allowed: allowed)
    }
  }
}
