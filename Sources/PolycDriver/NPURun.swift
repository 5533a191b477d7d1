//===- NPURun.swift - Compile a kernel to the NPU, simulate, cross-check --===//
//
// `polyc npu` and `--emit npu`: chains the NPU backend (NPUCodeGen: the
// schedule tree the strategy chose -> tensorized, tiled NPU program) with the
// simulator and the CPU backend. The kernel's parameters get deterministic
// data (`NPUKernel.data`), the program runs on the simulator, and the same
// data is fed to the kernel compiled by polyc's CPU backend (the binary-I/O
// program of `CEmitter.emitIOProgram`) and run natively. For an int8 kernel
// the two outputs must agree byte for byte; for a float kernel the NPU's
// dequantized output is compared with the CPU float output (SQNR, dB).
//
//===----------------------------------------------------------------------===//

import PolycCodeGenC
import Foundation
import PolycFrontend
import PolycModel
import PolycNPU
import PolycNPUCodeGen
import PolycScheduler

/// Options of `polyc npu`: the hardware, overrides of the strategy, the data seed and the CPU check.
public struct NPUKernelRunOptions: Sendable {
  /// The hardware description; nil: the strategy's `target.hardware`, else npu16.
  public var hw: HardwareConfig?
  /// Overrides of the strategy's tiles (`--tiles minimal`) and buffering (`--no-double-buffer`).
  public var minimalTiles: Bool
  /// Single buffering instead of the planned double buffering (`--no-double-buffer`).
  public var singleBuffer: Bool
  /// Seeds the deterministic data generated for the kernel's inputs (default 1).
  public var seed: UInt64
  /// Runs the kernel's C program for the cross-check against the CPU backend; nil: no CPU
  /// check. The library never spawns a process itself: the host supplies the runner
  /// (`PolycToolchain.SystemCProgramRunner` compiles with the system C compiler).
  public var cpuRunner: (any CProgramRunner)?
  /// Options with npu16 (or the strategy's hardware), the strategy's tiles and buffering, seed 1
  /// and no CPU check.
  public init(hw: HardwareConfig? = nil, minimalTiles: Bool = false, singleBuffer: Bool = false, seed: UInt64 = 1,
              cpuRunner: (any CProgramRunner)? = nil) {
    self.hw = hw
    self.minimalTiles = minimalTiles
    self.singleBuffer = singleBuffer
    self.seed = seed
    self.cpuRunner = cpuRunner
  }
}

/// Compiles and runs a C program that reads its input array from the file named by its first
/// argument and writes its output array to the second (`CEmitter.emitIOProgram`).
public protocol CProgramRunner: Sendable {
  /// Runs the program `source` (named `name` for messages and files) on `input`; returns the
  /// bytes it wrote.
  func run(program source: String, name: String, input: [UInt8]) throws -> [UInt8]
}

/// Everything `polyc npu` reports.
public struct NPUKernelRunResult: Sendable {
  /// The NPU backend's output: the mapped kernel, the program and the reference output.
  public var compiled: NPUCompiledKernel
  /// The simulator's run: its report (cycles, bytes) and output, compared with the reference.
  public var run: NPURunResult
  /// Output bytes of the CPU backend (nil when not checked).
  public var cpuOutput: [UInt8]?
  /// Int8 kernels: elements where the NPU and the CPU backend differ.
  public var cpuMismatches: Int?
  /// Float kernel: SQNR of the NPU's dequantized output against the CPU float output.
  public var sqnrDb: Double?
  /// Float kernel: max |CPU float - Swift float reference| (sanity check of the CPU run).
  public var floatMaxAbsError: Double?

  /// The kernel as the NPU backend mapped it.
  public var kernel: any NPUMappedKernel { compiled.kernel }

  /// Int8 kernels: the simulator equals the Swift reference and the CPU backend byte for byte.
  /// Float kernel: the simulator equals the Swift reference of the quantized convolution.
  public var bitExact: Bool { run.bitExact && (cpuMismatches ?? 0) == 0 }

