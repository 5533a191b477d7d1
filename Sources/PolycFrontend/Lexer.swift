//===- Lexer.swift - Tokens of the polyc loop language --------------------===//
//
// Splits a `.loop` file into tokens (docs/language.md, "Lexical structure").
// Newlines are tokens because they end statements, except where the language
// says a statement cannot end: inside `( )` and `[ ]`, and right after a binary
// operator, `=`, a compound assignment, `?`, `:`, `,` or `{`. The lexer drops
// those newlines, so the parser sees a newline token only where a statement
// may end.
//
//===----------------------------------------------------------------------===//

enum Keyword: String, CaseIterable {
  case kernel, inKw = "in", out, inoutKw = "inout", forKw = "for", reverse, step, ifKw = "if"
  case elseKw = "else", varKw = "var", assume, dataset, initKw = "init", dump
  case begin, end, newline, print, finish
  case int, char, i8, i16, i32, i64, f32, f64

  /// The element type a type keyword names (`int` is `i32`), or nil.
  var scalarType: ScalarType? {
    self == .int ? .i32 : ScalarType(rawValue: rawValue)
  }
}

enum Punctuator: String, CaseIterable {
  case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
  case comma = ",", colon = ":", semicolon = ";", question = "?"
  case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
  case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
  case and = "&&", or = "||", bang = "!"
  case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
  case halfOpen = "..<", closed = "..."

  /// Punctuators after which a newline does not end a statement.
  var continuesLine: Bool {
    switch self {
    case .rparen, .rbracket, .rbrace, .semicolon: return false
    default: return true
    }
  }

  var binaryOp: BinaryOp? { BinaryOp(rawValue: rawValue) }
  var assignOp: AssignOp? { AssignOp(rawValue: rawValue) }
}

enum TokenKind: Equatable {
  case identifier(String)
  case keyword(Keyword)
  case integer(Int)
  case float(text: String, type: ScalarType)
  case string(String)
  case punctuator(Punctuator)
  case newline
  case endOfFile
}

struct Token: Equatable {
  var kind: TokenKind
  var location: SourceLocation

  /// How the token is named in "expected ..., found ..." messages.
  var spelling: String {
    switch kind {
    case .identifier(let name): return "'\(name)'"
    case .keyword(let k): return "'\(k.rawValue)'"
    case .integer(let v): return "'\(v)'"
    case .float(let text, let type): return "'\(text)\(type == .f32 ? "f" : "")'"
    case .string(let s): return "\"\(s)\""
    case .punctuator(let p): return "'\(p.rawValue)'"
    case .newline: return "end of line"
    case .endOfFile: return "end of file"
    }
  }
}

/// Turns source text into tokens; throws a `Diagnostic` on a lexical error.
struct Lexer {
  private let bytes: [UInt8]
  private let text: String
  private let path: String
  private var index = 0
  private var line = 1
  private var lineStart = 0
  private var nesting = 0
  private var tokens: [Token] = []
  private var endOfLastToken: SourceLocation?

  init(text: String, path: String) {
    self.text = text
    self.path = path
    self.bytes = Array(text.utf8)
  }

  static func tokenize(_ text: String, path: String) throws -> [Token] {
    var lexer = Lexer(text: text, path: path)
    return try lexer.run()
  }

  private mutating func run() throws -> [Token] {
    while true {
      try skipSpacesAndComments()
      guard index < bytes.count else { break }
      if bytes[index] == UInt8(ascii: "\n") {
        lexNewline()
      } else {
        let start = here
        let kind = try lexToken()
        append(kind, at: start)
      }
    }
    tokens.append(Token(kind: .endOfFile, location: endOfLastToken ?? here))
    return tokens
  }

  // MARK: Positions

  private var here: SourceLocation {
    SourceLocation(line: line, column: index - lineStart + 1, offset: index)
  }

  private func peek(_ ahead: Int = 0) -> UInt8? {
    index + ahead < bytes.count ? bytes[index + ahead] : nil
  }

  private func error(_ message: String, at location: SourceLocation) -> Diagnostic {
    Diagnostic(path: path, location: location, message: message, text: text)
  }

  private mutating func append(_ kind: TokenKind, at location: SourceLocation) {
    tokens.append(Token(kind: kind, location: location))
    endOfLastToken = here
    trackNesting(kind)
  }

  private mutating func trackNesting(_ kind: TokenKind) {
    guard case .punctuator(let p) = kind else { return }
    switch p {
    case .lparen, .lbracket: nesting += 1
    case .rparen, .rbracket: nesting = max(nesting - 1, 0)
    case .lbrace, .rbrace: nesting = 0
    default: break
    }
  }

  // MARK: Newlines, spaces and comments

  private mutating func lexNewline() {
    let location = here
    index += 1
    line += 1
    lineStart = index
    if newlineEndsStatement { tokens.append(Token(kind: .newline, location: location)) }
  }

  private var newlineEndsStatement: Bool {
    guard nesting == 0, let last = tokens.last else { return false }
    switch last.kind {
    case .newline: return false
    case .punctuator(let p): return !p.continuesLine
    default: return true
    }
  }

