//===- ExprText.swift - Compact source-like text of expressions -----------===//

import PolycFrontend

/// Prints expressions in loop-language syntax, fully parenthesised where the
/// nesting needs it. Used by readable dumps (`--emit scop`, diagnostics).
package enum ExprText {
  package static func statement(_ target: Expr, _ op: AssignOp, _ value: Expr) -> String {
    "\(expr(target)) \(op.rawValue) \(expr(value))"
  }

  package static func expr(_ e: Expr) -> String {
    switch e.kind {
    case .intLiteral(let v): return "\(v)"
    case .floatLiteral(let t, let ty): return ty == .f32 ? t + "f" : t
    case .name(let n): return n
    case .access(let a, let subs): return a + subs.map { "[\(expr($0))]" }.joined()
    case .unary(let op, let a): return op.rawValue + atom(a)
    case .binary(let op, let a, let b): return "\(atom(a)) \(op.rawValue) \(atom(b))"
    case .ternary(let c, let a, let b): return "\(atom(c)) ? \(atom(a)) : \(atom(b))"
    case .call(let f, let args): return f + "(" + args.map(expr).joined(separator: ", ") + ")"
    case .cast(let t, let a): return "\(t.rawValue)(\(expr(a)))"
    }
  }

  static func atom(_ e: Expr) -> String {
    switch e.kind {
    case .binary, .ternary, .unary: return "(\(expr(e)))"
    case .intLiteral(let v) where v < 0: return "(\(v))"
    default: return expr(e)
    }
  }
}
