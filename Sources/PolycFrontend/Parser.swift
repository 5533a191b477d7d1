//===- Parser.swift - Recursive-descent parser of the loop language -------===//
//
// Builds a `SourceFile` from tokens, following the grammar of
// docs/language.md. This file holds the parser state and the top level (the
// kernel header and the sections); statements are in ParserStmt.swift and
// expressions in ParserExpr.swift. The parser checks only syntax; names,
// types and affinity are checked by `Sema`.
//
//===----------------------------------------------------------------------===//

struct Parser {
  let path: String
  let text: String
  var tokens: [Token]
  var position = 0
  /// Expressions being parsed inside one another (parentheses, operands of
  /// unary operators, subscripts, arguments), bounded by `maxExpressionDepth`.
  var expressionDepth = 0
  /// Blocks being parsed inside one another, bounded by `maxBlockDepth`.
  var blockDepth = 0

  /// The deepest expression nesting accepted, so that every later recursive
  /// walk of an expression stays far from the end of the stack.
  static let maxExpressionDepth = 200
  /// The deepest statement nesting accepted (blocks of `for`, `if` and `else if`).
  static let maxBlockDepth = 100

  init(text: String, path: String) throws {
    self.path = path
    self.text = text
    self.tokens = try Lexer.tokenize(text, path: path)
  }

  static func parse(text: String, path: String) throws -> SourceFile {
    var parser = try Parser(text: text, path: path)
    return try parser.parseFile()
  }

  // MARK: Token access

  var current: Token { tokens[position] }

  func peekKind(_ ahead: Int) -> TokenKind {
    tokens[min(position + ahead, tokens.count - 1)].kind
  }

  mutating func advance() -> Token {
    let token = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return token
  }

  func at(_ p: Punctuator) -> Bool { current.kind == .punctuator(p) }
  func at(_ k: Keyword) -> Bool { current.kind == .keyword(k) }
  var atNewline: Bool { current.kind == .newline }
  var atEnd: Bool { current.kind == .endOfFile }

  mutating func accept(_ p: Punctuator) -> Bool {
    guard at(p) else { return false }
    _ = advance()
    return true
  }

  mutating func accept(_ k: Keyword) -> Bool {
    guard at(k) else { return false }
    _ = advance()
    return true
  }

  @discardableResult
  mutating func expect(_ p: Punctuator) throws -> Token {
    guard at(p) else { throw unexpected("'\(p.rawValue)'") }
    return advance()
  }

  @discardableResult
  mutating func expect(_ k: Keyword) throws -> Token {
    guard at(k) else { throw unexpected("'\(k.rawValue)'") }
    return advance()
  }

  mutating func expectIdentifier(_ what: String) throws -> (String, SourceLocation) {
    guard case .identifier(let name) = current.kind else { throw unexpected(what) }
    return (name, advance().location)
  }

  mutating func expectInteger(_ what: String) throws -> (Int, SourceLocation) {
    guard case .integer(let value) = current.kind else { throw unexpected(what) }
    return (value, advance().location)
  }

  mutating func skipNewlines() {
    while atNewline || at(.semicolon) { _ = advance() }
  }

  func error(_ message: String, at location: SourceLocation) -> Diagnostic {
    Diagnostic(path: path, location: location, message: message, text: text)
  }

  func unexpected(_ what: String) -> Diagnostic {
    error(Message.expected(what, found: current.spelling), at: current.location)
  }

  // MARK: File

  mutating func parseFile() throws -> SourceFile {
    skipNewlines()
    let start = try expect(.kernel).location
    let name = try parseKernelName()
    let parameters = try parseParameters()
    let body = try parseBlock()
    var file = SourceFile(path: path, kernelName: name, parameters: parameters, body: body, assumptions: [],
                          datasets: [], initBody: [], dumpBody: [], location: start)
    var seenSections: Set<Keyword> = []
    while true {
      skipNewlines()
      if atEnd { break }
      try parseSection(into: &file, seen: &seenSections)
    }
    return file
  }

