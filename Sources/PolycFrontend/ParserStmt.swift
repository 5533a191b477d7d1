//===- ParserStmt.swift - Blocks and statements ---------------------------===//
//
//   block  ::= '{' stmt* '}'
//   stmt   ::= for | if | var | assign | dumpstmt
//
// A simple statement ends at a newline, a `;` or the `}` of its block; a `for`
// or `if` ends with its block. A newline may come before the `{` of a block
// and before `else`.
//
//===----------------------------------------------------------------------===//

extension Parser {
  mutating func parseBlock() throws -> [Stmt] {
    skipNewlinesBeforeBrace()
    let open = try expect(.lbrace).location
    guard blockDepth < Self.maxBlockDepth else { throw error(Message.statementTooDeep(Self.maxBlockDepth), at: open) }
    blockDepth += 1
    defer { blockDepth -= 1 }
    var statements: [Stmt] = []
    while true {
      skipNewlines()
      if accept(.rbrace) { return statements }
      if atEnd { throw error(Message.unclosedBlock(open), at: current.location) }
      let statement = try parseStatement()
      statements.append(statement)
      if !statement.kind.endsWithBlock { try expectStatementEnd() }
    }
  }

  private mutating func skipNewlinesBeforeBrace() {
    var ahead = 0
    while peekKind(ahead) == .newline { ahead += 1 }
    if peekKind(ahead) == .punctuator(.lbrace) { position += ahead }
  }

  private mutating func expectStatementEnd() throws {
    guard atNewline || at(.semicolon) || at(.rbrace) || atEnd else {
      throw unexpected("end of statement (a newline or ';')")
    }
  }

  mutating func parseStatement() throws -> Stmt {
    let location = current.location
    switch current.kind {
    case .keyword(.forKw): return Stmt(.forLoop(try parseFor()), at: location)
    case .keyword(.ifKw): return try parseIf()
    case .keyword(.varKw): return try parseVar()
    case .keyword(.begin), .keyword(.end), .keyword(.newline), .keyword(.print), .keyword(.finish): return try parseDumpStatement()
    case .identifier: return try parseAssignment()
    default: throw unexpected("a statement")
    }
  }

  // MARK: for

  private mutating func parseFor() throws -> ForLoop {
    let location = try expect(.forKw).location
    let (iterator, _) = try expectIdentifier("a loop iterator name")
    try expect(.inKw)
    let reverse = accept(.reverse)
    let lower = try parseExpr()
    let inclusive: Bool
    if accept(.closed) {
      inclusive = true
    } else {
      try expect(.halfOpen)
      inclusive = false
    }
    let upper = try parseExpr()
    let step = try parseStep()
    let body = try parseBlock()
    return ForLoop(iterator: iterator, lower: lower, upper: upper, inclusive: inclusive, step: step,
                   reverse: reverse, body: body, location: location)
  }

  private mutating func parseStep() throws -> Int {
    guard accept(.step) else { return 1 }
    let (value, location) = try expectInteger("a positive integer constant after 'step'")
    guard value > 0 else { throw error(Message.zeroStep, at: location) }
    return value
  }

  // MARK: if

  private mutating func parseIf() throws -> Stmt {
    let location = try expect(.ifKw).location
    let condition = try parseExpr()
    let then = try parseBlock()
    guard skipNewlinesBeforeElse() else {
      return Stmt(.ifStmt(condition: condition, then: then, else: nil), at: location)
    }
    try expect(.elseKw)
    let otherwise = at(.ifKw) ? [try parseElseIf()] : try parseBlock()
    return Stmt(.ifStmt(condition: condition, then: then, else: otherwise), at: location)
  }

  /// An `else if`: nested in the tree like a block, so it counts as one.
  private mutating func parseElseIf() throws -> Stmt {
    guard blockDepth < Self.maxBlockDepth else { throw error(Message.statementTooDeep(Self.maxBlockDepth), at: current.location) }
    blockDepth += 1
    defer { blockDepth -= 1 }
    return try parseIf()
  }

  /// Moves to an `else` that follows, possibly on a later line; false if none.
  private mutating func skipNewlinesBeforeElse() -> Bool {
    var ahead = 0
    while peekKind(ahead) == .newline { ahead += 1 }
    guard peekKind(ahead) == .keyword(.elseKw) else { return false }
    position += ahead
    return true
  }

  // MARK: var

  private mutating func parseVar() throws -> Stmt {
    let location = try expect(.varKw).location
    let (name, _) = try expectIdentifier("a variable name")
    try expect(.colon)
    let type = try parseType()
    let dimensions = try parseDimensions()
    let initial = accept(.assign) ? try parseExpr() : nil
    return Stmt(.varDecl(name: name, type: type, dimensions: dimensions, initial: initial), at: location)
  }

  // MARK: Assignments

  private mutating func parseAssignment() throws -> Stmt {
    let location = current.location
    var label: String?
    if case .identifier(let name) = current.kind, peekKind(1) == .punctuator(.colon) {
      label = name
      _ = advance()
      _ = advance()
    }
    let target = try parseLValue()
    guard case .punctuator(let p) = current.kind, let op = p.assignOp else {
      throw unexpected("'=', '+=', '-=', '*=' or '/='")
    }
    _ = advance()
    let value = try parseExpr()
    return Stmt(.assign(label: label, target: target, op: op, value: value), at: location)
  }

  private mutating func parseLValue() throws -> Expr {
    let (name, location) = try expectIdentifier("an array element or variable to assign")
    let subscripts = try parseDimensions()
    return Expr(subscripts.isEmpty ? .name(name) : .access(array: name, subscripts: subscripts), at: location)
  }

  // MARK: Dump statements

  private mutating func parseDumpStatement() throws -> Stmt {
    let token = advance()
    switch token.kind {
    case .keyword(.begin): return Stmt(.dumpBegin(try parseString()), at: token.location)
    case .keyword(.end): return Stmt(.dumpEnd(try parseString()), at: token.location)
    case .keyword(.newline): return Stmt(.dumpNewline, at: token.location)
    case .keyword(.finish): return Stmt(.dumpFinish, at: token.location)
    default: return Stmt(.dumpPrint(try parseExpr()), at: token.location)
    }
  }

  private mutating func parseString() throws -> String {
    guard case .string(let s) = current.kind else { throw unexpected("a string") }
    _ = advance()
    return s
  }
}

extension StmtKind {
  /// `for` and `if` end with a block and need no newline or `;` after it.
  var endsWithBlock: Bool {
    switch self {
    case .forLoop, .ifStmt: return true
    default: return false
    }
  }
}
