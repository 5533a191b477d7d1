//===- AffineText.swift - Affine expressions of the AST as isl text -------===//
//
// Sema has already checked that bounds, guards and subscripts of the kernel
// body are affine; these functions print them in isl's notation. Constant
// sub-expressions are folded (isl wants `2*i`, not `(2)*(i)`), a `max` lower
// bound becomes one constraint per argument (likewise a `min` upper bound), and
// negations are pushed down to the comparisons.
//
//===----------------------------------------------------------------------===//

import PolycFrontend

/// Error raised when a construct cannot be expressed in isl's notation
/// (Sema rejects these first; this is a safety net).
public struct LoweringError: Error, CustomStringConvertible, Sendable {
  /// The source location of the construct.
  public var location: SourceLocation
  /// What cannot be expressed.
  public var message: String
  /// `line:column: error: message`.
  public var description: String { "\(location): error: \(message)" }
}

enum IslNames {
  static let reserved: Swift.Set<String> = [
    "and", "or", "not", "exists", "min", "max", "floor", "ceil", "floord", "ceild", "mod",
    "infty", "NaN", "true", "false", "rat", "implies", "xor", "cst", "domain",
  ]
  /// The isl spelling of a source identifier.
  static func name(_ n: String) -> String { reserved.contains(n) ? n + "_" : n }
}

enum AffineText {
  /// Evaluates an integer constant expression, if it is one (nil when it
  /// overflows; Sema rejects constants outside C `int` first).
  static func constant(_ e: Expr) -> Int? {
    switch e.kind {
    case .intLiteral(let v): return v
    case .unary(.neg, let a): return constant(a).flatMap { $0 == Int.min ? nil : -$0 }
    case .binary(let op, let a, let b):
      guard let x = constant(a), let y = constant(b) else { return nil }
      let (value, overflow): (Int, Bool)
      switch op {
      case .add: (value, overflow) = x.addingReportingOverflow(y)
      case .sub: (value, overflow) = x.subtractingReportingOverflow(y)
      case .mul: (value, overflow) = x.multipliedReportingOverflow(by: y)
      default: return nil
      }
      return overflow ? nil : value
    default: return nil
    }
  }

  static func affine(_ e: Expr) throws -> String {
    if let c = constant(e) { return c < 0 ? "(\(c))" : "\(c)" }
    switch e.kind {
    case .name(let n): return IslNames.name(n)
    case .unary(.neg, let a): return "(-\(try affine(a)))"
    case .binary(.add, let a, let b): return "(\(try affine(a)) + \(try affine(b)))"
    case .binary(.sub, let a, let b): return "(\(try affine(a)) - \(try affine(b)))"
    case .binary(.mul, let a, let b):
      if let c = constant(a) { return "(\(c)*\(try affine(b)))" }
      if let c = constant(b) { return "(\(c)*\(try affine(a)))" }
      throw LoweringError(location: e.location, message: "product of two non-constant expressions is not affine")
    case .call("min", let args) where args.count == 2:
      return "min(\(try affine(args[0])), \(try affine(args[1])))"
    case .call("max", let args) where args.count == 2:
      return "max(\(try affine(args[0])), \(try affine(args[1])))"
    case .call("floordiv", let args) where args.count == 2:
      guard let c = constant(args[1]), c > 0 else { throw LoweringError(location: e.location, message: "floordiv needs a positive constant divisor") }
      return "floor((\(try affine(args[0])))/\(c))"
    case .call("ceildiv", let args) where args.count == 2:
      guard let c = constant(args[1]), c > 0 else { throw LoweringError(location: e.location, message: "ceildiv needs a positive constant divisor") }
      return "ceil((\(try affine(args[0])))/\(c))"
    default:
      throw LoweringError(location: e.location, message: "expression is not affine")
    }
  }

  /// Constraints `v >= lower` (splitting `max`).
  static func lowerBound(_ v: String, _ e: Expr) throws -> [String] {
    if case .call("max", let args) = e.kind, args.count == 2 {
      return try lowerBound(v, args[0]) + lowerBound(v, args[1])
    }
    return ["\(v) >= \(try affine(e))"]
  }

  /// Constraints `v < upper` or `v <= upper` (splitting `min`).
  static func upperBound(_ v: String, _ e: Expr, inclusive: Bool) throws -> [String] {
    if case .call("min", let args) = e.kind, args.count == 2 {
      return try upperBound(v, args[0], inclusive: inclusive) + upperBound(v, args[1], inclusive: inclusive)
    }
    return ["\(v) \(inclusive ? "<=" : "<") \(try affine(e))"]
  }

  /// An affine condition as an isl constraint formula; `negated` pushes a `!` down.
  static func condition(_ e: Expr, negated: Bool = false) throws -> String {
    switch e.kind {
    case .unary(.not, let a): return try condition(a, negated: !negated)
    case .binary(.and, let a, let b):
      let op = negated ? "or" : "and"
      return "(\(try condition(a, negated: negated)) \(op) \(try condition(b, negated: negated)))"
    case .binary(.or, let a, let b):
      let op = negated ? "and" : "or"
      return "(\(try condition(a, negated: negated)) \(op) \(try condition(b, negated: negated)))"
    case .binary(let op, let a, let b) where op.isComparison:
      let l = try affine(a), r = try affine(b)
      switch (op, negated) {
      case (.eq, false), (.ne, true): return "\(l) = \(r)"
      case (.ne, false), (.eq, true): return "(\(l) < \(r) or \(l) > \(r))"
      case (_, false): return "\(l) \(op.rawValue) \(r)"
      default: break
      }
      switch op {
      case .lt: return "\(l) >= \(r)"
      case .le: return "\(l) > \(r)"
      case .gt: return "\(l) <= \(r)"
      case .ge: return "\(l) < \(r)"
      default: return "\(l) <= \(r)"
      }
    default:
      throw LoweringError(location: e.location, message: "condition is not an affine comparison")
    }
  }
}
