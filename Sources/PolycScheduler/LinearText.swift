//===- LinearText.swift - Linear expressions written in strategy files ----===//
//
// Two small grammars:
//   expression := ['+'|'-'] term (('+'|'-') term)*
//   term       := INT | [INT ['*']] NAME
//   NAME       := identifier ('.' identifier)?
//   constraint := expression ('>=' | '<=' | '==' | '=' | '>' | '<') expression
// Fixed schedule rows (`2*t + i + 1`) are expressions over a statement's
// iterators and parameters; custom constraints (`S1.i - S1.j >= 0`) are over
// named schedule coefficients `Statement.iterator`, `Statement.parameter`
// and `Statement.const`.
//
//===----------------------------------------------------------------------===//

enum LinearText {
  struct ParseError: Error { var message: String }

  /// The largest number written in a row or constraint: schedule coefficients
  /// are small, and sums of such numbers cannot overflow.
  static let maxNumber = 1_000_000

  /// `sum(coefficient * name) + constant`.
  struct Linear: Equatable {
    var terms: [(name: String, coefficient: Int)] = []
    var constant = 0
    static func == (a: Linear, b: Linear) -> Bool {
      a.constant == b.constant && a.terms.map(\.name) == b.terms.map(\.name) && a.terms.map(\.coefficient) == b.terms.map(\.coefficient)
    }
    mutating func add(_ name: String, _ c: Int) {
      if let i = terms.firstIndex(where: { $0.name == name }) { terms[i].coefficient += c } else { terms.append((name, c)) }
    }
    func scaled(_ k: Int) -> Linear {
      Linear(terms: terms.map { ($0.name, $0.coefficient * k) }, constant: constant * k)
    }
    static func + (a: Linear, b: Linear) -> Linear {
      var r = a
      for t in b.terms { r.add(t.name, t.coefficient) }
      r.constant += b.constant
      return r
    }
  }

  enum Token: Equatable { case int(Int), name(String), op(String) }

  static func tokens(_ text: String) throws -> [Token] {
    var out: [Token] = []
    let chars = Array(text)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == " " || c == "\t" { i += 1; continue }
      if c.isNumber {
        var j = i
        while j < chars.count, chars[j].isNumber { j += 1 }
        guard let v = Int(String(chars[i..<j])), v <= maxNumber else {
          throw ParseError(message: "number too large in '\(text)' (at most \(maxNumber))")
        }
        out.append(.int(v))
        i = j
      } else if c.isLetter || c == "_" {
        var j = i
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." { j += 1 }
        out.append(.name(String(chars[i..<j])))
        i = j
      } else if "<>=".contains(c) {
        if i + 1 < chars.count, chars[i + 1] == "=" { out.append(.op(String([c, "="]))); i += 2 } else { out.append(.op(String(c))); i += 1 }
      } else if "+-*".contains(c) {
        out.append(.op(String(c)))
        i += 1
      } else {
        throw ParseError(message: "unexpected character '\(c)' in '\(text)'")
      }
    }
    return out
  }

  static func expression(_ text: String) throws -> Linear {
    let toks = try tokens(text)
    var pos = 0
    let e = try parseExpression(toks, &pos, text)
    guard pos == toks.count else { throw ParseError(message: "unexpected '\(show(toks[pos]))' in '\(text)'") }
    return e
  }

  static func constraint(_ text: String, keyPath: String) throws -> CustomConstraint {
    let toks = try tokens(text)
    var pos = 0
    let lhs = try parseExpression(toks, &pos, text)
    guard pos < toks.count, case .op(let rel) = toks[pos], ["<=", ">=", "==", "=", "<", ">"].contains(rel) else {
      throw ParseError(message: "expected a comparison (>=, <=, ==, >, <) in '\(text)'")
    }
    pos += 1
    let rhs = try parseExpression(toks, &pos, text)
    guard pos == toks.count else { throw ParseError(message: "unexpected '\(show(toks[pos]))' in '\(text)'") }
    var form: Linear
    switch rel {
    case ">=", "==", "=": form = lhs + rhs.scaled(-1)
    case ">": form = lhs + rhs.scaled(-1); form.constant -= 1
    case "<=": form = rhs + lhs.scaled(-1)
    default: form = rhs + lhs.scaled(-1); form.constant -= 1
    }
    var terms: [CustomConstraint.Term] = []
    for t in form.terms where t.coefficient != 0 {
      let parts = t.name.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw ParseError(message: "'\(t.name)' is not a schedule coefficient (write Statement.iterator, Statement.parameter or Statement.const)")
      }
      terms.append(.init(coefficient: t.coefficient, statement: String(parts[0]), name: String(parts[1])))
    }
    if terms.isEmpty { throw ParseError(message: "'\(text)' names no schedule coefficient") }
    return CustomConstraint(text: text, terms: terms, constant: form.constant, isEquality: rel == "==" || rel == "=", keyPath: keyPath)
  }

  static func show(_ t: Token) -> String {
    switch t {
    case .int(let v): return "\(v)"
    case .name(let n): return n
    case .op(let o): return o
    }
  }

  static func parseExpression(_ toks: [Token], _ pos: inout Int, _ text: String) throws -> Linear {
    var result = Linear()
    var sign = 1
    if pos < toks.count, case .op(let o) = toks[pos], o == "+" || o == "-" { sign = o == "-" ? -1 : 1; pos += 1 }
    while true {
      try parseTerm(toks, &pos, text, sign, into: &result)
      guard pos < toks.count, case .op(let o) = toks[pos], o == "+" || o == "-" else { break }
      sign = o == "-" ? -1 : 1
      pos += 1
    }
    return result
  }

  static func parseTerm(_ toks: [Token], _ pos: inout Int, _ text: String, _ sign: Int, into r: inout Linear) throws {
    guard pos < toks.count else { throw ParseError(message: "expression ends early in '\(text)'") }
    switch toks[pos] {
    case .int(let v):
      pos += 1
      if pos < toks.count, case .op("*") = toks[pos] { pos += 1 }
      if pos < toks.count, case .name(let n) = toks[pos] {
        pos += 1
        r.add(n, sign * v)
      } else {
        r.constant += sign * v
      }
    case .name(let n):
      pos += 1
      r.add(n, sign)
    case .op(let o):
      throw ParseError(message: "unexpected '\(o)' in '\(text)'")
    }
  }
}
