//===- ISLASTPrinter.swift - isl's AST (as Swift values) to C -------------===//
//
// Prints the loop structure isl generated. A user node `S0(c0, c1)` becomes the
// statement's own text with its source iterators replaced by the argument
// expressions. Marks placed by the transforms (`parallel`, `simd`) become
// OpenMP pragmas on the loop right below them; any other mark is transparent.
//
//===----------------------------------------------------------------------===//

import Frontend
import ISL
import Model

struct ISLASTPrinter {
  let scop: Scop
  var openMP: Bool = true
  private let statements: [String: StatementInfo]

  init(scop: Scop, openMP: Bool = true) {
    self.scop = scop
    self.openMP = openMP
    var s: [String: StatementInfo] = [:]
    for st in scop.statements { s[st.name] = st }
    statements = s
  }

  func print(_ node: ASTNode, indent: Int) throws -> String {
    var out = ""
    try emit(node, indent: indent, pragma: nil, into: &out)
    return out
  }

  private func pad(_ n: Int) -> String { String(repeating: "  ", count: n) }

  private func emit(_ node: ASTNode, indent: Int, pragma: String?, into out: inout String) throws {
    switch node {
    case .block(let children):
      for c in children { try emit(c, indent: indent, pragma: nil, into: &out) }
    case .mark(let name, let child):
      try emit(child, indent: indent, pragma: openMP ? Self.pragma(forMark: name) : nil, into: &out)
    case .ifStmt(let cond, let then, let otherwise):
      out += pad(indent) + "if (\(expr(cond))) {\n"
      try emit(then, indent: indent + 1, pragma: nil, into: &out)
      if let otherwise {
        out += pad(indent) + "} else {\n"
        try emit(otherwise, indent: indent + 1, pragma: nil, into: &out)
      }
      out += pad(indent) + "}\n"
    case .forLoop(let it, let initial, let cond, let inc, let body, let degenerate):
      if degenerate {
        out += pad(indent) + "{\n" + pad(indent + 1) + "const int \(it) = \(expr(initial));\n"
        try emit(body, indent: indent + 1, pragma: nil, into: &out)
        out += pad(indent) + "}\n"
        return
      }
      if let pragma { out += pad(indent) + pragma + "\n" }
      let step = inc == .int(1) ? "\(it)++" : "\(it) += \(expr(inc))"
      out += pad(indent) + "for (int \(it) = \(expr(initial)); \(expr(cond)); \(step)) {\n"
      try emit(body, indent: indent + 1, pragma: nil, into: &out)
      out += pad(indent) + "}\n"
    case .user(let e):
      out += pad(indent) + (try statementText(e)) + "\n"
    }
  }

  static func pragma(forMark name: String) -> String? {
    switch name {
    case "parallel": return "#pragma omp parallel for"
    case "simd": return "#pragma omp simd"
    case "ivdep": return "#pragma GCC ivdep"
    default: return nil
    }
  }

  func statementText(_ e: ASTExpr) throws -> String {
    guard case .op(.call, let parts) = e, case .id(let name)? = parts.first, let st = statements[name] else {
      throw CodeGenError.unexpectedAST("\(e)")
    }
    let args = parts.dropFirst().map { atom($0) }
    guard args.count == st.iterators.count else { throw CodeGenError.unexpectedAST("\(name) arity") }
    var p = CExprPrinter(kernel: scop.kernel)
    for (it, a) in zip(st.iterators, args) { p.substitutions[it] = a }
    return "\(p.print(st.target)) \(st.op.rawValue) \(p.print(st.value));"
  }

  func atom(_ e: ASTExpr) -> String {
    switch e {
    case .int(let v): return v < 0 ? "(\(v))" : "\(v)"
    case .id(let s): return s
    default: return "(\(expr(e)))"
    }
  }

  func expr(_ e: ASTExpr) -> String {
    switch e {
    case .int(let v): return "\(v)"
    case .id(let s): return s
    case .op(let op, let a):
      switch op {
      case .and, .andThen: return "\(atom(a[0])) && \(atom(a[1]))"
      case .or, .orElse: return "\(atom(a[0])) || \(atom(a[1]))"
      case .max: return a.dropFirst().reduce(expr(a[0])) { "polyc_max(\($0), \(expr($1)))" }
      case .min: return a.dropFirst().reduce(expr(a[0])) { "polyc_min(\($0), \(expr($1)))" }
      case .minus: return "-\(atom(a[0]))"
      case .add: return "\(atom(a[0])) + \(atom(a[1]))"
      case .sub: return "\(atom(a[0])) - \(atom(a[1]))"
      case .mul: return "\(atom(a[0])) * \(atom(a[1]))"
      case .div, .pdivQ: return "\(atom(a[0])) / \(atom(a[1]))"
      case .fdivQ: return "polyc_floord(\(expr(a[0])), \(expr(a[1])))"
      case .pdivR, .zdivR: return "\(atom(a[0])) % \(atom(a[1]))"
      case .cond, .select: return "\(atom(a[0])) ? \(atom(a[1])) : \(atom(a[2]))"
      case .eq: return "\(atom(a[0])) == \(atom(a[1]))"
      case .le: return "\(atom(a[0])) <= \(atom(a[1]))"
      case .lt: return "\(atom(a[0])) < \(atom(a[1]))"
      case .ge: return "\(atom(a[0])) >= \(atom(a[1]))"
      case .gt: return "\(atom(a[0])) > \(atom(a[1]))"
      case .call: return expr(a[0]) + "(" + a.dropFirst().map(expr).joined(separator: ", ") + ")"
      case .access: return expr(a[0]) + a.dropFirst().map { "[\(expr($0))]" }.joined()
      case .member: return "\(atom(a[0])).\(expr(a[1]))"
      case .addressOf: return "&\(atom(a[0]))"
      }
    }
  }
}

public enum CodeGenError: Error, CustomStringConvertible, Sendable {
  case unexpectedAST(String)
  case unknownDataset(String, available: [String])
  case noDatasets(String)
  public var description: String {
    switch self {
    case .unexpectedAST(let s): return "internal error: unexpected isl AST node \(s)"
    case .unknownDataset(let d, let avail): return "unknown dataset '\(d)' (available: \(avail.joined(separator: ", ")))"
    case .noDatasets(let k): return "kernel '\(k)' declares no dataset; add a 'dataset' line"
    }
  }
}
