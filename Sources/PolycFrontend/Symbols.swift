//===- Symbols.swift - The checked kernel and its symbol table ------------===//
//
// `Sema.check` turns a parsed `SourceFile` into a `CheckedKernel`: every name
// is resolved, every kernel statement carries a label (user-written or
// auto-named `S0`, `S1`, ... in textual order, skipping names already used),
// every bound, guard and subscript inside the kernel body is affine, and every
// expression has a type. Later stages (Model, CodeGenC, NPU) read the kernel
// only through this type.
//
//===----------------------------------------------------------------------===//

/// An array: a parameter (`role != nil`) or a local temporary (`role == nil`).
package struct ArraySymbol: Hashable, Sendable {
  package var name: String
  package var type: ScalarType
  package var dimensions: [Expr]
  /// `nil` for kernel-local temporaries (`var z: f64[n]` in the kernel body).
  package var role: ArrayRole?
  package var location: SourceLocation
  package init(name: String, type: ScalarType, dimensions: [Expr], role: ArrayRole?, location: SourceLocation) {
    self.name = name
    self.type = type
    self.dimensions = dimensions
    self.role = role
    self.location = location
  }
  package var isParameter: Bool { role != nil }
}

/// A scalar: a scalar parameter (`isParameter`) or a kernel-local scalar
/// variable (`var sum: f64` in the kernel body). Kernel-local scalars are
/// modelled as zero-dimensional arrays.
package struct ScalarSymbol: Hashable, Sendable {
  package var name: String
  package var type: ScalarType
  package var isParameter: Bool
  package var location: SourceLocation
  package init(name: String, type: ScalarType, isParameter: Bool, location: SourceLocation) {
    self.name = name
    self.type = type
    self.isParameter = isParameter
    self.location = location
  }
}

/// The value type of an expression: C `int` for iterators, size parameters and
/// integer arithmetic (C's integer promotion), or a scalar type.
package enum ValueType: Hashable, Sendable {
  case int
  case scalar(ScalarType)

  package var isFloat: Bool {
    if case .scalar(let t) = self { return t.isFloat }
    return false
  }
}

/// A parsed `.loop` kernel that passed every check: its labelled statements and symbol tables.
/// The input of `Pipeline.compile`; get one from `Pipeline.loadKernel` or `Frontend.load`.
public struct CheckedKernel: Hashable, Sendable {
  /// The file with labels filled in on every kernel statement.
  package var file: SourceFile
  /// The full source text (for diagnostics of later stages).
  public var text: String
  /// Size parameters, in declaration order.
  public var sizeParameters: [String]
  /// Scalar parameters and kernel-local scalars by name.
  package var scalars: [String: ScalarSymbol]
  /// Array parameters and kernel-local arrays by name.
  package var arrays: [String: ArraySymbol]

  package init(file: SourceFile, text: String, sizeParameters: [String], scalars: [String: ScalarSymbol],
              arrays: [String: ArraySymbol]) {
    self.file = file
    self.text = text
    self.sizeParameters = sizeParameters
    self.scalars = scalars
    self.arrays = arrays
  }

  /// The kernel's name, as declared in the source.
  public var name: String { file.kernelName }

  /// The type of an already-checked expression. Names not in the symbol table
  /// (iterators, size parameters, host `var`s of type int) are `int`; pass
  /// `locals` for host variables of other types.
  package func valueType(of expr: Expr, locals: [String: ScalarType] = [:]) -> ValueType {
    switch expr.kind {
    case .intLiteral: return .int
    case .floatLiteral(_, let t): return .scalar(t)
    case .name(let n):
      if let t = locals[n] { return .scalar(t) }
      if let s = scalars[n] { return .scalar(s.type) }
      return .int
    case .access(let a, _):
      if let t = locals[a] { return .scalar(t) }
      if let s = arrays[a] { return .scalar(s.type) }
      return .int
    case .unary(.not, _): return .int
    case .unary(.neg, let e): return promoted(valueType(of: e, locals: locals))
    case .binary(let op, let l, let r):
      if op.isComparison || op.isLogical { return .int }
      return Self.arithmetic(valueType(of: l, locals: locals), valueType(of: r, locals: locals))
    case .ternary(_, let a, let b):
      return Self.arithmetic(valueType(of: a, locals: locals), valueType(of: b, locals: locals))
    case .cast(let t, _): return .scalar(t)
    case .call(let f, let args):
      switch f {
      case "floordiv", "ceildiv": return .int
      case "sat_rdhm", "rdiv_pot", "shl", "clamp": return .int
      case "min", "max":
        return args.map { valueType(of: $0, locals: locals) }.reduce(ValueType.int, Self.arithmetic)
      default:
        let allF32 = !args.isEmpty && args.allSatisfy { valueType(of: $0, locals: locals) == .scalar(.f32) }
        return .scalar(allF32 ? .f32 : .f64)
      }
    }
  }

  private func promoted(_ t: ValueType) -> ValueType {
    if case .scalar(let s) = t, s.isInteger { return .int }
    return t
  }

  /// C's usual arithmetic conversions restricted to our types.
  package static func arithmetic(_ a: ValueType, _ b: ValueType) -> ValueType {
    switch (a, b) {
    case (.scalar(.f64), _), (_, .scalar(.f64)): return .scalar(.f64)
    case (.scalar(.f32), _), (_, .scalar(.f32)): return .scalar(.f32)
    case (.scalar(.i64), _), (_, .scalar(.i64)): return .scalar(.i64)
    default: return .int
    }
  }
}
