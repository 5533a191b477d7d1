//===- SemaStmt.swift - Checking statements --------------------------------===//
//
// The same walk checks the kernel body and the host sections; `region` says
// which rules apply. In the kernel body, bounds, guards and subscripts must be
// affine, locals take no initial value, and parameters, sizes and `in` arrays
// are read-only. Host code follows C: any integer expression is allowed.
//
//===----------------------------------------------------------------------===//

extension Sema {
  mutating func checkBlock(_ statements: [Stmt]) throws {
    for s in statements { try checkStatement(s) }
  }

  private mutating func checkStatement(_ s: Stmt) throws {
    switch s.kind {
    case .assign(let label, let target, let op, let value):
      try checkLabel(label, at: s.location)
      try checkAssignment(target, op, value)
    case .forLoop(let loop):
      try checkFor(loop)
    case .ifStmt(let condition, let then, let otherwise):
      try checkIf(condition, then, otherwise)
    case .varDecl(let name, let type, let dimensions, let initial):
      try checkVar(name, type, dimensions, initial, at: s.location)
    case .dumpBegin: try requireDump("begin", at: s.location)
    case .dumpEnd: try requireDump("end", at: s.location)
    case .dumpNewline: try requireDump("newline", at: s.location)
    case .dumpFinish: try requireDump("finish", at: s.location)
    case .dumpPrint(let e):
      try requireDump("print", at: s.location)
      _ = try typeOf(e)
    }
  }

  private func requireDump(_ keyword: String, at location: SourceLocation) throws {
    guard region == .dumpSection else { throw error(Message.dumpOnly(keyword), at: location) }
  }

  private mutating func checkLabel(_ label: String?, at location: SourceLocation) throws {
    guard let label else { return }
    guard region == .kernel else { throw error(Message.labelOutsideKernel, at: location) }
    guard labels[label] == nil else { throw error(Message.duplicateLabel(label), at: location) }
    labels[label] = location
  }

  // MARK: Loops and guards

  private mutating func checkFor(_ loop: ForLoop) throws {
    guard loop.step > 0 else { throw error(Message.zeroStep, at: loop.location) }
    if region == .kernel {
      guard loopDepth < Self.maxLoopDepth else { throw error(Message.loopNestTooDeep(Self.maxLoopDepth), at: loop.location) }
      loopDepth += 1
    }
    defer { if region == .kernel { loopDepth -= 1 } }
    try checkBound(loop.lower)
    try checkBound(loop.upper)
    try withScope { sema in
      try sema.declareIterator(loop.iterator, at: sema.locationOfWord(loop.iterator, after: loop.location))
      try sema.checkBlock(loop.body)
    }
  }

  private mutating func checkBound(_ bound: Expr) throws {
    let type = try typeOf(bound)
    guard !type.isFloat else { throw error(Message.boundNotInteger(type.name), at: startLocation(of: bound)) }
    guard region != .kernel || isAffine(bound, inBound: true, sizeParametersOnly: false) else {
      throw error(Message.boundNotAffine(ASTPrinter.text(of: bound)), at: startLocation(of: bound))
    }
  }

  private mutating func checkIf(_ condition: Expr, _ then: [Stmt], _ otherwise: [Stmt]?) throws {
    try checkCondition(condition)
    try withScope { try $0.checkBlock(then) }
    if let otherwise { try withScope { try $0.checkBlock(otherwise) } }
  }

  private mutating func checkCondition(_ condition: Expr) throws {
    let type = try typeOf(condition)
    guard region == .kernel else { return }
    guard !type.isFloat else {
      throw error(Message.conditionNotInteger(type.name), at: startLocation(of: condition))
    }
    guard isAffineCondition(condition, sizeParametersOnly: false) else {
      throw error(Message.conditionNotAffine(ASTPrinter.text(of: condition)), at: startLocation(of: condition))
    }
  }

  // MARK: Variables

