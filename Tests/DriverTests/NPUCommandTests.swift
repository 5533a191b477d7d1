// `polyc npu`: every Kernels/npu kernel maps onto the NPU and the simulator's output equals,
// byte for byte, the output of the same kernel compiled by polyc's CPU backend; the CLI's JSON
// report, hardware-file errors, `--emit npu`, mapping errors and the float kernel's SQNR.

import PolycDriver
import PolycToolchain
import Foundation
import PolycNPU
import PolycNPUCodeGen
import Testing
import TestSupport

private func npuKernel(_ name: String) -> String { "\(Fixtures.root)/Kernels/npu/\(name).loop" }

private func compile(_ path: String, strategy: String = "npu") throws -> Compilation {
  let k = try Pipeline.loadKernel(path: path)
  return try Pipeline.compile(kernel: k, strategy: try Pipeline.loadStrategy(path: Fixtures.configPath(strategy)))
}

private func polyc(_ args: [String]) throws -> ProcessResult {
  let bin = try #require(Fixtures.polycBinary, "polyc executable not found next to the tests")
  return try ProcessRunner.run(bin, args, timeout: 120)
}

@Suite struct NPUBitExactTests {
  static let cases: [(String, [String: Int])] = [
    ("qmatmul", ["M": 37, "N": 50, "K": 75]),
    ("qmatmul", ["M": 16, "N": 16, "K": 16]),
    ("qmatmul", ["M": 1, "N": 17, "K": 33]),
    ("fc_relu", ["B": 3, "I": 75, "O": 50]),
    ("fc_relu", ["B": 1, "I": 16, "O": 1]),
    ("qconv2d", ["H": 7, "W": 7, "C": 3, "K": 5]),
    ("qconv2d", ["H": 5, "W": 9, "C": 17, "K": 18]),
    ("qconv2d_s2", ["H": 7, "W": 7, "C": 3, "K": 5]),
    ("qconv2d_s2", ["H": 8, "W": 6, "C": 16, "K": 2]),
  ]

  @Test(arguments: cases)
  func simulatorMatchesCPUBackend(kernel: String, sizes: [String: Int]) throws {
    let c = try compile(npuKernel(kernel))
    let r = try NPURunner.run(c, sizes: sizes, options: NPUKernelRunOptions(cpuRunner: SystemCProgramRunner()))
    #expect(r.run.bitExact, "simulator vs NPU reference: \(r.run.mismatches) mismatches")
    #expect(r.cpuMismatches == 0, "simulator vs CPU backend: \(String(describing: r.cpuMismatches)) mismatches")
    #expect(r.cpuOutput?.count == r.run.output.count)
    #expect(r.bitExact)
    #expect(r.run.report.macs == r.kernel.usefulMACs)
  }

  @Test func otherStrategiesAndOptionsStayBitExact() throws {
    for strategy in ["identity", "pluto"] {
      let c = try compile(npuKernel("qconv2d"), strategy: strategy)
      let r = try NPURunner.run(c, sizes: ["H": 6, "W": 5, "C": 4, "K": 3],
                                options: NPUKernelRunOptions(hw: .npu32, minimalTiles: true, singleBuffer: true, cpuRunner: SystemCProgramRunner()))
      #expect(r.bitExact, "\(strategy)")
    }
  }

  @Test func mappingExtractsConvolutionGeometry() throws {
    let c = try compile(npuKernel("qconv2d_s2"))
    let m = try NPURunner.analyze(c, sizes: ["H": 8, "W": 7, "C": 3, "K": 5], options: NPUKernelRunOptions())
    let s = m.gemm.shape
    #expect(s.strideH == 2 && s.strideW == 2 && s.padTop == 1 && s.padLeft == 1)
    #expect(s.outputHeight == 4 && s.outputWidth == 4 && s.kernelHeight == 3 && s.inChannels == 3 && s.outChannels == 5)
    #expect(m.gemm.input.array == "In" && m.gemm.weights.array == "Wt" && m.epilogue.bias == "bias" && m.epilogue.requant?.output == "Out")
    #expect(m.epilogue.requant?.multiplier == .perChannel("mult") && m.epilogue.requant?.shift == .perChannel("shift"))
    #expect(m.gemm.input.zeroPoint == .parameter("zi") && m.epilogue.requant?.outputZeroPoint == "zo")
    let fc = try NPURunner.analyze(try compile(npuKernel("fc_relu")), sizes: ["B": 2, "I": 3, "O": 4], options: NPUKernelRunOptions())
    #expect(fc.epilogue.requant?.relu == true && fc.gemm.shape.gemmM == 2 && fc.gemm.shape.outChannels == 4 && fc.gemm.shape.inChannels == 3)
    #expect(fc.gemm.weights.layout == ["o", "c"])
  }
}