  struct JSONReport: Codable {
    var kernel: String
    var computes: String
    var sizes: [String: Int]
    var hardware: String
    var tiles: String
    var doubleBuffer: Bool
    var notes: [String]
    var cycles: Int
    var macs: Int
    var executedMacs: Int
    var macUtilization: Double
    var rooflineCycles: Int
    var rooflineRatio: Double
    var macBoundCycles: Int
    var trafficBoundCycles: Int
    var aluBoundCycles: Int
    var compulsoryBytes: Int
    var trafficRatio: Double
    var bytesLoaded: Int
    var bytesStored: Int
    var stallCycles: ModuleCycles
    var busyCycles: ModuleCycles
    var instructions: Int
    var bitExact: Bool
    var simulatorMatchesReference: Bool
    var cpuChecked: Bool
    var cpuMismatches: Int?
    var sqnrDb: Double?
    var floatMaxAbsError: Double?
  }

  /// One JSON object (sorted keys).
  public func jsonString() -> String {
    let r = run.report
    let report = JSONReport(
      kernel: kernel.name, computes: kernel.summary, sizes: kernel.sizes, hardware: r.hardware,
      tiles: run.program.tiles.description, doubleBuffer: run.program.doubleBuffer, notes: kernel.notes,
      cycles: r.cycles, macs: r.macs, executedMacs: r.executedMacs,
      macUtilization: r.macUtilization, rooflineCycles: r.rooflineCycles, rooflineRatio: r.rooflineRatio,
      macBoundCycles: r.macBoundCycles, trafficBoundCycles: r.trafficBoundCycles, aluBoundCycles: r.aluBoundCycles,
      compulsoryBytes: r.compulsoryBytes, trafficRatio: r.trafficRatio,
      bytesLoaded: r.bytesLoaded, bytesStored: r.bytesStored, stallCycles: r.stallCycles, busyCycles: r.busyCycles,
      instructions: run.program.instructions.count, bitExact: bitExact, simulatorMatchesReference: run.bitExact,
      cpuChecked: cpuOutput != nil, cpuMismatches: cpuMismatches,
      sqnrDb: sqnrDb.map { $0.isFinite ? $0 : 999 }, floatMaxAbsError: floatMaxAbsError)
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? enc.encode(report)) ?? Data(), as: UTF8.self) + "\n"
  }

  /// The text report: what runs, the backend's decisions, checks, then the simulator's table.
  public func textReport() -> String {
    var s = "kernel \(kernel.name): \(kernel.summary)\n"
    s += "tiles: \(run.program.tiles.description), double buffering \(run.program.doubleBuffer ? "on" : "off")\n"
    for n in kernel.notes { s += "note: \(n)\n" }
    s += "simulator vs NPU reference: " + (run.bitExact ? "bit-exact" : "\(run.mismatches) mismatches") + "\n"
    if let m = cpuMismatches {
      s += "simulator vs CPU backend (polyc C): " + (m == 0 ? "bit-exact" : "\(m) mismatches") + "\n"
    } else if !kernel.isFloat {
      s += "simulator vs CPU backend: not checked\n"
    }
    if let q = sqnrDb { s += String(format: "SQNR vs float (CPU backend): %.2f dB\n", q) }
    if let e = floatMaxAbsError { s += String(format: "CPU float vs float reference: max abs error %.3g\n", e) }
    s += "bit-exact: \(bitExact ? "yes" : "NO")\n"
    return s + run.report.textTable()
  }
}

/// Compiles a `Compilation` to the NPU, runs it on the simulator and cross-checks it (`polyc npu`).
public enum NPURunner {
  /// The sizes of a run: the data set's values (`dataset`, else SMALL, else the first one),
  /// overridden by `overrides` (`--set`). Every size parameter needs a value >= 1.
  public static func sizes(of k: CheckedKernel, dataset: String?, overrides: [String: Int]) throws -> [String: Int] {
    var sizes: [String: Int] = [:]
    let names = k.file.datasets.map(\.name)
    if let d = dataset {
      guard let decl = k.file.datasets.first(where: { $0.name == d }) else {
        throw PolycError.usage("unknown dataset '\(d)' (available: \(names.joined(separator: ", ")))")
      }
      sizes = decl.values
    } else if let decl = k.file.datasets.first(where: { $0.name == "SMALL" }) ?? k.file.datasets.first {
      sizes = decl.values
    }
    for (name, v) in overrides {
      guard k.sizeParameters.contains(name) else {
        throw PolycError.usage("--set \(name)=\(v): '\(name)' is not a size parameter of kernel '\(k.name)' (size parameters: \(k.sizeParameters.joined(separator: ", ")))")
      }
      sizes[name] = v
    }
    for p in k.sizeParameters {
      guard let v = sizes[p] else { throw PolycError.usage("size parameter '\(p)' has no value; give it with --set \(p)=N") }
      guard v >= 1 else { throw PolycError.usage("size parameter '\(p)' must be >= 1 (got \(v))") }
      guard v <= 1 << 24 else { throw PolycError.usage("size parameter '\(p)' must be <= \(1 << 24) (got \(v))") }
    }
    return sizes.filter { k.sizeParameters.contains($0.key) }
  }

