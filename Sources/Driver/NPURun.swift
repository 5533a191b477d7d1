//===- NPURun.swift - Compile a kernel to the NPU, simulate, cross-check --===//
//
// `polyc npu`: the mapped workload gets deterministic data (the NPU's
// `.random(seed:)` generators; for a float kernel, `FloatConv2D.random` with
// calibration inputs), is lowered and simulated (`NPUDriver`), and the same
// data is fed to the kernel compiled by polyc's CPU backend (the binary-I/O
// program of `CEmitter.emitIOProgram`) and run natively. For an int8 kernel
// the two outputs must agree byte for byte; for a float kernel the NPU's
// dequantized output is compared with the CPU float output (SQNR, dB).
//
//===----------------------------------------------------------------------===//

import CodeGenC
import Foundation
import Frontend
import Model
import NPU

/// The data of one run: the NPU workload and the bytes of every kernel parameter.
public struct NPUKernelInstance: Sendable {
  public var workload: NPUWorkload
  /// The binary input file of the I/O program (`ProgramIOLayout`).
  public var programInput: [UInt8]
  /// For a float kernel: the float model, its evaluation input and its quantized form.
  public var floatModel: FloatConv2D?
  public var floatInput: [Float]?
  public var quantized: QuantizedConv2D?
}

public struct NPUKernelRunOptions: Sendable {
  public var hw: HardwareConfig
  public var lowering: LoweringOptions
  public var seed: UInt64
  /// Check against the CPU backend (compile the kernel to C and run it).
  public var checkCPU: Bool
  public var compiler: CCompiler
  public init(hw: HardwareConfig = .npu16, lowering: LoweringOptions = LoweringOptions(), seed: UInt64 = 1, checkCPU: Bool = true,
              compiler: CCompiler = CCompiler(command: "cc", flags: ["-O2", "-ffp-contract=off"])) {
    self.hw = hw
    self.lowering = lowering
    self.seed = seed
    self.checkCPU = checkCPU
    self.compiler = compiler
  }
}

/// Everything `polyc npu` reports.
public struct NPUKernelRunResult: Sendable {
  public var mapping: NPUKernelMapping
  public var run: NPURunResult
  /// Output bytes of the CPU backend (nil when not checked).
  public var cpuOutput: [UInt8]?
  /// Int8 kernels: elements where the NPU and the CPU backend differ.
  public var cpuMismatches: Int?
  /// Float kernel: SQNR of the NPU's dequantized output against the CPU float output.
  public var sqnrDb: Double?
  /// Float kernel: max |CPU float - Swift float reference| (sanity check of the CPU run).
  public var floatMaxAbsError: Double?

  /// Int8 kernels: the simulator equals the Swift reference and the CPU backend byte for byte.
  /// Float kernel: the simulator equals the Swift reference of the quantized convolution.
  public var bitExact: Bool { run.bitExact && (cpuMismatches ?? 0) == 0 }

  struct JSONReport: Codable {
    var kernel: String
    var kind: String
    var sizes: [String: Int]
    var hardware: String
    var tiles: String
    var cycles: Int
    var macs: Int
    var executedMacs: Int
    var macUtilization: Double
    var rooflineCycles: Int
    var rooflineRatio: Double
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
      kernel: mapping.kernel, kind: mapping.kind.rawValue, sizes: mapping.sizes, hardware: r.hardware,
      tiles: run.program.tiles.description, cycles: r.cycles, macs: r.macs, executedMacs: r.executedMacs,
      macUtilization: r.macUtilization, rooflineCycles: r.rooflineCycles, rooflineRatio: r.rooflineRatio,
      bytesLoaded: r.bytesLoaded, bytesStored: r.bytesStored, stallCycles: r.stallCycles, busyCycles: r.busyCycles,
      instructions: run.program.instructions.count, bitExact: bitExact, simulatorMatchesReference: run.bitExact,
      cpuChecked: cpuOutput != nil, cpuMismatches: cpuMismatches,
      sqnrDb: sqnrDb.map { $0.isFinite ? $0 : 999 }, floatMaxAbsError: floatMaxAbsError)
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? enc.encode(report)) ?? Data(), as: UTF8.self) + "\n"
  }

  /// The text report: mapping, checks, then the simulator's table.
  public func textReport() -> String {
    var s = "kernel \(mapping.kernel): \(mapping)\n"
    s += "tiles: \(run.program.tiles.description)\n"
    s += "simulator vs NPU reference: " + (run.bitExact ? "bit-exact" : "\(run.mismatches) mismatches") + "\n"
    if let m = cpuMismatches {
      s += "simulator vs CPU backend (polyc C): " + (m == 0 ? "bit-exact" : "\(m) mismatches") + "\n"
    } else if mapping.isQuantized {
      s += "simulator vs CPU backend: not checked\n"
    }
    if let q = sqnrDb { s += String(format: "SQNR vs float (CPU backend): %.2f dB\n", q) }
    if let e = floatMaxAbsError { s += String(format: "CPU float vs float reference: max abs error %.3g\n", e) }
    s += "bit-exact: \(bitExact ? "yes" : "NO")\n"
    return s + run.report.textTable()
  }
}

