//===- ReversedLoopTests.swift - Bands through reversed loops -------------===//

import PolycDriver
import PolycScheduler
import Testing

@Suite struct ReversedLoopTests {
  /// deriche's backward column filter (`for i in reverse`), once its
  /// temporaries are expanded along j: the band (j, -i) stays one permutable
  /// band instead of ending after j, so it can be tiled and interchanged.
  @Test func reversedSweepContinuesThePermutableBand() throws {
    let c = try Repo.compile("deriche", preset: "cpu")
    #expect(c.result.notes.contains { $0.contains("continued with negative coefficients") }, "\(c.result.notes)")
    let sum = try c.summary
    let band = try #require(sum.bands.first { $0.statements.contains("S44") && $0.members.count == 2 }, "\(sum.render())")
    #expect(band.permutable)
    #expect(try ScheduleProperties(c).legal)
  }

  /// Without the expansion the scalars serialise everything: no such band.
  @Test func withoutExpansionTheScalarsSerialise() throws {
    var s = try Repo.preset("cpu")
    s.scalarExpansion = false
    let sum = try Repo.compile("deriche", s).summary
    #expect(!sum.bands.contains { $0.statements.contains("S44") && $0.members.count == 2 && $0.members[0].isParallel })
  }
}