@Suite struct NPUFloatKernelTests {
  @Test func quantizedFloatConvReportsSQNR() throws {
    let c = try compile(npuKernel("conv2d_f32"))
    let r = try NPURunner.run(c, sizes: try NPURunner.sizes(of: c.kernel, dataset: nil, overrides: [:]), options: NPUKernelRunOptions(cpuRunner: SystemCProgramRunner()))
    #expect(r.kernel.isFloat)
    #expect(r.run.bitExact)
    let sqnr = try #require(r.sqnrDb)
    #expect(sqnr > 30, "SQNR \(sqnr) dB")
    #expect((r.floatMaxAbsError ?? 1) < 1e-3)
    #expect(r.jsonString().contains("\"sqnrDb\""))
  }
}

@Suite struct NPUCommandLineTests {
  @Test func jsonReportHasTheKeys() throws {
    let r = try polyc(["npu", npuKernel("qmatmul"), "--config", Fixtures.configPath("npu"), "--set", "M=37,N=50,K=75", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    for key in ["cycles", "macs", "macUtilization", "rooflineCycles", "bytesLoaded", "bytesStored", "stallCycles", "bitExact"] {
      #expect(object[key] != nil, "missing key \(key)")
    }
    #expect(object["bitExact"] as? Bool == true)
    #expect(object["macs"] as? Int == 37 * 50 * 75)
  }

  @Test func textReportAndFloatKernelSQNR() throws {
    let r = try polyc(["npu", npuKernel("conv2d_f32"), "--config", Fixtures.configPath("npu"), "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect((object["sqnrDb"] as? Double ?? 0) > 30)
    let t = try polyc(["npu", npuKernel("qconv2d"), "--set", "H=7,W=7,C=3,K=5", "--tiles", "minimal", "--no-double-buffer"])
    #expect(t.status == 0, "\(t.stderr)")
    #expect(t.stdout.contains("bit-exact: yes") && t.stdout.contains("MAC utilisation"))
  }

  @Test func badHardwareFileIsExitOneWithKeyPath() throws {
    let dir = try Fixtures.temporaryDirectory("npu-hw")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/bad.json"
    try #"{"version": 1, "name": "bad", "scratchpad": {"inputBytes": -5}}"#.write(toFile: path, atomically: true, encoding: .utf8)
    let r = try polyc(["npu", npuKernel("qmatmul"), "--hw", path])
    #expect(r.status == 1)
    #expect(r.stderr.contains("hw.scratchpad.inputBytes"), "\(r.stderr)")
    try #"{"version": 1, "gemm": {"blockOut": 16, "bogus": 3}}"#.write(toFile: path, atomically: true, encoding: .utf8)
    let u = try polyc(["npu", npuKernel("qmatmul"), "--hw", path])
    #expect(u.status == 1)
    #expect(u.stderr.contains("hw.gemm.bogus"), "\(u.stderr)")
  }

  @Test func emitNPUPrintsAssemblyThatAssembles() throws {
    let r = try polyc([npuKernel("qconv2d"), "--config", Fixtures.configPath("npu"), "--emit", "npu", "--dataset", "MINI"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.isEmpty)
    let program = try NPUAssembler.assemble(r.stdout)
    #expect(program.count > 3)
    #expect(r.stdout.contains("mark: \"npu_gemm\""), "the marked schedule tree is part of the listing")
  }

  @Test func nonMatchingKernelIsExitOneNamingThePart() throws {
    let r = try polyc(["npu", Fixtures.kernelPath("gemm"), "--config", Fixtures.configPath("identity")])
    #expect(r.status == 1)
    #expect(r.stderr.contains("does not map to the NPU: gemm"), "\(r.stderr)")
    // A requantization with the wrong clamp bound.
    let dir = try Fixtures.temporaryDirectory("npu-map")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let text = try String(contentsOfFile: npuKernel("qmatmul"), encoding: .utf8).replacingOccurrences(of: "-128, 127))", with: "-127, 127))")
    try text.write(toFile: "\(dir)/q.loop", atomically: true, encoding: .utf8)
    let q = try polyc(["npu", "\(dir)/q.loop"])
    #expect(q.status == 1)
    #expect(q.stderr.contains("requantization") && q.stderr.contains("lower clamp bound"), "\(q.stderr)")
    let s = try polyc(["npu", npuKernel("qmatmul"), "--set", "M=0"])
    #expect(s.status == 1 && s.stderr.contains("must be >= 1"))
  }
}

/// The C helpers of the quantization intrinsics equal the NPU's `FixedPoint` on edge values.
@Suite struct QuantIntrinsicCTests {
  @Test func helpersMatchFixedPoint() throws {
    let src = """
      kernel qi(n, a: in i32[n], b: in i32[n], e: in i32[n],
                r1: out i32[n], r2: out i32[n], r3: out i32[n], r4: out i32[n]) {
        for i in 0 ..< n {
          r1[i] = sat_rdhm(a[i], b[i])
          r2[i] = rdiv_pot(a[i], e[i])
          r3[i] = shl(a[i], e[i])
          r4[i] = clamp(a[i], -1000, b[i])
        }
      }

      """
    let dir = try Fixtures.temporaryDirectory("qi")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try src.write(toFile: "\(dir)/qi.loop", atomically: true, encoding: .utf8)
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: "\(dir)/qi.loop"), strategy: try Pipeline.loadStrategy(path: nil))
    var rng = DeterministicRandom(seed: 5)
    let edges: [Int32] = [0, 1, -1, 2, -2, Int32.min, Int32.max, Int32.min + 1, Int32.max - 1, 1 << 30, -(1 << 30), 12345, -12345]
    var a: [Int32] = [], b: [Int32] = [], e: [Int32] = []
    for x in edges { for y in edges { a.append(x); b.append(y); e.append(Int32(rng.int(in: 0...31))) } }
    for _ in 0..<500 {
      a.append(Int32(truncatingIfNeeded: rng.next())); b.append(Int32(truncatingIfNeeded: rng.next())); e.append(Int32(rng.int(in: 0...31)))
    }
    let n = a.count
    var input: [UInt8] = []
    func put(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { input.append(contentsOf: $0) } }
    put(Int32(n))
    for arr in [a, b, e] { arr.forEach(put) }
    let out = try NPURunner.runCPU(c, input: input, runner: SystemCProgramRunner(compiler: CCompiler(command: "cc", flags: ["-O2", "-fsanitize=undefined", "-fno-sanitize-recover=all"])))
    #expect(out.count == 4 * 4 * n)
    func word(_ array: Int, _ i: Int) -> Int32 {
      let o = (array * n + i) * 4
      return Int32(bitPattern: UInt32(out[o]) | UInt32(out[o + 1]) << 8 | UInt32(out[o + 2]) << 16 | UInt32(out[o + 3]) << 24)
    }
    guard out.count == 4 * 4 * n else { return }
    var bad = 0
    for i in 0..<n {
      if word(0, i) != FixedPoint.saturatingRoundingDoublingHighMul(a[i], b[i]) { bad += 1 }
      if word(1, i) != FixedPoint.roundingDivideByPOT(a[i], e[i]) { bad += 1 }
      if word(2, i) != FixedPoint.wrappingShiftLeft(a[i], e[i]) { bad += 1 }
      if word(3, i) != (a[i] < -1000 ? -1000 : (a[i] > b[i] ? b[i] : a[i])) { bad += 1 }
    }
    #expect(bad == 0)
  }
}
