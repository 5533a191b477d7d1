//===- ASTPrinter.swift - Print a syntax tree back as .loop source --------===//
//
// `ASTPrinter.print` writes a `SourceFile` as valid `.loop` text in a canonical
// layout (two-space indentation, one statement per line, the fewest
// parentheses that keep the tree). Parsing the output gives back the same
// tree, locations aside. Diagnostics use `ASTPrinter.text(of:)` to quote
// expressions.
//
//===----------------------------------------------------------------------===//

package enum ASTPrinter {
  package static func print(_ file: SourceFile) -> String {
    var out = "kernel \(file.kernelName)(\(file.parameters.map(parameterText).joined(separator: ", "))) {\n"
    out += statementsText(file.body, indent: 1)
    out += "}\n"
    if !file.assumptions.isEmpty {
      out += "\nassume " + file.assumptions.map(text(of:)).joined(separator: ", ") + "\n"
    }
    if !file.datasets.isEmpty { out += "\n" + file.datasets.map(datasetText).joined() }
    if !file.initBody.isEmpty { out += "\ninit {\n" + statementsText(file.initBody, indent: 1) + "}\n" }
    if !file.dumpBody.isEmpty { out += "\ndump {\n" + statementsText(file.dumpBody, indent: 1) + "}\n" }
    return out
  }

  /// One expression as source text, e.g. `A[i * k]`.
  package static func text(of expr: Expr) -> String {
    text(of: expr, context: .lowest)
  }

  // MARK: Declarations

  static func parameterText(_ p: ParamDecl) -> String {
    switch p.kind {
    case .size: return p.name
    case .scalar(let type): return "\(p.name): \(type.rawValue)"
    case .array(let role, let type, let dimensions):
      return "\(p.name): \(role.rawValue) \(type.rawValue)\(dimensionsText(dimensions))"
    }
  }

  static func dimensionsText(_ dimensions: [Expr]) -> String {
    dimensions.map { "[\(text(of: $0))]" }.joined()
  }

  static func datasetText(_ d: DatasetDecl) -> String {
    let values = d.order.map { "\($0) = \(d.values[$0] ?? 0)" }.joined(separator: ", ")
    return "dataset \(d.name): \(values)\n"
  }

  // MARK: Statements

  static func statementsText(_ statements: [Stmt], indent: Int) -> String {
    statements.map { statementText($0, indent: indent) }.joined()
  }

  static func statementText(_ s: Stmt, indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    switch s.kind {
    case .assign(let label, let target, let op, let value):
      let prefix = label.map { "\($0): " } ?? ""
      return "\(pad)\(prefix)\(text(of: target)) \(op.rawValue) \(text(of: value))\n"
    case .forLoop(let loop):
      return pad + forHeader(loop) + " {\n" + statementsText(loop.body, indent: indent + 1) + pad + "}\n"
    case .ifStmt(let condition, let then, let otherwise):
      return pad + ifText(condition, then, otherwise, indent: indent) + "\n"
    case .varDecl(let name, let type, let dimensions, let initial):
      let initText = initial.map { " = \(text(of: $0))" } ?? ""
      return "\(pad)var \(name): \(type.rawValue)\(dimensionsText(dimensions))\(initText)\n"
    case .dumpBegin(let name): return "\(pad)begin \"\(name)\"\n"
    case .dumpEnd(let name): return "\(pad)end \"\(name)\"\n"
    case .dumpNewline: return "\(pad)newline\n"
    case .dumpFinish: return "\(pad)finish\n"
    case .dumpPrint(let e): return "\(pad)print \(text(of: e))\n"
    }
  }

  static func forHeader(_ loop: ForLoop) -> String {
    let range = loop.inclusive ? "..." : "..<"
    let reverse = loop.reverse ? "reverse " : ""
    let step = loop.step != 1 ? " step \(loop.step)" : ""
    return "for \(loop.iterator) in \(reverse)\(text(of: loop.lower)) \(range) \(text(of: loop.upper))\(step)"
  }

  /// `if c { ... } else if ... { ... } else { ... }` without the final newline.
  static func ifText(_ condition: Expr, _ then: [Stmt], _ otherwise: [Stmt]?, indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    var out = "if \(text(of: condition)) {\n" + statementsText(then, indent: indent + 1) + pad + "}"
    guard let otherwise else { return out }
    if otherwise.count == 1, case .ifStmt(let c, let t, let e) = otherwise[0].kind {
      out += " else " + ifText(c, t, e, indent: indent)
    } else {
      out += " else {\n" + statementsText(otherwise, indent: indent + 1) + pad + "}"
    }
    return out
  }

  // MARK: Expressions

  /// Binding strength, loosest first; an operand is parenthesised when it
  /// binds more loosely than its position allows.
  enum Precedence: Int, Comparable {
    case lowest, ternary, or, and, comparison, additive, multiplicative, unary, postfix
    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
  }

  static func precedence(of op: BinaryOp) -> Precedence {
    switch op {
    case .or: return .or
    case .and: return .and
    case .lt, .le, .gt, .ge, .eq, .ne: return .comparison
    case .add, .sub: return .additive
    case .mul, .div, .rem: return .multiplicative
    }
  }

  static func precedence(of expr: Expr) -> Precedence {
    switch expr.kind {
    case .ternary: return .ternary
    case .binary(let op, _, _): return precedence(of: op)
    case .unary: return .unary
    case .intLiteral(let v) where v < 0: return .unary
    default: return .postfix
    }
  }

  /// `expr` printed where an expression of at least `context` is required.
  static func text(of expr: Expr, context: Precedence) -> String {
    let body = bareText(of: expr)
    return precedence(of: expr) < context ? "(\(body))" : body
  }

  static func bareText(of expr: Expr) -> String {
    switch expr.kind {
    case .intLiteral(let v): return String(v)
    case .floatLiteral(let t, let type): return t + (type == .f32 ? "f" : "")
    case .name(let n): return n
    case .access(let array, let subscripts): return array + dimensionsText(subscripts)
    case .unary(let op, let e): return op.rawValue + text(of: e, context: .unary)
    case .binary(let op, let l, let r): return binaryText(op, l, r)
    case .ternary(let c, let a, let b):
      return "\(text(of: c, context: .or)) ? \(text(of: a)) : \(text(of: b, context: .ternary))"
    case .call(let f, let args): return "\(f)(\(args.map(text(of:)).joined(separator: ", ")))"
    case .cast(let type, let e): return "\(type.rawValue)(\(text(of: e)))"
    }
  }

  /// Left-associative operators keep a left operand of the same level bare;
  /// comparisons do not chain, so both their operands must bind tighter.
  static func binaryText(_ op: BinaryOp, _ l: Expr, _ r: Expr) -> String {
    let level = precedence(of: op)
    let tighter = Precedence(rawValue: level.rawValue + 1)!
    let left = text(of: l, context: level == .comparison ? tighter : level)
    return "\(left) \(op.rawValue) \(text(of: r, context: tighter))"
  }
}
