//===- LexerTests.swift - Literals, ranges and line continuation ---------===//

import Testing
@testable import PolycFrontend

@Suite struct LexerTests {
  func kinds(_ text: String) throws -> [TokenKind] {
    try Lexer.tokenize(text, path: "t.loop").map(\.kind)
  }

  @Test func floatLiteralsAndTheirTypes() throws {
    #expect(try kinds("1.5f 1.5 1e-3 2.5e+2 0. 0.f") == [
      .float(text: "1.5", type: .f32), .float(text: "1.5", type: .f64), .float(text: "1e-3", type: .f64),
      .float(text: "2.5e+2", type: .f64), .float(text: "0.", type: .f64), .float(text: "0.", type: .f32),
      .endOfFile,
    ])
  }

  @Test func integerFollowedByARangeOperator() throws {
    #expect(try kinds("0...n 1..<n") == [
      .integer(0), .punctuator(.closed), .identifier("n"),
      .integer(1), .punctuator(.halfOpen), .identifier("n"), .endOfFile,
    ])
  }

  @Test func newlineAfterAnOperatorOrInsideBracketsDoesNotEndAStatement() throws {
    #expect(try kinds("a = b +\n c\nd(\n1)\ne") == [
      .identifier("a"), .punctuator(.assign), .identifier("b"), .punctuator(.plus), .identifier("c"), .newline,
      .identifier("d"), .punctuator(.lparen), .integer(1), .punctuator(.rparen), .newline,
      .identifier("e"), .endOfFile,
    ])
  }

  @Test func newlineAfterAnOpeningBraceIsDropped() throws {
    #expect(try kinds("{\n\n}\n") == [.punctuator(.lbrace), .punctuator(.rbrace), .newline, .endOfFile])
  }

  @Test func keywordsAndTypeNames() throws {
    #expect(try kinds("for reverse step int f64 forx") == [
      .keyword(.forKw), .keyword(.reverse), .keyword(.step), .keyword(.int), .keyword(.f64),
      .identifier("forx"), .endOfFile,
    ])
  }

  @Test func largestIntLiteralIsAccepted() throws {
    #expect(try kinds("2147483647") == [.integer(2_147_483_647), .endOfFile])
  }

  @Test func tokensCarryLineAndColumn() throws {
    let tokens = try Lexer.tokenize("a\n  bb = 1", path: "t.loop")
    #expect(tokens[2].location == SourceLocation(line: 2, column: 3, offset: 4))
    #expect(tokens[4].location.description == "2:8")
  }
}
