// Shared helpers of the NPU backend tests: compile a kernel from text, analyze it.

import PolycDriver
import Foundation
import PolycFrontend
import PolycISL
import PolycModel
import PolycNPU
import PolycNPUCodeGen
import PolycScheduler
import TestSupport

enum NPUTestSupport {
  static func npuKernel(_ name: String) -> String { "\(Fixtures.root)/Kernels/npu/\(name).loop" }

  static func strategy(_ name: String = "npu") throws -> Strategy { try Pipeline.loadStrategy(path: Fixtures.configPath(name)) }

  /// A strategy from JSON text (its `target.hardware` relative to Configs/).
  static func strategy(json: String) throws -> Strategy {
    try Strategy.parse(Data(json.utf8), path: "\(Fixtures.root)/Configs/test.json")
  }

  static func compile(text: String, strategy s: Strategy? = nil) throws -> Compilation {
    let k = try Frontend.load(text: text, path: "test.loop")
    return try Pipeline.compile(kernel: k, strategy: try s ?? strategy())
  }

  static func compile(kernel name: String, strategy s: Strategy? = nil) throws -> Compilation {
    try Pipeline.compile(kernel: try Pipeline.loadKernel(path: npuKernel(name)), strategy: try s ?? strategy())
  }

  static func analyze(_ c: Compilation, sizes: [String: Int], hw: HardwareConfig = .npu16) throws -> NPUKernel {
    try NPUCodeGen.analyze(scop: c.scop, schedule: c.schedule, strategy: c.strategy, sizes: sizes, hardware: hw)
  }

  /// The message of the NPUCodeGenError `body` throws, or nil.
  static func error(_ body: () throws -> Void) -> NPUCodeGenError? {
    do { try body() } catch let e as NPUCodeGenError { return e } catch { return nil }
    return nil
  }

  /// A quantized GEMM-like kernel with a given multiply-accumulate statement.
  static func kernel(params: String, arrays: String, loops: String, mac: String, acc: String = "acc[i][j]",
                     outDims: String = "[M][N]", outIndex: String = "[i][j]", channel: String = "j") -> String {
    """
    kernel t(M, N, K, za: i32, zo: i32, \(arrays), bias: in i32[N], mult: in i32[N], shift: in i32[N], C: out i8\(outDims)\(params)) {
      var acc: int\(outDims)
      for i in 0 ..< M { for j in 0 ..< N { Bias: acc[i][j] = bias[\(channel)] } }
      \(loops.replacingOccurrences(of: "MAC", with: "Mac: \(acc) += \(mac)"))
      for i in 0 ..< M { for j in 0 ..< N {
        Requant: C\(outIndex) = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[i][j], max(shift[\(channel)], 0)), mult[\(channel)]), max(-shift[\(channel)], 0)), -128, 127))
      } }
    }
    assume M >= 1, N >= 1, K >= 1
    dataset SMALL: M = 20, N = 18, K = 33

    """
  }
}
