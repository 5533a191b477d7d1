//===- LabelTests.swift - Auto-naming of kernel statements ----------------===//

import Testing
@testable import PolycFrontend

@Suite struct LabelTests {
  @Test func unlabelledStatementsAreNamedInTextualOrder() throws {
    let k = try #require(loaded(kernel("""
      for i in 0 ..< n {
        x[i] = 0
        for j in 0 ..< n { x[i] += A[i][j] }
        if i > 0 { x[i] *= 2 } else { x[i] = 1 }
      }
      """)))
    #expect(assignments(k.file.body).map(\.label) == ["S0", "S1", "S2", "S3"])
  }

  @Test func explicitLabelsAreKeptAndSkipped() throws {
    let k = try #require(loaded(kernel("""
      for i in 0 ..< n {
        x[i] = 0
        S1: x[i] += 1
        x[i] *= 2
        init_x: x[i] -= 1
        x[i] /= 3
      }
      """)))
    #expect(assignments(k.file.body).map(\.label) == ["S0", "S1", "S2", "init_x", "S3"])
  }

  @Test func laterExplicitLabelIsAlsoSkipped() throws {
    let k = try #require(loaded(kernel("""
      for i in 0 ..< n {
        x[i] = 0
        x[i] += 1
        S0: x[i] *= 2
      }
      """)))
    #expect(assignments(k.file.body).map(\.label) == ["S1", "S2", "S0"])
  }

  @Test func hostStatementsStayUnlabelled() throws {
    let k = try #require(loaded(gemmSource))
    #expect(assignments(k.file.initBody).allSatisfy { $0.label == nil })
  }

  @Test func parseAloneDoesNotLabel() throws {
    let file = try Frontend.parse(text: kernel("x[0] = 1"), path: "a.loop")
    #expect(assignments(file.body).map(\.label) == [nil])
  }
}
