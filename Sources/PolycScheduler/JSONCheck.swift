//===- JSONCheck.swift - Strict JSON syntax check with positions ----------===//
//
// Foundation's JSON reader reports syntax errors by character offset and
// silently keeps the last of two equal keys. Strategy files are written by
// hand, so before Foundation reads one, this scanner checks it against RFC
// 8259 and reports the first problem at its line and column: a syntax error,
// a duplicate key (by its key path, `tiling.sizes`), or nesting deeper than
// `maxDepth`. It builds no values; `StrategyParser` reads those from
// Foundation's result.
//
//===----------------------------------------------------------------------===//

/// A problem found by `JSONCheck`: a key path (empty for a syntax error), a
/// message and the 1-based line and column it refers to.
struct JSONProblem: Error {
  var keyPath: String
  var message: String
  var line: Int
  var column: Int
}

struct JSONCheck {
  /// The deepest nesting of objects and lists accepted.
  static let maxDepth = 64

  private let bytes: [UInt8]
  private var i = 0

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Checks `bytes`; throws the first `JSONProblem`.
  static func check(_ bytes: [UInt8]) throws {
    var scanner = JSONCheck(bytes)
    scanner.skipSpace()
    try scanner.value(keyPath: "", depth: 0)
    scanner.skipSpace()
    guard scanner.i == bytes.count else { throw scanner.problem("unexpected text after the JSON value") }
  }

  private func position(_ offset: Int) -> (Int, Int) {
    var line = 1, column = 1
    for b in bytes[..<min(offset, bytes.count)] {
      if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }
    return (line, column)
  }

  private func problem(_ message: String, keyPath: String = "", at offset: Int? = nil) -> JSONProblem {
    let (line, column) = position(offset ?? i)
    return JSONProblem(keyPath: keyPath, message: message, line: line, column: column)
  }

  private var found: String {
    guard i < bytes.count else { return "the end of the file" }
    let b = bytes[i]
    return b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
  }

  private mutating func skipSpace() {
    while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
  }

  private mutating func value(keyPath: String, depth: Int) throws {
    guard i < bytes.count else { throw problem("expected a value, found the end of the file") }
    switch bytes[i] {
    case UInt8(ascii: "{"): try object(keyPath: keyPath, depth: depth + 1)
    case UInt8(ascii: "["): try list(keyPath: keyPath, depth: depth + 1)
    case UInt8(ascii: "\""): try string()
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
    case UInt8(ascii: "t"): try literal("true")
    case UInt8(ascii: "f"): try literal("false")
    case UInt8(ascii: "n"): try literal("null")
    default: throw problem("expected a value, found \(found)")
    }
  }

  private mutating func enter(_ depth: Int) throws {
    guard depth <= Self.maxDepth else { throw problem("nesting too deep (more than \(Self.maxDepth) levels)") }
    i += 1
    skipSpace()
  }

  private mutating func object(keyPath: String, depth: Int) throws {
    try enter(depth)
    var seen: [String: Int] = [:]
    if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
    while true {
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw problem("expected a key in quotes, found \(found)") }
      let keyStart = i
      let key = try string()
      let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
      if let first = seen[key] {
        throw problem("duplicate key (first at line \(position(first).0))", keyPath: path, at: keyStart)
      }
      seen[key] = keyStart
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw problem("expected ':' after the key, found \(found)") }
      i += 1
      skipSpace()
      try value(keyPath: path, depth: depth)
      skipSpace()
      guard i < bytes.count else { throw problem("expected ',' or '}', found the end of the file") }
      if bytes[i] == UInt8(ascii: "}") { i += 1; return }
      guard bytes[i] == UInt8(ascii: ",") else { throw problem("expected ',' or '}', found \(found)") }
      i += 1
      skipSpace()
    }
  }

  private mutating func list(keyPath: String, depth: Int) throws {
    try enter(depth)
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
    var index = 0
    while true {
      try value(keyPath: "\(keyPath)[\(index)]", depth: depth)
      skipSpace()
      guard i < bytes.count else { throw problem("expected ',' or ']', found the end of the file") }
      if bytes[i] == UInt8(ascii: "]") { i += 1; return }
      guard bytes[i] == UInt8(ascii: ",") else { throw problem("expected ',' or ']', found \(found)") }
      i += 1
      skipSpace()
      index += 1
    }
  }

  /// A string; returns its bytes between the quotes (escapes kept as written,
  /// enough to compare keys as written).
  @discardableResult
  private mutating func string() throws -> String {
    let start = i
    i += 1
    while i < bytes.count {
      let b = bytes[i]
      if b == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: bytes[(start + 1)..<(i - 1)], as: UTF8.self)
      }
      guard b >= 0x20 else { throw problem("control character in a string (write it as an escape such as \\n)") }
      if b == UInt8(ascii: "\\") { try escape() } else { i += 1 }
    }
    throw problem("unterminated string", at: start)
  }

  private mutating func escape() throws {
    i += 1
    guard i < bytes.count else { throw problem("unterminated string") }
    if bytes[i] == UInt8(ascii: "u") {
      let hex = bytes[(i + 1)..<min(i + 5, bytes.count)]
      guard hex.count == 4, hex.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }) else {
        throw problem("expected four hexadecimal digits after '\\u'")
      }
      i += 5
      return
    }
    guard Array("\"\\/bfnrt".utf8).contains(bytes[i]) else { throw problem("invalid escape '\\\(found.dropFirst().dropLast())' in a string") }
    i += 1
  }

  private mutating func digits() -> Int {
    let start = i
    while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
    return i - start
  }

  private mutating func number() throws {
    let start = i
    if bytes[i] == UInt8(ascii: "-") { i += 1 }
    let leadingZero = i < bytes.count && bytes[i] == UInt8(ascii: "0")
    let integer = digits()
    guard integer > 0, !(leadingZero && integer > 1) else { throw problem("invalid number", at: start) }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard digits() > 0 else { throw problem("expected digits after the decimal point") }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      guard digits() > 0 else { throw problem("expected digits in the exponent") }
    }
  }

  private mutating func literal(_ word: String) throws {
    let w = Array(word.utf8)
    guard bytes.count - i >= w.count, Array(bytes[i..<(i + w.count)]) == w else {
      throw problem("expected a value, found \(found)")
    }
    i += w.count
  }
}