  /// Parses `--set` text: `M=37,N=50` (several `--set` options may be given).
  public static func parseSet(_ items: [String]) throws -> [String: Int] {
    var out: [String: Int] = [:]
    for item in items {
      for part in item.split(separator: ",") {
        let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count == 2, !kv[0].isEmpty, let v = Int(kv[1]) else {
          throw PolycError.usage("--set expects NAME=INTEGER[,NAME=INTEGER...], got '\(part)'")
        }
        out[kv[0]] = v
      }
    }
    return out
  }

  /// A strategy's `target.hardware` path, relative to the strategy file unless absolute.
  public static func resolvedHardwarePath(_ path: String, strategyFile: String) -> String {
    path.hasPrefix("/") ? path
      : URL(fileURLWithPath: strategyFile).deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
  }

  /// The hardware of a run: `override` (`--hw`), else the strategy's
  /// `target.hardware` (relative to the strategy file), else npu16.
  public static func hardware(strategy: Strategy, override: HardwareConfig?) throws -> HardwareConfig {
    if let override { return override }
    guard let path = strategy.target.hardware else { return .npu16 }
    let resolved = resolvedHardwarePath(path, strategyFile: strategy.sourcePath)
    do {
      return try HardwareConfig.load(path: resolved)
    } catch {
      throw PolycError.strategy(StrategyError(path: strategy.sourcePath, keyPath: "target.hardware",
                                              message: "cannot use hardware file '\(path)' (\(resolved)): \(error)"))
    }
  }

  /// The NPU backend's analysis of `c` for `sizes`.
  package static func analyze(_ c: Compilation, sizes: [String: Int], options: NPUKernelRunOptions) throws -> NPUKernel {
    let hw = try hardware(strategy: c.strategy, override: options.hw)
    do {
      var k = try NPUCodeGen.analyze(scop: c.scop, schedule: c.schedule, strategy: c.strategy, sizes: sizes, hardware: hw)
      if options.minimalTiles {
        k.plan.lowering.tiles = .minimal
        k.plan.notes.append("npu: --tiles minimal overrides the strategy's tiles")
      }
      if options.singleBuffer {
        k.plan.lowering.doubleBuffer = false
        k.plan.notes.append("npu: --no-double-buffer: single buffering")
      }
      return k
    } catch let e as NPUCodeGenError {
      throw PolycError.npu(e)
    }
  }

  /// The binary input file of `ProgramIOLayout` for these values.
  static func encode(_ data: KernelData, kernel k: CheckedKernel, sizes: [String: Int]) throws -> [UInt8] {
    var out: [UInt8] = []
    func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    let layout = ProgramIOLayout(kernel: k)
    for p in layout.sizes { append(Int32(sizes[p]!)) }
    for item in layout.inputs {
      guard let v = data.values[item.name] else { throw PolycError.usage("no data for parameter '\(item.name)'") }
      switch (v, item.type) {
      case (.ints(let xs), .i8), (.ints(let xs), .char): xs.forEach { append(Int8(truncatingIfNeeded: $0)) }
      case (.ints(let xs), .i16): xs.forEach { append(Int16(truncatingIfNeeded: $0)) }
      case (.ints(let xs), .i32): xs.forEach { append(Int32(truncatingIfNeeded: $0)) }
      case (.ints(let xs), .i64): xs.forEach { append(Int64($0)) }
      case (.floats(let xs), .f32): xs.forEach { append($0.bitPattern) }
      case (.floats(let xs), .f64): xs.forEach { append(Double($0).bitPattern) }
      default: throw PolycError.usage("parameter '\(item.name)' has type \(item.type.rawValue), which does not fit its NPU data")
      }
    }
    return out
  }

