import Foundation
import Testing
@testable import PolycNPU

/// The timed part of the simulator: DMA latency and bandwidth, GEMM and ALU throughput,
/// concurrency of the modules and the shared DRAM channel.
@Suite struct TimingModelTests {
  let hw = HardwareConfig.tiny  // 4 B/cycle, latency 10, ALU 4 lanes/cycle
  let load16 = Instruction(.load(mem(.input, sram: 0, dram: 0, y: 4, x: 1, stride: 1)))  // 16 bytes

  @Test func loadCostsLatencyPlusTransferPlusPadding() throws {
    let m = NPUMachine(hw: hw, dram: [UInt8](repeating: 0, count: 64))
    #expect(try m.run([load16]).cycles == 10 + 4)
    let padded = Instruction(.load(mem(.input, sram: 0, dram: 0, y: 4, x: 1, stride: 1, pad: (1, 1, 0, 0))))
    #expect(try NPUMachine(hw: hw, dram: m.dram).run([padded]).cycles == 10 + 4 + 2)
  }

  @Test func gemmRunsOneCoreOperationPerCycleAndAluItsLaneRate() throws {
    var d = DRAMImage(count: 64)
    try d.putMicroOps([MicroOp(dst: 0), MicroOp(dst: 1)], at: 0)
    let gemm = Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 2, iterOut: 3, iterIn: 5)))
    let alu = Instruction(.alu(AluInstruction(op: .add, uopBegin: 0, uopEnd: 2, iterOut: 3, iterIn: 1, immediate: 1)))
    let r = try NPUMachine(hw: hw, dram: d.bytes).run([gemm, alu])
    #expect(r.cycles == 30 + 6)
    #expect(r.busyCycles.compute == 36)
    #expect(r.executedMacs == 30 * 16)
  }

  @Test func independentModulesOverlapAndTokensSerialise() throws {
    var d = DRAMImage(count: 64)
    try d.putMicroOps([MicroOp(dst: 0)], at: 0)
    let gemm = Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 1, iterOut: 20, iterIn: 1)))
    let overlapped = try NPUMachine(hw: hw, dram: d.bytes).run([load16, gemm])
    #expect(overlapped.cycles == 20)
    var waiting = gemm
    waiting.deps = [.popPrev]
    var pushing = load16
    pushing.deps = [.pushNext]
    let serial = try NPUMachine(hw: hw, dram: d.bytes).run([pushing, waiting])
    #expect(serial.cycles == 14 + 20)
    #expect(serial.stallCycles.compute == 14)
  }

  @Test func loadsAndStoresShareTheDRAMChannel() throws {
    let store16 = Instruction(.store(mem(.accumulator, sram: 0, dram: 0, y: 4, x: 1, stride: 1)))
    let r = try NPUMachine(hw: hw, dram: [UInt8](repeating: 0, count: 64)).run([load16, store16])
    // Both wait 10 cycles of latency, then the 4-cycle transfers go one after the other.
    #expect(r.cycles == 10 + 4 + 4)
    #expect(r.bytesLoaded == 16)
    #expect(r.bytesStored == 16)
  }

  @Test func reportDerivesUtilisationAndRoofline() throws {
    let r = try NPUDriver.run(gemm: GemmWorkload.random(m: 32, n: 32, k: 64, seed: 5))
    #expect(r.report.macs == 32 * 32 * 64)
    #expect(r.report.rooflineCycles == max(r.report.macs / 256, (r.report.bytesLoaded + r.report.bytesStored + 31) / 32))
    #expect(abs(r.report.macUtilization - Double(r.report.macs) / Double(r.report.cycles * 256)) < 1e-12)
    #expect(r.report.cycles >= r.report.rooflineCycles)
  }

  @Test func reportExportsJSONWithTheDocumentedKeys() throws {
    let r = try NPUDriver.run(gemm: GemmWorkload.random(m: 8, n: 8, k: 8, seed: 5))
    let json = r.report.jsonString()
    for key in ["cycles", "macs", "macUtilization", "rooflineCycles", "bytesLoaded", "bytesStored", "stallCycles", "busyCycles"] {
      #expect(json.contains("\"\(key)\""), "missing \(key)")
    }
    let decoded = try JSONDecoder().decode(NPUReport.self, from: Data(json.utf8))
    #expect(decoded == r.report)
    #expect(r.report.textTable().contains("MAC utilisation"))
  }
}
