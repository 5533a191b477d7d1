//===- DiagnosticRenderingTests.swift - How errors are printed -----------===//

import Foundation
import Testing
@testable import PolycFrontend

@Suite struct DiagnosticRenderingTests {
  @Test func caretPaddingKeepsTabs() throws {
    let d = try #require(diagnostic(of: "kernel k(n, x: inout f64[n]) {\n\tfor i in 0 ..< n {\n\t\tx[j] = 0\n\t}\n}\n"))
    #expect(d.location.line == 3 && d.location.column == 5)
    #expect(d.description == "test.loop:3:5: error: use of undeclared name 'j'\n\t\tx[j] = 0\n\t\t  ^")
  }

  @Test func unknownLocationHasNoPosition() {
    let d = Diagnostic(path: "a.loop", location: .unknown, message: "cannot read file")
    #expect(d.description == "a.loop: error: cannot read file")
  }

  @Test func localizedDescriptionIsTheRenderedDiagnostic() throws {
    let d = try #require(diagnostic(of: kernel("Z[0] = 1")))
    #expect(d.errorDescription == d.description)
    #expect((d as Error).localizedDescription == d.description)
    #expect(d.sourceLine == "Z[0] = 1")
  }

  @Test func missingSourceLineRendersOnlyTheHeader() {
    let d = Diagnostic(path: "a.loop", location: SourceLocation(line: 2, column: 3, offset: 9), message: "oops")
    #expect(d.description == "a.loop:2:3: error: oops")
  }

  @Test func checkUsesThePathOfTheParsedFile() throws {
    let text = kernel("x[0] = q")
    let file = try Frontend.parse(text: text, path: "dir/k.loop")
    #expect(throws: Diagnostic.self) { try Frontend.check(file, text: text) }
    do {
      _ = try Frontend.check(file, text: text)
    } catch let d as Diagnostic {
      #expect(d.description.hasPrefix("dir/k.loop:2:8: error: use of undeclared name 'q'"))
    }
  }

  @Test func loadReadsAFile() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("frontend-test-\(UUID()).loop")
    try gemmSource.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let k = try Frontend.load(path: url.path)
    #expect(k.name == "gemm")
    #expect(k.file.path == url.path)
  }
}