  private mutating func skipSpacesAndComments() throws {
    while let c = peek() {
      if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
        index += 1
      } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
        while let d = peek(), d != UInt8(ascii: "\n") { index += 1 }
      } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
        try skipBlockComment()
      } else {
        return
      }
    }
  }

  /// Skips `/* ... */`; a newline inside the comment separates statements
  /// like any other newline.
  private mutating func skipBlockComment() throws {
    let start = here
    index += 2
    var sawNewline = false
    while true {
      guard let c = peek() else { throw error(Message.unterminatedComment, at: start) }
      if c == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
        index += 2
        break
      }
      if c == UInt8(ascii: "\n") {
        if !sawNewline && newlineEndsStatement { tokens.append(Token(kind: .newline, location: here)) }
        sawNewline = true
        line += 1
        lineStart = index + 1
      }
      index += 1
    }
  }

  // MARK: Tokens

  private mutating func lexToken() throws -> TokenKind {
    let c = bytes[index]
    if isIdentifierStart(c) || (isDigit(c) && followsKernelKeyword) { return lexWord() }
    if isDigit(c) { return try lexNumber() }
    if c == UInt8(ascii: "\"") { return try lexString() }
    return try lexPunctuator()
  }

  /// `kernel 2mm(`: a kernel name may start with a digit.
  private var followsKernelKeyword: Bool {
    tokens.last?.kind == .keyword(.kernel)
  }

  private mutating func lexWord() -> TokenKind {
    let start = index
    while let c = peek(), isIdentifierStart(c) || isDigit(c) { index += 1 }
    let word = String(decoding: bytes[start..<index], as: UTF8.self)
    if !followsKernelKeyword, let keyword = Keyword(rawValue: word) { return .keyword(keyword) }
    return .identifier(word)
  }

  private mutating func lexNumber() throws -> TokenKind {
    let start = here
    let digitsStart = index
    skipDigits()
    var isFloat = false
    if peek() == UInt8(ascii: "."), peek(1) != UInt8(ascii: ".") {
      isFloat = true
      index += 1
      skipDigits()
    }
    if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      isFloat = true
      try lexExponent()
    }
    let spelling = String(decoding: bytes[digitsStart..<index], as: UTF8.self)
    if isFloat && peek() == UInt8(ascii: "f") && !isWordCharacter(peek(1)) {
      index += 1
      try rejectSuffix()
      return .float(text: spelling, type: .f32)
    }
    try rejectSuffix()
    if isFloat { return .float(text: spelling, type: .f64) }
    guard let value = Int32(spelling) else { throw error(Message.integerTooLarge, at: start) }
    return .integer(Int(value))
  }

  private mutating func lexExponent() throws {
    index += 1
    if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
    guard let d = peek(), isDigit(d) else { throw error(Message.malformedExponent, at: here) }
    skipDigits()
  }

  private mutating func rejectSuffix() throws {
    guard let c = peek(), isIdentifierStart(c) || isDigit(c) else { return }
    let start = here
    let suffixStart = index
    while let d = peek(), isWordCharacter(d) { index += 1 }
    throw error(Message.invalidSuffix(String(decoding: bytes[suffixStart..<index], as: UTF8.self)), at: start)
  }

  private mutating func skipDigits() {
    while let c = peek(), isDigit(c) { index += 1 }
  }

  private mutating func lexString() throws -> TokenKind {
    let start = here
    index += 1
    let contentStart = index
    while let c = peek(), c != UInt8(ascii: "\"") {
      if c == UInt8(ascii: "\n") { break }
      index += 1
    }
    guard peek() == UInt8(ascii: "\"") else { throw error(Message.unterminatedString, at: start) }
    let content = String(decoding: bytes[contentStart..<index], as: UTF8.self)
    index += 1
    return .string(content)
  }

  private mutating func lexPunctuator() throws -> TokenKind {
    let start = here
    for length in [3, 2, 1] where index + length <= bytes.count {
      let candidate = String(decoding: bytes[index..<index + length], as: UTF8.self)
      if let p = Punctuator(rawValue: candidate) {
        index += length
        return .punctuator(p)
      }
    }
    throw error(strayCharacterMessage(), at: start)
  }

  private func strayCharacterMessage() -> String {
    switch bytes[index] {
    case UInt8(ascii: "."):
      return peek(1) == UInt8(ascii: ".") ? Message.twoDots : Message.unexpectedCharacter(".")
    case UInt8(ascii: "&"): return Message.didYouMean("&", "&&")
    case UInt8(ascii: "|"): return Message.didYouMean("|", "||")
    default: return Message.unexpectedCharacter(currentCharacter())
    }
  }

  private func currentCharacter() -> String {
    let rest = String(decoding: bytes[index..<min(index + 4, bytes.count)], as: UTF8.self)
    return rest.first.map(String.init) ?? "?"
  }
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

private func isIdentifierStart(_ c: UInt8) -> Bool {
  (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    || c == UInt8(ascii: "_")
}

private func isWordCharacter(_ c: UInt8?) -> Bool {
  guard let c else { return false }
  return isIdentifierStart(c) || isDigit(c)
}
