//===- SemaExpr.swift - Types and affinity of expressions -----------------===//
//
// `typeOf` resolves the names of an expression, checks arities and operand
// types, and returns its C type (the usual arithmetic conversions, as in
// `CheckedKernel.valueType`). In the kernel body it also requires affine
// subscripts.
//
// An affine expression (isl's quasi-affine, restricted) is built from integer
// constants, iterators and size parameters with `+`, `-`, unary `-`,
// multiplication by a constant expression, and `floordiv`/`ceildiv` by a
// positive integer constant; loop bounds may also use `min` and `max`.
//
//===----------------------------------------------------------------------===//

/// The built-in functions and their number of arguments.
enum Builtin {
  static let arity: [String: Int] = [
    "sqrt": 1, "exp": 1, "log": 1, "fabs": 1, "sin": 1, "cos": 1, "tan": 1, "floor": 1, "ceil": 1,
    "pow": 2, "min": 2, "max": 2, "floordiv": 2, "ceildiv": 2,
    // Quantization intrinsics (gemmlowp/TFLite int32 fixed point, docs/npu-isa.md §4).
    "sat_rdhm": 2, "rdiv_pot": 2, "shl": 2, "clamp": 3,
  ]
  static let integerOnly: Set<String> = ["floordiv", "ceildiv"]
  /// Quantization intrinsics: integer arguments no wider than `int` (no implicit narrowing), result `int`.
  static let quantization: Set<String> = ["sat_rdhm", "rdiv_pot", "shl", "clamp"]
}

extension Sema {
  // MARK: Types

  func typeOf(_ e: Expr) throws -> ValueType {
    switch e.kind {
    case .intLiteral: return .int
    case .floatLiteral(_, let type): return .scalar(type)
    case .name(let name): return try typeOfName(name, at: e.location)
    case .access(let array, let subscripts): return try typeOfAccess(e, array, subscripts)
    case .unary(.not, let operand):
      _ = try typeOf(operand)
      return .int
    case .unary(.neg, let operand):
      let type = try typeOf(operand)
      return type.isFloat ? type : .int
    case .binary(let op, let l, let r): return try typeOfBinary(op, l, r, at: e.location)
    case .ternary(let condition, let a, let b):
      _ = try typeOf(condition)
      return CheckedKernel.arithmetic(try typeOf(a), try typeOf(b))
    case .call(let function, let arguments): return try typeOfCall(function, arguments, at: e.location)
    case .cast(let type, let operand):
      _ = try typeOf(operand)
      return .scalar(type)
    }
  }

  private func typeOfName(_ name: String, at location: SourceLocation) throws -> ValueType {
    guard let declaration = lookup(name) else { throw undeclaredName(name, at: location) }
    switch declaration.binding {
    case .size, .iterator: return .int
    case .scalar(let type, _): return .scalar(type)
    case .array: throw error(Message.arrayWithoutSubscripts(name), at: location)
    }
  }

  private func undeclaredName(_ name: String, at location: SourceLocation) -> Diagnostic {
    if region == .header && allSizeParameters.contains(name) {
      return error(Message.sizeUsedBeforeDeclaration(name), at: location)
    }
    return error(Message.undeclared(name), at: location)
  }

  private func typeOfAccess(_ access: Expr, _ array: String, _ subscripts: [Expr]) throws -> ValueType {
    guard let declaration = lookup(array) else { throw undeclaredName(array, at: access.location) }
    guard case .array(let type, let rank, _) = declaration.binding else {
      throw error(Message.notAnArray(array), at: access.location)
    }
    guard subscripts.count == rank else {
      throw error(Message.subscriptCount(array, dims: rank, got: subscripts.count), at: access.location)
    }
    for s in subscripts {
      let t = try typeOf(s)
      guard !t.isFloat else { throw error(Message.subscriptNotInteger(t.name), at: startLocation(of: s)) }
    }
    if region == .kernel,
       let bad = subscripts.firstIndex(where: { !isAffine($0, inBound: false, sizeParametersOnly: false) }) {
      let quoted = Expr(.access(array: array, subscripts: Array(subscripts[...bad])), at: access.location)
      throw error(Message.subscriptNotAffine(ASTPrinter.text(of: quoted)), at: access.location)
    }
    return .scalar(type)
  }

  private func typeOfBinary(_ op: BinaryOp, _ l: Expr, _ r: Expr, at location: SourceLocation) throws -> ValueType {
    let left = try typeOf(l)
    let right = try typeOf(r)
    try checkConstantFitsInt(op, l, r, at: location)
    if op == .rem, let float = [left, right].first(where: \.isFloat) {
      throw error(Message.remainderOnFloat(float.name), at: location)
    }
    if op.isComparison || op.isLogical { return .int }
    return CheckedKernel.arithmetic(left, right)
  }

