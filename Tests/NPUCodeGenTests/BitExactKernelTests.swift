// End to end: every kernel of Kernels/npu on odd shapes (not multiples of the
// GEMM block, size 1, larger than the scratchpads) runs on the simulator and
// equals, byte for byte, the same kernel compiled to C by polyc and run natively.

import PolycDriver
import PolycToolchain
import PolycNPU
import PolycNPUCodeGen
import Testing
import TestSupport

@Suite struct BitExactKernelTests {
  typealias S = NPUTestSupport

  static let cases: [(String, [String: Int])] = [
    ("qmatmul_kij", ["M": 37, "N": 50, "K": 75]),
    ("qmatmul_kij", ["M": 1, "N": 1, "K": 1]),
    ("qmatmul_kij", ["M": 3000, "N": 18, "K": 40]),
    ("qmatmul_at", ["M": 17, "N": 33, "K": 5]),
    ("qmatmul_at", ["M": 1, "N": 16, "K": 1]),
    ("qmatmul_pertensor", ["M": 20, "N": 18, "K": 33]),
    ("qgemm_zp2", ["L": 40, "S": 33, "D": 64]),
    ("qgemm_zp2", ["L": 1, "S": 1, "D": 1]),
    ("qconv5x5", ["H": 9, "W": 7, "C": 3, "K": 5]),
    ("qconv5x5", ["H": 1, "W": 1, "C": 1, "K": 1]),
    ("qconv_dilated", ["H": 9, "W": 11, "C": 5, "K": 7]),
    ("qconv_dilated", ["H": 3, "W": 3, "C": 1, "K": 1]),
    ("qconv1x1", ["H": 5, "W": 7, "C": 33, "K": 17]),
    ("qconv1x1", ["H": 40, "W": 40, "C": 64, "K": 20]),
    ("qconv_nchw", ["H": 6, "W": 5, "C": 4, "K": 3]),
    ("qconv_nchw", ["H": 1, "W": 1, "C": 1, "K": 1]),
    ("qconv2d_s2", ["H": 1, "W": 2, "C": 17, "K": 1]),
    ("qbmm", ["Bt": 3, "M": 37, "N": 20, "K": 33]),
    ("qbmm", ["Bt": 1, "M": 1, "N": 1, "K": 1]),
    ("qbmm", ["Bt": 5, "M": 300, "N": 40, "K": 70]),
    ("qdwconv", ["H": 14, "W": 14, "C": 40]),
    ("qdwconv", ["H": 1, "W": 1, "C": 1]),
    ("qdwconv", ["H": 9, "W": 30, "C": 17]),
    ("qresidual_add", ["H": 14, "W": 14, "C": 40]),
    ("qresidual_add", ["H": 1, "W": 1, "C": 1]),
    ("qresidual_add", ["H": 3, "W": 700, "C": 17]),
    ("qmaxpool2x2", ["H": 14, "W": 14, "C": 40]),
    ("qmaxpool2x2", ["H": 2, "W": 2, "C": 1]),
    ("qmaxpool2x2", ["H": 9, "W": 33, "C": 20]),
    // Larger than the scratchpads (npu16: 64 KiB input, 256 KiB accumulator).
    ("qconv5x5", ["H": 40, "W": 40, "C": 48, "K": 20]),
    ("qconv_nchw", ["H": 48, "W": 40, "C": 40, "K": 17]),
    ("qdwconv", ["H": 40, "W": 40, "C": 64]),
    ("qgemm_zp2", ["L": 700, "S": 40, "D": 100]),
    ("qmaxpool2x2", ["H": 40, "W": 60, "C": 33]),
    ("qmatmul_pertensor", ["M": 2000, "N": 33, "K": 40]),
  ]

  @Test(arguments: cases)
  func simulatorEqualsTheCPUBackend(kernel: String, sizes: [String: Int]) throws {
    let c = try S.compile(kernel: kernel)
    let r = try NPURunner.run(c, sizes: sizes, options: NPUKernelRunOptions(cpuRunner: SystemCProgramRunner()))
    #expect(r.run.bitExact, "simulator vs reference: \(r.run.mismatches) mismatches")
    #expect(r.cpuMismatches == 0, "simulator vs CPU backend: \(String(describing: r.cpuMismatches)) mismatches")
    #expect(r.bitExact)
  }

  @Test(arguments: ["tensor", "isl", "identity"])
  func otherPresetsStayBitExact(preset: String) throws {
    for kernel in ["qconv_nchw", "qmatmul_kij"] {
      let c = try S.compile(kernel: kernel, strategy: try S.strategy(preset))
      let sizes = kernel == "qconv_nchw" ? ["H": 6, "W": 5, "C": 20, "K": 18] : ["M": 40, "N": 33, "K": 20]
      let r = try NPURunner.run(c, sizes: sizes, options: NPUKernelRunOptions(cpuRunner: SystemCProgramRunner()))
      #expect(r.bitExact, "\(kernel) under \(preset)")
    }
  }

  @Test func rooflineCountsCompulsoryTraffic() throws {
    var hw = HardwareConfig.npu16
    hw.dma.bytesPerCycle = 2
    let c = try S.compile(kernel: "qmatmul")
    let r = try NPURunner.run(c, sizes: ["M": 64, "N": 64, "K": 64], options: NPUKernelRunOptions(hw: hw, minimalTiles: true))
    let report = r.run.report
    #expect(report.compulsoryBytes == 64 * 64 * 3 + 16 * 64)
    #expect(report.trafficBoundCycles == (report.compulsoryBytes + 1) / 2)
    #expect(report.rooflineCycles == max(report.macBoundCycles, report.trafficBoundCycles, report.aluBoundCycles))
    #expect(report.trafficRatio > 2, "minimal tiles reload operands: \(report.trafficRatio)")
    #expect(report.rooflineRatio > 2, "the distance to the compulsory bound is reported: \(report.rooflineRatio)")
  }
}