  private mutating func parseKernelName() throws -> String {
    guard case .identifier(let name) = current.kind else { throw unexpected("a kernel name") }
    _ = advance()
    return name
  }

  private mutating func parseSection(into file: inout SourceFile, seen: inout Set<Keyword>) throws {
    let keyword = current
    switch keyword.kind {
    case .keyword(.assume):
      _ = advance()
      file.assumptions += try parseCommaSeparated { try $0.parseExpr() }
      try expectSectionEnd()
    case .keyword(.dataset):
      file.datasets.append(try parseDataset())
      try expectSectionEnd()
    case .keyword(.initKw):
      try noteSection(.initKw, at: keyword.location, seen: &seen)
      _ = advance()
      file.initBody = try parseBlock()
    case .keyword(.dump):
      try noteSection(.dump, at: keyword.location, seen: &seen)
      _ = advance()
      file.dumpBody = try parseBlock()
    default:
      throw unexpected("'assume', 'dataset', 'init' or 'dump'")
    }
  }

  private func noteSection(_ k: Keyword, at location: SourceLocation, seen: inout Set<Keyword>) throws {
    guard seen.insert(k).inserted else { throw error(Message.duplicateSection(k.rawValue), at: location) }
  }

  private mutating func expectSectionEnd() throws {
    guard atNewline || at(.semicolon) || atEnd else { throw unexpected("end of line") }
  }

  mutating func parseCommaSeparated<T>(_ element: (inout Parser) throws -> T) throws -> [T] {
    var elements = [try element(&self)]
    while accept(.comma) { elements.append(try element(&self)) }
    return elements
  }

  // MARK: Kernel header

  private mutating func parseParameters() throws -> [ParamDecl] {
    try expect(.lparen)
    if accept(.rparen) { return [] }
    let parameters = try parseCommaSeparated { try $0.parseParameter() }
    try expect(.rparen)
    return parameters
  }

  private mutating func parseParameter() throws -> ParamDecl {
    let (name, location) = try expectIdentifier("a parameter name")
    guard accept(.colon) else { return ParamDecl(name: name, kind: .size, location: location) }
    if let role = parseRole() {
      let type = try parseType()
      let dimensions = try parseDimensions()
      guard !dimensions.isEmpty else { throw unexpected("'[' (array parameters need dimensions)") }
      return ParamDecl(name: name, kind: .array(role: role, type: type, dimensions: dimensions), location: location)
    }
    if accept(.int) { return ParamDecl(name: name, kind: .size, location: location) }
    return ParamDecl(name: name, kind: .scalar(try parseType()), location: location)
  }

  private mutating func parseRole() -> ArrayRole? {
    if accept(.inKw) { return .in }
    if accept(.out) { return .out }
    if accept(.inoutKw) { return .inout }
    return nil
  }

  mutating func parseType() throws -> ScalarType {
    switch current.kind {
    case .keyword(let k):
      guard let type = k.scalarType else { break }
      _ = advance()
      return type
    case .identifier(let name):
      throw error(Message.unknownType(name), at: current.location)
    default:
      break
    }
    throw unexpected("a type")
  }

  mutating func parseDimensions() throws -> [Expr] {
    var dimensions: [Expr] = []
    while accept(.lbracket) {
      dimensions.append(try parseExpr())
      try expect(.rbracket)
    }
    return dimensions
  }

  // MARK: Dataset

  private mutating func parseDataset() throws -> DatasetDecl {
    try expect(.dataset)
    let (name, location) = try expectIdentifier("a dataset name")
    try expect(.colon)
    var values: [String: Int] = [:]
    var order: [String] = []
    repeat {
      let (parameter, parameterLocation) = try expectIdentifier("a size parameter name")
      try expect(.assign)
      let (value, _) = try expectInteger("an integer")
      guard values[parameter] == nil else {
        throw error(Message.duplicateDatasetValue(parameter), at: parameterLocation)
      }
      values[parameter] = value
      order.append(parameter)
    } while accept(.comma)
    return DatasetDecl(name: name, values: values, order: order, location: location)
  }
}
