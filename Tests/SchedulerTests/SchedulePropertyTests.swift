//===- SchedulePropertyTests.swift - Every kernel under every preset ------===//
//
// Properties, not coefficients: for all 30 PolyBench kernels and every
// preset the schedule covers the whole domain, respects every dependence,
// and gives each statement instance its own time.
//
//===----------------------------------------------------------------------===//

import PolycDriver
import PolycScheduler
import Testing

@Suite struct SchedulePropertyTests {
  /// Also: our own presets never need their fallback on PolyBench.
  @Test(arguments: Repo.presets, Repo.kernels)
  func scheduleIsCompleteLegalAndInjective(_ preset: String, _ kernel: String) throws {
    let c = try Repo.compile(kernel, preset: preset)
    let p = try ScheduleProperties(c)
    #expect(p.complete, "\(kernel)/\(preset): schedule domain differs from the Scop's")
    #expect(p.legal, "\(kernel)/\(preset): a dependence is violated")
    #expect(p.injective, "\(kernel)/\(preset): two instances share a time")
    let expected = ["feautrier": "feautrier", "isl": "isl", "identity": "identity"][preset] ?? "polytops"
    #expect(c.result.backend == expected, "\(kernel)/\(preset): \(c.result.notes)")
  }
}
