import Foundation
import Testing
@testable import PolycNPU

/// Hardware descriptions: the shipped files, defaults, and errors that name the JSON key path.
@Suite struct HardwareConfigTests {
  func decode(_ json: String) throws -> HardwareConfig { try HardwareConfig.decode(Data(json.utf8)) }

  @Test func shippedConfigsLoad() throws {
    #expect(try HardwareConfig.load(path: RepoFiles.path("Configs/hw/npu16.json")) == .npu16)
    let npu32 = try HardwareConfig.load(path: RepoFiles.path("Configs/hw/npu32.json"))
    #expect(npu32 == .npu32)
    #expect(npu32.macsPerCycle == 1024)
    #expect(npu32.scratchpad != HardwareConfig.npu16.scratchpad)
  }

  @Test func absentKeysTakeTheDefaults() throws {
    #expect(try decode("{}") == .npu16)
    let c = try decode(#"{"dma": {"latencyCycles": 5}}"#)
    #expect(c.dma == .init(bytesPerCycle: 32, latencyCycles: 5))
    #expect(c.depth(.input) == 4096 && c.depth(.weight) == 1024 && c.depth(.accumulator) == 4096 && c.depth(.uop) == 4096)
  }

  @Test func encodingRoundTrips() throws {
    #expect(try decode(HardwareConfig.npu32.jsonString()) == .npu32)
  }

  @Test(arguments: [
    (#"{"foo": 1}"#, "hw.foo"),
    (#"{"dma": {"bandwidth": 3}}"#, "hw.dma.bandwidth"),
    (#"{"scratchpad": {"inputBytes": 65536, "outputBytes": 1}}"#, "hw.scratchpad.outputBytes"),
  ])
  func unknownKeysAreRejectedWithTheirPath(json: String, path: String) {
    #expect {
      try decode(json)
    } throws: { e in
      guard case let HardwareConfigError.unknownKey(p, _) = e else { return false }
      return p == path
    }
  }

  @Test(arguments: [
    (#"{"dma": {"bytesPerCycle": "fast"}}"#, "hw.dma.bytesPerCycle"),
    (#"{"gemm": {"blockOut": 1.5}}"#, "hw.gemm.blockOut"),
    (#"{"gemm": 16}"#, "hw.gemm"),
    (#"{"name": 3}"#, "hw.name"),
  ])
  func wrongTypesNameTheirPath(json: String, path: String) {
    #expect {
      try decode(json)
    } throws: { e in
      guard let e = e as? HardwareConfigError, case .typeMismatch = e else { return false }
      return e.keyPath == path
    }
  }

  @Test(arguments: [
    (#"{"scratchpad": {"inputBytes": 100}}"#,
     "hw.scratchpad.inputBytes: must be a positive multiple of 16 bytes (one input row of BLOCK_IN int8), got 100"),
    (#"{"scratchpad": {"weightBytes": 0}}"#,
     "hw.scratchpad.weightBytes: must be a positive multiple of 256 bytes (one BLOCK_OUT x BLOCK_IN int8 weight block), got 0"),
    (#"{"scratchpad": {"microOpBytes": 65544}}"#,
     "hw.scratchpad.microOpBytes: holds 8193 entries; the ISA addresses at most 8192 (65536 bytes)"),
    (#"{"gemm": {"blockOut": 12}}"#, "hw.gemm.blockOut: must be a power of two between 1 and 128 (got 12)"),
    (#"{"dma": {"bytesPerCycle": 0}}"#, "hw.dma.bytesPerCycle: must be in 1...1048576 (got 0)"),
    (#"{"dma": {"latencyCycles": -1}}"#, "hw.dma.latencyCycles: must be in 0...1048576 (got -1)"),
    (#"{"dma": {"latencyCycles": 4611686018427387904}}"#, "hw.dma.latencyCycles: must be in 0...1048576 (got 4611686018427387904)"),
    (#"{"dma": {"bytesPerCycle": 9223372036854775807}}"#, "hw.dma.bytesPerCycle: must be in 1...1048576 (got 9223372036854775807)"),
    (#"{"alu": {"elementsPerCycle": 0}}"#, "hw.alu.elementsPerCycle: must be in 1...1048576 (got 0)"),
    (#"{"clockMHz": -5}"#, "hw.clockMHz: must be a positive number (got -5.0)"),
    (#"{"version": 2}"#, "hw.version: unsupported version 2 (supported: 1)"),
  ])
  func badValuesNameTheirPath(json: String, message: String) {
    do {
      _ = try decode(json)
      Issue.record("expected an error for \(json)")
    } catch let e as HardwareConfigError {
      #expect(e.description == message)
      #expect(message.hasPrefix(e.keyPath + ":"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func malformedJSONAndMissingFilesAreTypedErrors() {
    #expect {
      try decode("{ not json")
    } throws: { e in
      if case HardwareConfigError.invalidJSON = e { return true }
      return false
    }
    #expect {
      try HardwareConfig.load(path: "/nonexistent/npu.json")
    } throws: { e in
      if case HardwareConfigError.unreadableFile(path: "/nonexistent/npu.json", _) = e { return true }
      return false
    }
  }
}
