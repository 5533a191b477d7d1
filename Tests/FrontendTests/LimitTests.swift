//===- LimitTests.swift - Inputs past the frontend's limits ---------------===//
//
// Deep nesting, constants past C `int` and datasets that break the
// assumptions are diagnosed at their position instead of overflowing the
// stack, trapping, or generating code that is wrong for the dataset.
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing
@testable import PolycFrontend

@Suite struct LimitTests {
  func expectDiagnostic(_ source: String, line: Int, column: Int, _ message: String,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard let d = diagnostic(of: source) else {
      Issue.record("expected '\(message)', but the source loaded", sourceLocation: sourceLocation)
      return
    }
    #expect(d.message == message, sourceLocation: sourceLocation)
    #expect(d.location.line == line && d.location.column == column, "at \(d.location)", sourceLocation: sourceLocation)
  }

  @Test func fiveThousandParenthesesAreTooDeep() {
    let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
    expectDiagnostic(kernel("x[0] = \(deep)"), line: 2, column: 208, "expression nesting too deep (more than 200 levels)")
  }

  @Test func twoHundredParenthesesAreAccepted() {
    let deep = String(repeating: "(", count: 190) + "1" + String(repeating: ")", count: 190)
    #expect(loaded(kernel("x[0] = \(deep)")) != nil)
  }

  @Test func longChainsNestTooDeep() {
    let chain = (0..<100_000).map { _ in "x[0]" }.joined(separator: " + ")
    guard let d = diagnostic(of: kernel("x[1] = \(chain)")) else { Issue.record("loaded"); return }
    #expect(d.message == "expression nesting too deep (more than 200 levels)")
    #expect(d.location.line == 2)
  }

  @Test func deepUnaryMinusIsTooDeep() {
    expectDiagnostic(kernel("x[0] = " + String(repeating: "-", count: 3000) + "1"), line: 2, column: 208,
                     "expression nesting too deep (more than 200 levels)")
  }

  @Test func twoThousandNestedIfsAreTooDeep() {
    let open = (0..<2000).map { _ in "if n > 0 {" }.joined(separator: "\n")
    let close = String(repeating: "}\n", count: 2000)
    expectDiagnostic(kernel(open + "\nx[0] = 0\n" + close), line: 101, column: 10,
                     "statement nesting too deep (more than 100 levels)")
  }

  @Test func longElseIfChainsAreTooDeep() {
    let chain = (0..<500).map { "if n == \($0) { x[0] = 0 }" }.joined(separator: " else ")
    guard let d = diagnostic(of: kernel(chain)) else { Issue.record("loaded"); return }
    #expect(d.message == "statement nesting too deep (more than 100 levels)")
  }

  @Test func loopNestsDeeperThan32AreRejected() {
    let loops = (0..<40).map { "for l\($0) in 0 ..< n {" }.joined(separator: "\n")
    let close = String(repeating: "}\n", count: 40)
    expectDiagnostic(kernel(loops + "\nx[0] = 0\n" + close), line: 34, column: 1,
                     "loop nest too deep (more than 32 nested loops in the kernel body)")
  }

  @Test func thirtyTwoLoopsAreAccepted() {
    let loops = (0..<32).map { "for l\($0) in 0 ..< n {" }.joined(separator: "\n")
    #expect(loaded(kernel(loops + "\nx[0] = 0\n" + String(repeating: "}\n", count: 32))) != nil)
  }

  @Test func constantBoundPastIntIsRejected() {
    expectError(kernel("for i in 0 ..< 2147483647 * 2147483647 * 2 { x[0] = 0 }"), at: 2, 16,
                "integer constant expression overflows C int (-2147483648 ... 2147483647): '2147483647 * 2147483647'")
  }

  @Test func constantSumPastIntIsRejected() {
    expectError(kernel("x[0] = 2147483647 + 1"), at: 2, 8, "overflows C int")
  }

  @Test func constantsInsideIntAreAccepted() {
    #expect(loaded(kernel("x[0] = 2147483647 - 1 + 1 - 2147483647 - 1")) != nil)
  }

  @Test func datasetViolatingAnAssumptionIsRejected() {
    let source = kernel("x[0] = 0") + "assume n >= 2, m <= n\ndataset SMALL: n = 10, m = 5\ndataset BAD: n = 10, m = 11\n"
    expectError(source, at: 6, 9, "dataset 'BAD' violates the assumption 'm <= n'")
  }

  @Test func datasetWithNegativeExtentIsRejected() {
    let source = "kernel k(n, A: inout f64[n - 5]) {\n  A[0] = 0\n}\ndataset SMALL: n = 3\n"
    expectError(source, at: 4, 9, "dataset 'SMALL' gives array 'A' a negative dimension 'n - 5'")
  }

  @Test func datasetWithTooManyElementsIsRejected() {
    let source = "kernel k(n, A: inout f64[n][n]) {\n  A[0][0] = 0\n}\ndataset HUGE: n = 50000\n"
    expectError(source, at: 4, 9, "dataset 'HUGE' gives array 'A' more than 2147483647 elements")
  }

  func readError(_ path: String) -> String? {
    do { _ = try Frontend.load(path: path); return nil } catch { return "\(error)" }
  }

  @Test func directoryIsReportedAsOne() {
    #expect(readError(NSTemporaryDirectory()) == "\(NSTemporaryDirectory()): error: cannot read file: is a directory")
  }

  @Test func binaryFileIsReportedAsOne() throws {
    let path = NSTemporaryDirectory() + "polyc-binary-\(getpid()).loop"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0xFF]).write(to: URL(fileURLWithPath: path))
    #expect(readError(path) == "\(path): error: cannot read file: is not UTF-8 text (binary file?)")
  }
}
