//===- RoundTripTests.swift - ASTPrinter output parses to the same tree ---===//

import Testing
@testable import PolycFrontend

@Suite struct RoundTripTests {
  static let sources: [String] = [
    gemmSource,
    kernel("""
      var s: f64
      for i in reverse 0 ... n - 1 {
        for j in max(0, i - 2) ..< min(n, floordiv(i + 3, 2)) step 3 {
          S7: A[i][j] -= (A[i][j] - 1) / (2 - x[j]) * -x[i]
          s = i > 2 && j < 3 || !(i == j) ? -(-alpha) : f64(i % 4) - (1 - 2 - 3)
        }
        if i == 0 { x[i] /= 2 } else if i < m { x[i] *= 3 } else { x[i] = 1.5 + 2.5e-3 }
        F[i] = 1.5f * 0.f
      }
      """),
    kernel("x[0] = 1 - (2 + 3) * 4") + """
      assume n >= 1 && m >= 2, n <= 1000
      dataset X: m = 3, n = 4
      init {
        var v: i64 = -(3 % 2)
        var T: f64[n * 2]
        if n % 2 == 1 { v = 0 }
      }
      dump {
        begin "x"
        for i in 0 ..< n { print x[i]; newline }
        end "x"
      }
      """,
  ]

  @Test(arguments: sources)
  func printedSourceParsesToTheSameTree(_ source: String) throws {
    let original = try Frontend.parse(text: source, path: "a.loop")
    let printed = ASTPrinter.print(original)
    let reparsed = try Frontend.parse(text: printed, path: "a.loop")
    #expect(withoutLocations(reparsed) == withoutLocations(original), "printed:\n\(printed)")
    #expect(ASTPrinter.print(reparsed) == printed)
  }

  @Test(arguments: sources)
  func printedCheckedKernelLoadsAgain(_ source: String) throws {
    let checked = try Frontend.load(text: source, path: "a.loop")
    let printed = ASTPrinter.print(checked.file)
    let again = try Frontend.load(text: printed, path: "a.loop")
    #expect(withoutLocations(again.file) == withoutLocations(checked.file))
  }

  @Test func printerUsesTheCanonicalLayout() throws {
    let file = try Frontend.parse(text: "kernel k(n,A:in f64[n+1]){for i in 0..<n{A[i]=(i+1)*2}}\n", path: "a.loop")
    #expect(ASTPrinter.print(file) == """
      kernel k(n, A: in f64[n + 1]) {
        for i in 0 ..< n {
          A[i] = (i + 1) * 2
        }
      }

      """)
  }

  @Test func printerParenthesisesOnlyWhereNeeded() throws {
    let cases = [
      "a - (b - c)", "a - b - c", "(a < b) == c", "a * (b + c)", "-(a + b)", "(a ? b : c) ? d : e",
      "a ? b : c ? d : e", "!(a && b) || c", "(a || b) && c", "f64(a + b)", "A[i + 1][j]",
    ]
    for text in cases {
      let file = try Frontend.parse(text: "kernel k() {\n  x = \(text)\n}\n", path: "a.loop")
      guard case .assign(_, _, _, let value) = file.body[0].kind else { continue }
      #expect(ASTPrinter.text(of: value) == text)
    }
  }
}
