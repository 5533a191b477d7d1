// The profiler output of one simulation (in the spirit of VTA's profiler): cycles, operation
// and byte counters, stalls per module. Exported as JSON (Codable) and as a text table.

import Foundation

/// A per-module cycle counter.
public struct ModuleCycles: Codable, Equatable, Sendable {
  /// Cycles of the load module.
  public var load: Int
  /// Cycles of the compute module.
  public var compute: Int
  /// Cycles of the store module.
  public var store: Int

  /// Counters with the given cycles (default 0).
  public init(load: Int = 0, compute: Int = 0, store: Int = 0) {
    self.load = load
    self.compute = compute
    self.store = store
  }

  /// The cycles of module `m`.
  public subscript(_ m: NPUModule) -> Int {
    get {
      switch m {
      case .load: return load
      case .compute: return compute
      case .store: return store
      }
    }
    set {
      switch m {
      case .load: load = newValue
      case .compute: compute = newValue
      case .store: store = newValue
      }
    }
  }
}

/// Result counters of a timed simulation.
public struct NPUReport: Codable, Equatable, Sendable {
  /// Name of the hardware description.
  public var hardware: String
  /// Total cycles from the first instruction to the completion of the last one.
  public var cycles: Int
  /// Useful multiply-accumulates of the workload (padding excluded). Equals `executedMacs`
  /// when the program was simulated without a workload.
  public var macs: Int
  /// Multiply-accumulates performed by the GEMM core (BLOCK_OUT*BLOCK_IN per core operation).
  public var executedMacs: Int
  /// BLOCK_OUT * BLOCK_IN.
  public var peakMacsPerCycle: Int
  /// macs / (cycles * peakMacsPerCycle).
  public var macUtilization: Double
  /// max(macBoundCycles, trafficBoundCycles, aluBoundCycles).
  public var rooflineCycles: Int
  /// cycles / rooflineCycles (1.0 is the bound).
  public var rooflineRatio: Double
  /// macs / peakMacsPerCycle, rounded up.
  public var macBoundCycles: Int
  /// compulsoryBytes / dma.bytesPerCycle, rounded up.
  public var trafficBoundCycles: Int
  /// Cycles the ALU instructions of the program need.
  public var aluBoundCycles: Int
  /// Bytes a perfect program moves: every input, weight, parameter and output byte once
  /// (for a raw program without a workload: the bytes it moved).
  public var compulsoryBytes: Int
  /// (bytesLoaded + bytesStored) / compulsoryBytes: 1.0 means no byte was moved twice.
  public var trafficRatio: Double
  /// Bytes read from DRAM by all LOADs.
  public var bytesLoaded: Int
  /// Bytes written to DRAM by all STOREs.
  public var bytesStored: Int
  /// Bytes read per destination scratchpad: input, weight, accumulator, microOp.
  public var bytesLoadedByBuffer: [String: Int]
  /// Bytes written per source: output (int8 rows from the accumulator).
  public var bytesStoredByBuffer: [String: Int]
  /// Cycles each module spent waiting for a dependency token.
  public var stallCycles: ModuleCycles
  /// Cycles each module spent executing instructions (DMA latency and DRAM-channel waits included).
  public var busyCycles: ModuleCycles
  /// Instructions executed per kind (LOAD.INP, GEMM, ALU.ADD, ...).
  public var instructions: [String: Int]
  /// cycles / clockMHz.
  public var timeMicroseconds: Double

  /// Deterministic JSON (sorted keys, pretty-printed).
  public func jsonString() -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
  }

  /// A human-readable table.
  public func textTable() -> String {
    func row(_ k: String, _ v: String) -> String { k.padding(toLength: 26, withPad: " ", startingAt: 0) + v + "\n" }
    var s = "NPU simulation report (\(hardware))\n"
    s += row("cycles", "\(cycles)")
    s += row("time", String(format: "%.3f us", timeMicroseconds))
    s += row("MACs (useful)", "\(macs)")
    s += row("MACs (executed)", "\(executedMacs)")
    s += row("MAC utilisation", String(format: "%.2f %%", macUtilization * 100))
    s += row("roofline cycles", "\(rooflineCycles)")
    s += row("cycles / roofline", String(format: "%.3f", rooflineRatio))
    s += row("  MAC bound", "\(macBoundCycles)")
    s += row("  traffic bound", "\(trafficBoundCycles) (\(compulsoryBytes) compulsory bytes)")
    s += row("  ALU bound", "\(aluBoundCycles)")
    s += row("traffic / compulsory", String(format: "%.3f", trafficRatio))
    s += row("bytes loaded", "\(bytesLoaded)")
    for k in bytesLoadedByBuffer.keys.sorted() { s += row("  " + k, "\(bytesLoadedByBuffer[k]!)") }
    s += row("bytes stored", "\(bytesStored)")
    for k in bytesStoredByBuffer.keys.sorted() { s += row("  " + k, "\(bytesStoredByBuffer[k]!)") }
    s += "module      busy        stall\n"
    for m in NPUModule.allCases {
      s += m.description.padding(toLength: 12, withPad: " ", startingAt: 0)
        + "\(busyCycles[m])".padding(toLength: 12, withPad: " ", startingAt: 0) + "\(stallCycles[m])\n"
    }
    s += "instructions: " + instructions.keys.sorted().map { "\($0)=\(instructions[$0]!)" }.joined(separator: " ") + "\n"
    return s
  }
}