  private func typeOfCall(_ function: String, _ arguments: [Expr], at location: SourceLocation) throws
    -> ValueType
  {
    guard let arity = Builtin.arity[function] else {
      if lookup(function) != nil { throw error(Message.notAFunction(function), at: location) }
      throw error(Message.undeclaredFunction(function), at: location)
    }
    guard arguments.count == arity else {
      throw error(Message.functionArity(function, expected: arity, got: arguments.count), at: location)
    }
    let types = try arguments.map { try typeOf($0) }
    if Builtin.integerOnly.contains(function) {
      for (argument, type) in zip(arguments, types) where type.isFloat {
        throw error(Message.integerArgument(function, type.name), at: startLocation(of: argument))
      }
      return .int
    }
    if Builtin.quantization.contains(function) {
      for (argument, type) in zip(arguments, types) {
        if type.isFloat { throw error(Message.integerArgument(function, type.name), at: startLocation(of: argument)) }
        if type == .scalar(.i64) { throw error(Message.narrowing(from: type.name, to: "i32"), at: startLocation(of: argument)) }
      }
      return .int
    }
    if function == "min" || function == "max" { return types.reduce(ValueType.int, CheckedKernel.arithmetic) }
    return types.allSatisfy { $0 == .scalar(.f32) } ? .scalar(.f32) : .scalar(.f64)
  }

  // MARK: Affinity

  /// Whether `e` is affine in the visible iterators and the size parameters
  /// (only the size parameters when `sizeParametersOnly`).
  func isAffine(_ e: Expr, inBound: Bool, sizeParametersOnly: Bool) -> Bool {
    let affine = { (x: Expr) in isAffine(x, inBound: inBound, sizeParametersOnly: sizeParametersOnly) }
    switch e.kind {
    case .intLiteral:
      return true
    case .name(let name):
      switch lookup(name)?.binding {
      case .size?: return true
      case .iterator?: return !sizeParametersOnly
      default: return false
      }
    case .unary(.neg, let x):
      return affine(x)
    case .binary(.add, let l, let r), .binary(.sub, let l, let r):
      return affine(l) && affine(r)
    case .binary(.mul, let l, let r):
      return affine(l) && affine(r) && (constantValue(l) != nil || constantValue(r) != nil)
    case .call("floordiv", let args), .call("ceildiv", let args):
      return args.count == 2 && affine(args[0]) && (constantValue(args[1]) ?? 0) > 0
    case .call("min", let args), .call("max", let args):
      return inBound && args.allSatisfy(affine)
    default:
      return false
    }
  }

  /// A boolean combination (`&&`, `||`, `!`) of comparisons of affine expressions.
  func isAffineCondition(_ e: Expr, sizeParametersOnly: Bool) -> Bool {
    switch e.kind {
    case .binary(let op, let l, let r) where op.isLogical:
      return isAffineCondition(l, sizeParametersOnly: sizeParametersOnly)
        && isAffineCondition(r, sizeParametersOnly: sizeParametersOnly)
    case .unary(.not, let x):
      return isAffineCondition(x, sizeParametersOnly: sizeParametersOnly)
    case .binary(let op, let l, let r) where op.isComparison:
      return isAffine(l, inBound: false, sizeParametersOnly: sizeParametersOnly)
        && isAffine(r, inBound: false, sizeParametersOnly: sizeParametersOnly)
    default:
      return false
    }
  }

  /// A constant `+`, `-` or `*` of two constants whose value is not a C `int`
  /// (C's behaviour would be undefined, isl's and the generated code's differ).
  private func checkConstantFitsInt(_ op: BinaryOp, _ l: Expr, _ r: Expr, at location: SourceLocation) throws {
    guard [.add, .sub, .mul].contains(op), let a = constantValue(l), let b = constantValue(r) else { return }
    let (value, overflow): (Int, Bool)
    switch op {
    case .add: (value, overflow) = a.addingReportingOverflow(b)
    case .sub: (value, overflow) = a.subtractingReportingOverflow(b)
    default: (value, overflow) = a.multipliedReportingOverflow(by: b)
    }
    guard overflow || !(Int(Int32.min)...Int(Int32.max)).contains(value) else { return }
    let text = ASTPrinter.text(of: Expr(.binary(op, l, r), at: location))
    throw error(Message.constantOverflow(text), at: startLocation(of: l))
  }

  /// The value of an integer constant expression (literals, `+ - *`), or nil.
  func constantValue(_ e: Expr) -> Int? {
    switch e.kind {
    case .intLiteral(let v):
      return v
    case .unary(.neg, let x):
      return constantValue(x).flatMap { $0 == Int.min ? nil : -$0 }
    case .binary(let op, let l, let r):
      guard let a = constantValue(l), let b = constantValue(r) else { return nil }
      switch op {
      case .add: return a.addingReportingOverflow(b).overflow ? nil : a + b
      case .sub: return a.subtractingReportingOverflow(b).overflow ? nil : a - b
      case .mul: return a.multipliedReportingOverflow(by: b).overflow ? nil : a * b
      default: return nil
      }
    default:
      return nil
    }
  }

  /// Where `e` starts in the source: its leftmost sub-expression.
  func startLocation(of e: Expr) -> SourceLocation {
    e.operands.map(startLocation(of:)).reduce(e.location) { $1.offset < $0.offset ? $1 : $0 }
  }
}
