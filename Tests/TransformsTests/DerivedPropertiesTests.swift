// The transforms derive some band facts instead of asking isl (the halves of a split band,
// the tile and point bands of a permutable band, a wavefront's skewed band, the copies of a
// distributed loop); every derived flag must equal what isl computes on the final tree.
// Innermost distribution checks its own legality locally: positive and negative cases.

import PolycDriver
import PolycISL
import PolycScheduler
import Testing
import TestSupport
@testable import PolycTransforms

@Suite struct DerivedPropertiesTests {
  @Test(arguments: ["heat-3d", "jacobi-2d", "seidel-2d", "fdtd-2d", "jacobi-1d", "gemm", "2mm", "lu", "adi", "syr2k"])
  func derivedBandFlagsAgreeWithISL(kernel: String) throws {
    let c = try TransformFixture.compile(kernel, preset: "cpu")
    let fresh = try DependenceOracle(scop: c.scop, dependences: c.dependences)
    var checked = 0, exact = 0
    for band in try TransformFixture.bands(c.codeSchedule) {
      let p = try fresh.computeProperties(of: band)
      let flags = try (0..<p.memberCount).map { try band.bandMemberIsCoincident($0) }
      let partial = try band.bandPartialScheduleUnionMap().description
      // Sound: no flag claims more than isl finds (bands the passes never annotate, such as
      // the matmul optimizer's packing loops, keep isl's default `false`).
      for (flag, computed) in zip(flags, p.parallel) where flag {
        #expect(computed, "\(kernel): \(partial): coincident \(flags), isl \(p.parallel)")
      }
      if try band.bandIsPermutable() { #expect(p.permutable, "\(kernel): \(partial)") }
      if flags == p.parallel { exact += 1 }
      checked += 1
    }
    #expect(checked > 0)
    // Exact on the stencils, whose every band the passes annotate (derived or computed).
    if ["heat-3d", "jacobi-2d", "seidel-2d", "fdtd-2d", "jacobi-1d"].contains(kernel) { #expect(exact == checked) }
  }

  @Test func markAuditDoesNotTrustDerivedProperties() throws {
    // seidel-2d's loops all carry dependences; a wrong derived fact must not reach a pragma.
    let c = try TransformFixture.compile("seidel-2d", backend: .identity, options: .none)
    let cx = try TransformContext(scop: c.scop, dependences: c.dependences, options: .cpu)
    let band = try #require(try TransformFixture.bands(c.schedule).first)
    let n = try band.bandMemberCount()
    try cx.oracle.record(derived: BandProperties(memberCount: n, permutable: true, parallel: Array(repeating: true, count: n)), for: band)
    #expect(try cx.oracle.properties(of: band).parallel[0])
    let marked = try band.insertMark(ParallelMarks.name)
    let audited = try MarkAudit.apply(try marked.schedule().root(), cx).schedule()
    #expect(try !TransformFixture.marks(audited).contains(ParallelMarks.name))
    #expect(cx.notes.contains { $0.contains("audit: removed 'parallel' mark: its loop carries a dependence") }, "\(cx.notes)")
  }

  static func distributed(_ body: String) throws -> Compilation {
    let text = """
      kernel k(n, A: inout f64[n], B: inout f64[n], C: inout f64[n]) {
        for j in 1 ..< n {
      \(body)
        }
      }
      assume n >= 2
      """
    let k = try Pipeline.loadKernel(text: text, path: "distribution.loop")
    var options = TransformOptions()
    options.vectorize = true
    options.distributeInnermost = true
    return try Pipeline.compile(kernel: k, strategy: TransformFixture.strategy(.identity), transforms: options)
  }

  @Test func distributionThatWouldReverseADependenceIsSkipped() throws {
    // S1 writes B[j], which S0 reads one iteration later: S0's copy would read B first.
    let c = try Self.distributed("    A[j] = B[j-1] + 1.0\n    B[j] = C[j] * 2.0")
    let notes = c.transforms?.notes ?? []
    #expect(notes.contains { $0.contains("distribution:") && $0.contains("from S1 to S0 would run backwards, skipped") }, "\(notes)")
    #expect(!notes.contains { $0.contains("innermost loop distributed") })
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
  }

  @Test func distributionWhoseDependencesRunForwardIsApplied() throws {
    // S0 writes B[j], which S1 reads one iteration later: S0's copy runs first.
    let c = try Self.distributed("    B[j] = C[j] * 2.0\n    A[j] = B[j-1] + 1.0")
    let notes = c.transforms?.notes ?? []
    #expect(notes.contains { $0.contains("innermost loop distributed over S0, S1") }, "\(notes)")
    #expect(try TransformFixture.marks(c.codeSchedule).filter { $0 == "simd" }.count == 2)
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
  }
}
