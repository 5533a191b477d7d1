//===- ParserExpr.swift - Expressions --------------------------------------===//
//
//   expr    ::= ternary
//   ternary ::= or ('?' expr ':' ternary)?
//   or      ::= and ('||' and)*          and ::= cmp ('&&' cmp)*
//   cmp     ::= add (relop add)?         add ::= mul (('+' | '-') mul)*
//   mul     ::= unary (('*' | '/' | '%') unary)*
//   unary   ::= ('-' | '!') unary | postfix
//   postfix ::= primary ('[' expr ']')*
//   primary ::= INT | FLOAT | IDENT | IDENT '(' args ')' | TYPE '(' expr ')' | '(' expr ')'
//
// Nesting: every parenthesis, operand of a unary operator and operator of a
// chain (`a + b + c` nests to the left) counts one level against
// `maxExpressionDepth`, so a tree's height stays bounded and every later
// recursive walk (and its deallocation) stays far from the end of the stack.
//
// Locations: a binary or ternary expression is located at its operator, a
// unary one at its operator, an access, call or cast at its first token.
//
//===----------------------------------------------------------------------===//

extension Parser {
  mutating func parseExpr() throws -> Expr {
    try nested { parser in
      let e = try parser.parseTernary()
      if parser.expressionDepth == 1, let deep = e.node(deeperThan: Self.maxExpressionDepth) {
        throw parser.error(Message.expressionTooDeep(Self.maxExpressionDepth), at: deep.location)
      }
      return e
    }
  }

  /// Runs `body` one expression level deeper; past `maxExpressionDepth` the
  /// expression is rejected at the current token.
  private mutating func nested(_ body: (inout Parser) throws -> Expr) throws -> Expr {
    guard expressionDepth < Self.maxExpressionDepth else {
      throw error(Message.expressionTooDeep(Self.maxExpressionDepth), at: current.location)
    }
    expressionDepth += 1
    defer { expressionDepth -= 1 }
    return try body(&self)
  }

  private mutating func parseTernary() throws -> Expr {
    let condition = try parseBinary(level: 0)
    guard at(.question) else { return condition }
    let location = advance().location
    let then = try parseExpr()
    try expect(.colon)
    let otherwise = try parseTernary()
    return Expr(.ternary(condition, then, otherwise), at: location)
  }

  /// Binary levels from loosest to tightest: `||`, `&&`, comparisons, `+ -`, `* / %`.
  private static let binaryLevels: [[BinaryOp]] = [
    [.or], [.and], [.lt, .le, .gt, .ge, .eq, .ne], [.add, .sub], [.mul, .div, .rem],
  ]
  private static let comparisonLevel = 2

  private mutating func parseBinary(level: Int) throws -> Expr {
    guard level < Self.binaryLevels.count else { return try parseUnary() }
    var lhs = try parseBinary(level: level + 1)
    let depth = expressionDepth
    defer { expressionDepth = depth }
    while let op = currentBinaryOp(in: Self.binaryLevels[level]) {
      guard expressionDepth < Self.maxExpressionDepth else {
        throw error(Message.expressionTooDeep(Self.maxExpressionDepth), at: current.location)
      }
      expressionDepth += 1
      let location = advance().location
      let rhs = try parseBinary(level: level + 1)
      lhs = Expr(.binary(op, lhs, rhs), at: location)
      if level == Self.comparisonLevel { break }
    }
    return lhs
  }

  private func currentBinaryOp(in ops: [BinaryOp]) -> BinaryOp? {
    guard case .punctuator(let p) = current.kind, let op = p.binaryOp, ops.contains(op) else { return nil }
    return op
  }

  private mutating func parseUnary() throws -> Expr {
    let location = current.location
    if accept(.minus) { return Expr(.unary(.neg, try nested { try $0.parseUnary() }), at: location) }
    if accept(.bang) { return Expr(.unary(.not, try nested { try $0.parseUnary() }), at: location) }
    return try parsePostfix()
  }

  private mutating func parsePostfix() throws -> Expr {
    let isBareName = isIdentifier(current.kind) && peekKind(1) != .punctuator(.lparen)
    let primary = try parsePrimary()
    guard at(.lbracket) else { return primary }
    guard isBareName, case .name(let array) = primary.kind else { throw error(Message.subscriptOfNonName, at: current.location) }
    return Expr(.access(array: array, subscripts: try parseDimensions()), at: primary.location)
  }

  private func isIdentifier(_ kind: TokenKind) -> Bool {
    if case .identifier = kind { return true }
    return false
  }

  private mutating func parsePrimary() throws -> Expr {
    let token = current
    switch token.kind {
    case .integer(let value):
      _ = advance()
      return Expr(.intLiteral(value), at: token.location)
    case .float(let text, let type):
      _ = advance()
      return Expr(.floatLiteral(text: text, type: type), at: token.location)
    case .identifier(let name):
      _ = advance()
      guard at(.lparen) else { return Expr(.name(name), at: token.location) }
      return Expr(.call(function: name, arguments: try parseArguments()), at: token.location)
    case .keyword(let k) where k.scalarType != nil:
      return try parseCast()
    case .punctuator(.lparen):
      _ = advance()
      let inner = try parseExpr()
      try expect(.rparen)
      return inner
    default:
      throw unexpected("an expression")
    }
  }

  private mutating func parseCast() throws -> Expr {
    let token = advance()
    guard case .keyword(let k) = token.kind, let type = k.scalarType else { throw unexpected("a type") }
    guard at(.lparen) else { throw unexpected("'(' after the type name '\(k.rawValue)' (casts are written like calls)") }
    let arguments = try parseArguments()
    guard arguments.count == 1 else {
      throw error(Message.castArity(k.rawValue, arguments.count), at: token.location)
    }
    return Expr(.cast(type, arguments[0]), at: token.location)
  }

  private mutating func parseArguments() throws -> [Expr] {
    try expect(.lparen)
    if accept(.rparen) { return [] }
    let arguments = try parseCommaSeparated { try $0.parseExpr() }
    try expect(.rparen)
    return arguments
  }
}

extension Expr {
  /// A sub-expression more than `limit` levels below this one (a long chain
  /// `a + b + c + ...` nests to the left), found without recursion; nil if none.
  func node(deeperThan limit: Int) -> Expr? {
    var stack: [(Expr, Int)] = [(self, 1)]
    while let (e, depth) = stack.popLast() {
      if depth > limit { return e }
      stack += e.operands.map { ($0, depth + 1) }
    }
    return nil
  }

  /// The direct sub-expressions.
  var operands: [Expr] {
    switch kind {
    case .intLiteral, .floatLiteral, .name: return []
    case .access(_, let subscripts): return subscripts
    case .unary(_, let x), .cast(_, let x): return [x]
    case .binary(_, let l, let r): return [l, r]
    case .ternary(let c, let a, let b): return [c, a, b]
    case .call(_, let args): return args
    }
  }
}