  /// The NPU program of `c` for `sizes`: an ALU kernel when the kernel has no
  /// multiply-accumulate, else the GEMM backend's.
  public static func compile(_ c: Compilation, sizes: [String: Int], options: NPUKernelRunOptions) throws -> NPUCompiledKernel {
    let hw = try hardware(strategy: c.strategy, override: options.hw)
    do {
      if let alu = try NPUCodeGen.analyzeElementwise(scop: c.scop, sizes: sizes, hardware: hw) {
        return try NPUCodeGen.lower(alu, seed: options.seed)
      }
      return try NPUCodeGen.lower(try analyze(c, sizes: sizes, options: options), seed: options.seed, scop: c.scop)
    } catch let e as NPUCodeGenError {
      throw PolycError.npu(e)
    }
  }

  /// Runs the kernel of `c` on the NPU for `sizes` and cross-checks it (see the file comment).
  public static func run(_ c: Compilation, sizes: [String: Int], options: NPUKernelRunOptions = NPUKernelRunOptions()) throws -> NPUKernelRunResult {
    let compiled = try compile(c, sizes: sizes, options: options)
    let k = compiled.kernel
    let npu: NPURunResult
    do {
      let (report, output) = try compiled.program.simulate()
      let reference = compiled.reference
      let mismatches = zip(output, reference).filter { $0 != $1 }.count + abs(output.count - reference.count)
      npu = NPURunResult(report: report, output: output, reference: reference, mismatches: mismatches,
                         assembly: compiled.program.assembly(), program: compiled.program)
    } catch {
      throw PolycError.wrap(error)
    }
    var result = NPUKernelRunResult(compiled: compiled, run: npu)
    guard let runner = options.cpuRunner else {
      if let q = compiled.data.quantized, let model = compiled.data.floatModel, let input = compiled.data.floatInput {
        result.sqnrDb = Quantization.sqnr(reference: model.run(input), test: q.dequantize(npu.output))
      }
      return result
    }
    let bytes = try runCPU(c, input: try encode(compiled.data, kernel: c.kernel, sizes: sizes), runner: runner)
    result.cpuOutput = bytes
    if !k.isFloat {
      let cpu = bytes.map { Int8(bitPattern: $0) }
      let npuOut = k.outputInKernelLayout(npu.output)
      result.cpuMismatches = zip(cpu, npuOut).filter { $0 != $1 }.count + abs(cpu.count - npuOut.count)
    } else {
      let cpu: [Double] = stride(from: 0, to: bytes.count - 3, by: 4).map { i in
        Double(Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24))
      }
      let d = compiled.data
      let deq = k.outputInKernelLayout(d.quantized!.dequantize(npu.output))
      guard cpu.count == deq.count else { throw PolycError.io("the CPU program wrote \(cpu.count) floats, expected \(deq.count)") }
      result.sqnrDb = Quantization.sqnr(reference: cpu, test: deq)
      let ref = k.outputInKernelLayout(d.floatModel!.run(d.floatInput!))
      result.floatMaxAbsError = zip(cpu, ref).map { abs($0 - $1) }.max() ?? 0
    }
    return result
  }

  /// Runs the binary-I/O program of `c` with `runner` on `input`; returns its output file.
  public static func runCPU(_ c: Compilation, input: [UInt8], runner: any CProgramRunner) throws -> [UInt8] {
    let source: String
    do {
      source = try CEmitter.emitIOProgram(scop: c.scop, schedule: c.codeSchedule, options: c.emitOptions)
    } catch {
      throw PolycError.wrap(error)
    }
    return try runner.run(program: source, name: c.kernel.name, input: input)
  }

  /// `--emit npu`: the assembly of the kernel lowered for the data set's sizes, preceded by the
  /// backend's decisions as comments.
  public static func assembly(_ c: Compilation, dataset: String?, options: NPUKernelRunOptions = NPUKernelRunOptions(),
                              overrides: [String: Int] = [:]) throws -> String {
    let sizes = try self.sizes(of: c.kernel, dataset: dataset, overrides: overrides)
    let compiled = try compile(c, sizes: sizes, options: options)
    var text = "; kernel \(c.kernel.name): \(compiled.kernel.summary)\n"
    for n in compiled.kernel.notes { text += "; note: \(n)\n" }
    if let g = compiled.kernel as? NPUKernel {
      text += "; schedule tree with the tensorized band marked:\n"
      text += g.markedSchedule.split(separator: "\n").map { ";   \($0)\n" }.joined()
    }
    return text + compiled.program.assembly()
  }
}