  private mutating func checkVar(_ name: String, _ type: ScalarType, _ dimensions: [Expr], _ initial: Expr?,
                                 at location: SourceLocation) throws {
    if region == .kernel {
      try checkKernelVar(dimensions, initial)
    } else {
      try checkHostVar(type, dimensions, initial, at: location)
    }
    let binding: Binding = dimensions.isEmpty
      ? .scalar(type: type, isParameter: false)
      : .array(type: type, rank: dimensions.count, role: nil)
    try declareVariable(name, binding, at: location)
  }

  private mutating func checkKernelVar(_ dimensions: [Expr], _ initial: Expr?) throws {
    if let initial { throw error(Message.kernelVarWithInitialValue, at: startLocation(of: initial)) }
    try dimensions.forEach { try checkAffineDimension($0) }
  }

  private mutating func checkHostVar(_ type: ScalarType, _ dimensions: [Expr], _ initial: Expr?,
                                     at location: SourceLocation) throws {
    for dimension in dimensions {
      let t = try typeOf(dimension)
      guard !t.isFloat else { throw error(Message.dimensionNotInteger(t.name), at: startLocation(of: dimension)) }
    }
    guard let initial else { return }
    guard dimensions.isEmpty else { throw error(Message.arrayVarWithInitialValue, at: startLocation(of: initial)) }
    try checkConversion(of: initial, to: type)
  }

  // MARK: Assignments

  private mutating func checkAssignment(_ target: Expr, _ op: AssignOp, _ value: Expr) throws {
    let targetType = try checkTarget(target)
    try checkConversion(of: value, to: targetType)
  }

  /// Checks that `target` may be assigned here and returns its element type.
  private mutating func checkTarget(_ target: Expr) throws -> ScalarType {
    switch target.kind {
    case .name(let name):
      guard let declaration = lookup(name) else { throw error(Message.undeclared(name), at: target.location) }
      return try assignableScalarType(name, declaration.binding, at: target.location)
    case .access(let array, _):
      if case .array(_, _, .in?)? = lookup(array)?.binding, region == .kernel {
        throw error(Message.assignToInArray(array), at: target.location)
      }
      guard case .scalar(let type) = try typeOf(target) else { return .i32 }
      return type
    default:
      throw error(Message.expected("an array element or variable", found: "'\(ASTPrinter.text(of: target))'"),
                  at: target.location)
    }
  }

  private func assignableScalarType(_ name: String, _ binding: Binding, at location: SourceLocation) throws
    -> ScalarType
  {
    switch binding {
    case .iterator:
      throw error(Message.assignToIterator(name), at: location)
    case .size:
      guard region != .kernel else { throw error(Message.assignToSizeParameter(name), at: location) }
      return .i32
    case .scalar(let type, let isParameter):
      guard !(isParameter && region == .kernel) else {
        throw error(Message.assignToScalarParameter(name), at: location)
      }
      return type
    case .array:
      throw error(Message.arrayWithoutSubscripts(name), at: location)
    }
  }

  /// A value converts implicitly only when no precision can be lost; an
  /// integer literal converts to any type.
  mutating func checkConversion(of value: Expr, to type: ScalarType) throws {
    let valueType = try typeOf(value)
    guard !isIntegerLiteral(value), !valueType.convertsImplicitly(to: type) else { return }
    throw error(Message.narrowing(from: valueType.name, to: type.rawValue), at: startLocation(of: value))
  }

  private func isIntegerLiteral(_ e: Expr) -> Bool {
    switch e.kind {
    case .intLiteral: return true
    case .unary(.neg, let inner): return isIntegerLiteral(inner)
    default: return false
    }
  }
}

extension ValueType {
  /// The spelling in messages: `int` for C int, else the scalar type.
  var name: String {
    switch self {
    case .int: return "int"
    case .scalar(let t): return t.rawValue
    }
  }

  var integerByteSize: Int {
    switch self {
    case .int: return 4
    case .scalar(let t): return t.byteSize
    }
  }

  /// Integer to floating, `f32` to `f64`, and integer to an integer at least as wide.
  func convertsImplicitly(to type: ScalarType) -> Bool {
    if self == .scalar(.f64) { return type == .f64 }
    if self == .scalar(.f32) { return type.isFloat }
    return type.isFloat || integerByteSize <= type.byteSize
  }
}
