//===- RenderTests.swift - polyc --emit schedule --------------------------===//

import PolycDriver
import PolycScheduler
import Testing

@Suite struct RenderTests {
  @Test func emitScheduleShowsTreeBandsAndCarriedDependences() throws {
    let c = try Repo.compile("gemm", preset: "pluto")
    let text = try Pipeline.emit(.schedule, c)
    #expect(text.hasPrefix("# strategy: pluto (backend polytops)"))
    #expect(text.contains("schedule tree:"))
    #expect(text.contains("permutable: 1"))
    #expect(text.contains("band at dimension 0 over S1: 3 members, permutable (tilable)"))
    #expect(text.contains("parallel, coincident"))
    #expect(text.contains("carries: flow S1 -> S1, output S1 -> S1"))
    #expect(text.contains("sequence: {S0} ; {S1}"))
  }

  @Test func identityScheduleIsSummarisedToo() throws {
    let c = try Repo.compile("jacobi-1d", preset: "identity")
    let text = try Pipeline.emit(.schedule, c)
    #expect(text.contains("backend identity"))
    #expect(text.contains("carries: flow"))
  }
}
