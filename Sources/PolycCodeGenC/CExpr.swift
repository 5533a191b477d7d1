//===- CExpr.swift - Loop-language expressions as C text ------------------===//
//
// Prints expressions with C's precedence and only the parentheses the tree
// needs, so the C compiler evaluates exactly the source's operation tree (same
// order of floating-point operations). Math calls pick the `float` variant
// (`sqrtf`) when all arguments are f32, like PolyBench's SQRT_FUN.
//
//===----------------------------------------------------------------------===//

import PolycFrontend

struct CExprPrinter {
  let kernel: CheckedKernel
  /// Replacement text for names (iterators under a new schedule).
  var substitutions: [String: String] = [:]
  /// Types of host variables.
  var locals: [String: ScalarType] = [:]
  /// Replacement text for array elements, keyed by their printed text (`C[c0][c1]` -> a register).
  var accessOverrides: [String: String] = [:]

  enum Prec: Int, Comparable {
    case ternary = 1, or, and, equality, relational, additive, multiplicative, unary, postfix
    static func < (a: Prec, b: Prec) -> Bool { a.rawValue < b.rawValue }
  }

  static func prec(_ op: BinaryOp) -> Prec {
    switch op {
    case .or: return .or
    case .and: return .and
    case .eq, .ne: return .equality
    case .lt, .le, .gt, .ge: return .relational
    case .add, .sub: return .additive
    case .mul, .div, .rem: return .multiplicative
    }
  }

  func print(_ e: Expr) -> String { print(e, min: .ternary) }

  /// Prints `e`, parenthesised if its precedence is below `min`.
  func print(_ e: Expr, min: Prec) -> String {
    let (text, p) = raw(e)
    return p < min ? "(\(text))" : text
  }

  func raw(_ e: Expr) -> (String, Prec) {
    switch e.kind {
    case .intLiteral(let v): return v < 0 ? ("(\(v))", .postfix) : ("\(v)", .postfix)
    case .floatLiteral(let t, let ty): return (ty == .f32 ? Self.floatText(t) + "f" : Self.floatText(t), .postfix)
    case .name(let n): return (substitutions[n] ?? n, .postfix)
    case .access(let a, let subs):
      let text = a + subs.map { "[\(print($0, min: .ternary))]" }.joined()
      return (accessOverrides[text] ?? text, .postfix)
    case .unary(let op, let a):
      let inner = print(a, min: .unary)
      let sep = (op == .neg && inner.hasPrefix("-")) ? " " : ""
      return (op.rawValue + sep + inner, .unary)
    case .binary(let op, let a, let b):
      let p = Self.prec(op)
      return ("\(print(a, min: p)) \(op.rawValue) \(print(b, min: Prec(rawValue: p.rawValue + 1)!))", p)
    case .ternary(let c, let a, let b):
      return ("\(print(c, min: .or)) ? \(print(a, min: .ternary)) : \(print(b, min: .ternary))", .ternary)
    case .cast(let t, let a):
      return ("(\(t.cName))\(print(a, min: .unary))", .unary)
    case .call(let f, let args):
      return (call(f, args), .postfix)
    }
  }

  func call(_ f: String, _ args: [Expr]) -> String {
    let a = args.map { print($0, min: .ternary) }
    switch f {
    case "min", "max":
      let op = f == "min" ? "<" : ">"
      let x = args.map { print($0, min: .postfix) }
      return "(\(x[0]) \(op) \(x[1]) ? \(x[0]) : \(x[1]))"
    case "floordiv": return "polyc_floord(\(a[0]), \(a[1]))"
    case "ceildiv": return "polyc_ceild(\(a[0]), \(a[1]))"
    case "sat_rdhm", "rdiv_pot", "shl", "clamp": return "polyc_\(f)(" + a.joined(separator: ", ") + ")"
    default:
      let allF32 = !args.isEmpty && args.allSatisfy { kernel.valueType(of: $0, locals: locals) == .scalar(.f32) }
      return (allF32 ? f + "f" : f) + "(" + a.joined(separator: ", ") + ")"
    }
  }

  /// Makes sure a floating literal is a floating literal in C (`1` -> `1.0`).
  static func floatText(_ t: String) -> String {
    t.contains(".") || t.contains("e") || t.contains("E") ? t : t + ".0"
  }
}