public enum NPURunner {
  /// Deterministic data for a mapped kernel.
  public static func instance(_ m: NPUKernelMapping, kernel k: CheckedKernel, seed: UInt64) throws -> NPUKernelInstance {
    var values: [String: Value] = [:]
    var inst: NPUKernelInstance
    func requantValues(_ r: Requantization) {
      values[m.multipliers!] = .ints(r.multipliers.map(Int.init))
      values[m.shifts!] = .ints(r.shifts.map(Int.init))
      values[m.outputZeroPoint!] = .ints([Int(r.outputZeroPoint)])
    }
    switch m.kind {
    case .gemm:
      let g = GemmWorkload.random(m: m.m, n: m.n, k: m.k, seed: seed, relu: m.relu)
      values[m.input] = .ints(g.a.map(Int.init))
      values[m.weights] = .ints(g.w.map(Int.init))
      values[m.bias] = .ints(g.bias.map(Int.init))
      values[m.inputZeroPoint!] = .ints([Int(g.aZeroPoint)])
      requantValues(g.requant)
      inst = NPUKernelInstance(workload: .gemm(g), programInput: [])
    case .fullyConnected:
      let f = FullyConnectedWorkload.random(batch: m.m, inFeatures: m.k, outFeatures: m.n, seed: seed, relu: m.relu)
      values[m.input] = .ints(f.input.map(Int.init))
      values[m.weights] = .ints(f.weights.map(Int.init))
      values[m.bias] = .ints(f.bias.map(Int.init))
      values[m.inputZeroPoint!] = .ints([Int(f.inputZeroPoint)])
      requantValues(f.requant)
      inst = NPUKernelInstance(workload: .fullyConnected(f), programInput: [])
    case .conv2d:
      let c = Conv2DWorkload.random(shape: m.shape!, seed: seed, relu: m.relu)
      values[m.input] = .ints(c.input.map(Int.init))
      values[m.weights] = .ints(c.weights.map(Int.init))
      values[m.bias] = .ints(c.bias.map(Int.init))
      values[m.inputZeroPoint!] = .ints([Int(c.inputZeroPoint)])
      requantValues(c.requant)
      inst = NPUKernelInstance(workload: .conv2d(c), programInput: [])
    case .floatConv2d:
      let model = FloatConv2D.random(shape: m.shape!, seed: seed &+ 6)
      let calibration = FloatConv2D.inputs(shape: m.shape!, count: 4, seed: seed &+ 10)
      let input = FloatConv2D.inputs(shape: m.shape!, count: 1, seed: seed &+ 1000)[0]
      let q = model.quantized(calibration: calibration)
      values[m.input] = .floats(input)
      values[m.weights] = .floats(model.weights)
      values[m.bias] = .floats(model.bias)
      inst = NPUKernelInstance(workload: .conv2d(q.workload(input: input)), programInput: [], floatModel: model,
                               floatInput: input, quantized: q)
    }
    inst.programInput = try encode(values, kernel: k, sizes: m.sizes)
    return inst
  }

  enum Value {
    case ints([Int])
    case floats([Float])
  }

