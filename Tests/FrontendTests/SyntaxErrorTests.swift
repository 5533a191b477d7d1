//===- SyntaxErrorTests.swift - Lexical and grammar errors ----------------===//

import Testing
@testable import PolycFrontend

@Suite struct SyntaxErrorTests {
  @Test func missingClosingBraceIsReportedAtTheEndOfTheFile() {
    expectError("kernel k(n, x: inout f64[n]) {\n  for i in 0 ..< n {\n    x[i] = 0\n}\n", at: 4, 2,
                "expected '}' to close the block opened at 1:30")
  }

  @Test func strayCharacter() {
    expectError(kernel("for i in 0 ..< n { x[i] = 1 @ 2 }"), at: 2, 29, "unexpected character '@'")
  }

  @Test func singleAmpersandSuggestsTheLogicalOperator() {
    expectError(kernel("for i in 0 ..< n {\n  if i > 0 & i < 3 { x[i] = 0 }\n}"), at: 3, 12, "did you mean '&&'?")
  }

  @Test func missingExpression() {
    expectError(kernel("for i in 0 ..< n { x[i] = = 1 }"), at: 2, 27, "expected an expression, found '='")
  }

  @Test func missingAssignmentOperator() {
    expectError(kernel("for i in 0 ..< n { x[i] 1 }"), at: 2, 25, "expected '=', '+=', '-=', '*=' or '/=', found '1'")
  }

  @Test func twoStatementsOnOneLineNeedASemicolon() {
    expectError(kernel("x[0] = 1 x[1] = 2"), at: 2, 10, "expected end of statement")
  }

  @Test func chainedComparisonIsRejected() {
    expectError(kernel("for i in 0 ..< n {\n  if 0 < i < n { x[i] = 0 }\n}"), at: 3, 12, "expected '{', found '<'")
  }

  @Test func missingRangeOperator() {
    expectError(kernel("for i in 0 .. n { x[i] = 0 }"), at: 2, 12, "unexpected '..'")
  }

  @Test func unterminatedBlockComment() {
    expectError(kernel("x[0] = 1 /* never closed"), at: 2, 10, "unterminated '/*' comment")
  }

  @Test func unterminatedString() {
    expectError(kernel("x[0] = 0") + "dump {\n  begin \"C\n}\n", at: 5, 9, "unterminated string literal")
  }

  @Test func integerLiteralOverflow() {
    expectError(kernel("x[0] = 99999999999"), at: 2, 8, "integer literal is too large")
  }

  @Test func integerLiteralWithFloatSuffix() {
    expectError(kernel("x[0] = 2f"), at: 2, 9, "invalid suffix 'f' on numeric literal")
  }

  @Test func duplicateInitSection() {
    expectError(kernel("x[0] = 0") + "init {\n}\ninit {\n}\n", at: 6, 1, "duplicate 'init' section")
  }

  @Test func unknownSection() {
    expectError(kernel("x[0] = 0") + "setup {\n}\n", at: 4, 1, "expected 'assume', 'dataset', 'init' or 'dump', found 'setup'")
  }

  @Test func subscriptOnAParenthesisedExpression() {
    expectError(kernel("x[0] = (x)[0]"), at: 2, 11, "only arrays can be subscripted")
  }

  @Test func arrayParameterWithoutDimensions() {
    expectError("kernel k(n, A: in f64) {\n}\n", at: 1, 22, "expected '[' (array parameters need dimensions), found ')'")
  }
}
