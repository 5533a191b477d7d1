// The transform pipeline runs its passes unchecked and checks the result once; when that
// result violates a dependence, it runs them again one by one, each checked, and drops the
// pass at fault with a note, keeping what the others did.

import PolycDependences
import PolycDriver
import PolycISL
import PolycModel
import Testing
import TestSupport
@testable import PolycTransforms

@Suite struct PipelineFallbackTests {
  /// A faulty pass: reverses the order of every band's members' values (runs time backwards).
  static let reverseEveryBand = TransformPipeline.Pass(name: "reverse", reorders: true) { root, _ in
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band else { return node }
      return try TreeWalk.replaceBand(node, partial: try node.bandPartialSchedule().negated().toUnionMap())
    }
  }

  @Test func aPassThatViolatesADependenceIsDroppedAndTheOthersKept() throws {
    let c = try TransformFixture.compile("jacobi-2d", backend: .isl, options: .none)
    let (schedule, deps) = (c.schedule, c.dependences)
    let scop = deps.scop
    var options = TransformOptions.cpu
    options.wavefront = false
    let good = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: options)
    let r = try TransformPipeline.apply(schedule: schedule, scop: scop, dependences: deps, options: options, directives: [],
                                        extra: [Self.reverseEveryBand])
    #expect(r.notes.contains { $0.hasPrefix("reverse: result violates a dependence") }, "\(r.notes.joined(separator: "\n"))")
    #expect(try deps.violation(of: r.schedule) == nil)
    // The other passes' work survives: the same tree as without the faulty pass.
    #expect(try r.schedule.map().isEqual(try good.schedule.map()))
    #expect(r.tiledBands == good.tiledBands)
    #expect(r.notes.filter { $0.contains(": tiled ") }.count == good.notes.filter { $0.contains(": tiled ") }.count)
  }

  /// Without a faulty pass the result is the same as checking every pass (no pass dropped).
  @Test func theUncheckedRunNeedsNoFallbackOnPolyBench() throws {
    for kernel in ["gemm", "heat-3d", "lu"] {
      let c = try TransformFixture.compile(kernel, preset: "cpu")
      let notes = c.transforms?.notes ?? []
      #expect(!notes.contains { $0.contains("pass dropped") }, "\(kernel): \(notes)")
      #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
    }
  }
}