  /// The binary input file of `ProgramIOLayout` for these values.
  static func encode(_ values: [String: Value], kernel k: CheckedKernel, sizes: [String: Int]) throws -> [UInt8] {
    var out: [UInt8] = []
    func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    let layout = ProgramIOLayout(kernel: k)
    for p in layout.sizes { append(Int32(sizes[p]!)) }
    for item in layout.inputs {
      guard let v = values[item.name] else { throw PolycError.usage("no data for parameter '\(item.name)'") }
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

  /// Runs the kernel of `c` on the NPU for `sizes` and cross-checks it (see the file comment).
  public static func run(_ c: Compilation, sizes: [String: Int], options: NPUKernelRunOptions = NPUKernelRunOptions()) throws -> NPUKernelRunResult {
    let mapping: NPUKernelMapping
    let inst: NPUKernelInstance
    let npu: NPURunResult
    do {
      mapping = try NPUMapping.map(scop: c.scop, sizes: sizes)
      inst = try instance(mapping, kernel: c.kernel, seed: options.seed)
      try inst.workload.validate()
      npu = try NPUDriver.run(workload: inst.workload, hw: options.hw, options: options.lowering)
    } catch let e as NPUMappingError {
      throw PolycError.io(String(e.description.dropFirst("error: ".count)))
    } catch {
      throw PolycError.wrap(error)
    }
    var result = NPUKernelRunResult(mapping: mapping, run: npu)
    if options.checkCPU {
      let bytes = try runCPU(c, input: inst.programInput, compiler: options.compiler)
      result.cpuOutput = bytes
      if mapping.isQuantized {
        let cpu = bytes.map { Int8(bitPattern: $0) }
        result.cpuMismatches = zip(cpu, npu.output).filter { $0 != $1 }.count + abs(cpu.count - npu.output.count)
      } else {
        let cpu: [Double] = stride(from: 0, to: bytes.count - 3, by: 4).map { i in
          Double(Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24))
        }
        let deq = inst.quantized!.dequantize(npu.output)
        if cpu.count == deq.count {
          result.sqnrDb = Quantization.sqnr(reference: cpu, test: deq)
          let ref = inst.floatModel!.run(inst.floatInput!)
          result.floatMaxAbsError = zip(cpu, ref).map { abs($0 - $1) }.max() ?? 0
        } else {
          throw PolycError.io("the CPU program wrote \(cpu.count) floats, expected \(deq.count)")
        }
      }
    } else if !mapping.isQuantized, let q = inst.quantized {
      result.sqnrDb = Quantization.sqnr(reference: inst.floatModel!.run(inst.floatInput!), test: q.dequantize(npu.output))
    }
    return result
  }

  /// Compiles the binary-I/O program of `c`, runs it on `input`, returns its output file.
  public static func runCPU(_ c: Compilation, input: [UInt8], compiler: CCompiler) throws -> [UInt8] {
    let dir = NSTemporaryDirectory() + "polyc-npu-\(c.kernel.name)-\(UUID().uuidString.prefix(8))"
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let source = try CEmitter.emitIOProgram(scop: c.scop, schedule: c.codeSchedule, options: c.emitOptions)
      let src = "\(dir)/\(c.kernel.name).c", bin = "\(dir)/\(c.kernel.name)", inFile = "\(dir)/in.bin", outFile = "\(dir)/out.bin"
      try source.write(toFile: src, atomically: true, encoding: .utf8)
      try compiler.compile(source: src, output: bin)
      try Data(input).write(to: URL(fileURLWithPath: inFile))
      let r = try ProcessRunner.run(bin, [inFile, outFile], timeout: 600)
      guard r.status == 0, !r.timedOut else {
        throw PolycError.io("the CPU program of '\(c.kernel.name)' failed (status \(r.status)\(r.timedOut ? ", timed out" : "")): \(r.stderr)")
      }
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: outFile)))
    } catch let e as PolycError {
      throw e
    } catch {
      throw PolycError.io("CPU check: \(error)")
    }
  }

  /// `--emit npu`: the assembly of the kernel lowered for the data set's sizes.
  public static func assembly(_ c: Compilation, dataset: String?, hw: HardwareConfig = .npu16,
                              lowering: LoweringOptions = LoweringOptions(), seed: UInt64 = 1) throws -> String {
    do {
      let sizes = try NPUMapping.sizes(of: c.kernel, dataset: dataset, overrides: [:])
      let mapping = try NPUMapping.map(scop: c.scop, sizes: sizes)
      let inst = try instance(mapping, kernel: c.kernel, seed: seed)
      let program = try NPULowering.lower(inst.workload, hw: hw, options: lowering)
      return "; kernel \(c.kernel.name): \(mapping)\n" + program.assembly()
    } catch let e as NPUMappingError {
      throw PolycError.io(String(e.description.dropFirst("error: ".count)))
    } catch {
      throw PolycError.wrap(error)
    }
  }
}
