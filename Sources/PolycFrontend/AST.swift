//===- AST.swift - Syntax tree of the polyc loop language -----------------===//
//
// The parser produces a `SourceFile`; semantic analysis (`Sema`) checks it and
// returns a `CheckedKernel` whose symbol table the later stages use. The tree
// is a plain value: it owns no isl object and is `Sendable`.
//
// The language is specified in docs/language.md.
//
//===----------------------------------------------------------------------===//

/// A position in a source file (1-based line and column, 0-based UTF-8 offset).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  /// The line, from 1 (0 when unknown).
  public var line: Int
  /// The column, from 1, in UTF-8 bytes (0 when unknown).
  public var column: Int
  /// The UTF-8 byte offset from the start of the file, from 0.
  public var offset: Int
  /// A location at `line`:`column`, byte `offset`.
  public init(line: Int, column: Int, offset: Int) {
    self.line = line
    self.column = column
    self.offset = offset
  }
  /// The location of something not written in the source (line and column 0).
  public static let unknown = SourceLocation(line: 0, column: 0, offset: 0)
  /// `line:column`.
  public var description: String { "\(line):\(column)" }
}

/// Element types of arrays and scalars. `int` in source is an alias of `i32`.
public enum ScalarType: String, Hashable, Sendable, CaseIterable {
  case char, i8, i16, i32, i64, f32, f64

  /// `f32` or `f64`.
  public var isFloat: Bool { self == .f32 || self == .f64 }
  /// Every type but `f32` and `f64`.
  public var isInteger: Bool { !isFloat }

  /// The C spelling used by the code generators.
  public var cName: String {
    switch self {
    case .char: return "char"
    case .i8: return "signed char"
    case .i16: return "short"
    case .i32: return "int"
    case .i64: return "long long"
    case .f32: return "float"
    case .f64: return "double"
    }
  }

  /// Size in bytes.
  public var byteSize: Int {
    switch self {
    case .char, .i8: return 1
    case .i16: return 2
    case .i32, .f32: return 4
    case .i64, .f64: return 8
    }
  }
}

/// How a kernel uses an array parameter.
package enum ArrayRole: String, Hashable, Sendable {
  case `in`, out, `inout`
}

package enum UnaryOp: String, Hashable, Sendable {
  case neg = "-"
  case not = "!"
}

package enum BinaryOp: String, Hashable, Sendable {
  case add = "+", sub = "-", mul = "*", div = "/", rem = "%"
  case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
  case and = "&&", or = "||"

  package var isComparison: Bool {
    switch self {
    case .lt, .le, .gt, .ge, .eq, .ne: return true
    default: return false
    }
  }
  package var isLogical: Bool { self == .and || self == .or }
}

/// `=`, `+=`, `-=`, `*=`, `/=`.
package enum AssignOp: String, Hashable, Sendable {
  case assign = "=", add = "+=", sub = "-=", mul = "*=", div = "/="
}

/// An expression. Calls cover math functions (`sqrt`, `exp`, `pow`, `fabs`, ...),
/// `min`/`max`, and the affine helpers `floordiv`/`ceildiv`; casts are
/// written like calls of a type name (`f64(n)`) and parse to `.cast`.
package indirect enum ExprKind: Hashable, Sendable {
  /// Integer literal (C `int`).
  case intLiteral(Int)
  /// Floating literal; `text` is the spelling without suffix (e.g. "1.5"),
  /// `type` is `.f64`, or `.f32` for an `f` suffix (`1.5f`).
  case floatLiteral(text: String, type: ScalarType)
  /// A loop iterator, size parameter, scalar parameter or scalar variable.
  case name(String)
  /// An array element `A[i][j+1]`.
  case access(array: String, subscripts: [Expr])
  case unary(UnaryOp, Expr)
  case binary(BinaryOp, Expr, Expr)
  case ternary(Expr, Expr, Expr)
  case call(function: String, arguments: [Expr])
  case cast(ScalarType, Expr)
}

package struct Expr: Hashable, Sendable {
  package var kind: ExprKind
  package var location: SourceLocation
  package init(_ kind: ExprKind, at location: SourceLocation) {
    self.kind = kind
    self.location = location
  }
}

extension Expr {
  /// Whether `name` (an iterator, size parameter or variable) occurs in this expression.
  package func mentions(_ name: String) -> Bool {
    switch kind {
    case .name(let n): return n == name
    case .intLiteral, .floatLiteral: return false
    case .access(_, let subs): return subs.contains { $0.mentions(name) }
    case .unary(_, let a), .cast(_, let a): return a.mentions(name)
    case .binary(_, let a, let b): return a.mentions(name) || b.mentions(name)
    case .ternary(let a, let b, let c): return a.mentions(name) || b.mentions(name) || c.mentions(name)
    case .call(_, let args): return args.contains { $0.mentions(name) }
    }
  }
}

/// The iteration range of a `for` loop:
/// `for i in lower ..< upper` (exclusive), `for i in lower ... upper` (inclusive),
/// optional `step k` (a positive integer constant, ascending loops only),
/// and `for i in reverse lower ... upper` (same values, descending order).
package struct ForLoop: Hashable, Sendable {
  package var iterator: String
  package var lower: Expr
  package var upper: Expr
  package var inclusive: Bool
  package var step: Int
  package var reverse: Bool
  package var body: [Stmt]
  package var location: SourceLocation
  package init(iterator: String, lower: Expr, upper: Expr, inclusive: Bool, step: Int, reverse: Bool,
              body: [Stmt], location: SourceLocation) {
    self.iterator = iterator
    self.lower = lower
    self.upper = upper
    self.inclusive = inclusive
    self.step = step
    self.reverse = reverse
    self.body = body
    self.location = location
  }
}

package indirect enum StmtKind: Hashable, Sendable {
  /// `[label:] target op value`. `target` is `.name` (a scalar) or `.access`.
  case assign(label: String?, target: Expr, op: AssignOp, value: Expr)
  case forLoop(ForLoop)
  case ifStmt(condition: Expr, then: [Stmt], else: [Stmt]?)
  /// `var name: type[d0][d1] = initial` (kernel locals take no initial value).
  case varDecl(name: String, type: ScalarType, dimensions: [Expr], initial: Expr?)
  /// Dump blocks only: `begin "C"`, `end "C"`, `newline`, `print expr`.
  case dumpBegin(String)
  case dumpEnd(String)
  case dumpNewline
  /// `finish`: prints `==END   DUMP_ARRAYS==` here instead of after the block
  /// (PolyBench's fdtd-2d prints it before its last arrays).
  case dumpFinish
  case dumpPrint(Expr)
}

package struct Stmt: Hashable, Sendable {
  package var kind: StmtKind
  package var location: SourceLocation
  package init(_ kind: StmtKind, at location: SourceLocation) {
    self.kind = kind
    self.location = location
  }
}

package enum ParamKind: Hashable, Sendable {
  /// An integer size parameter (C `int`), e.g. `ni` or `ni: int`.
  case size
  /// A scalar parameter passed by value, e.g. `alpha: f64`.
  case scalar(ScalarType)
  /// An array parameter, e.g. `C: inout f64[ni][nj]`.
  case array(role: ArrayRole, type: ScalarType, dimensions: [Expr])
}

package struct ParamDecl: Hashable, Sendable {
  package var name: String
  package var kind: ParamKind
  package var location: SourceLocation
  package init(name: String, kind: ParamKind, location: SourceLocation) {
    self.name = name
    self.kind = kind
    self.location = location
  }
}

/// `dataset MINI: ni = 20, nj = 25`.
package struct DatasetDecl: Hashable, Sendable {
  package var name: String
  package var values: [String: Int]
  /// Parameter names in the order written.
  package var order: [String]
  package var location: SourceLocation
  package init(name: String, values: [String: Int], order: [String], location: SourceLocation) {
    self.name = name
    self.values = values
    self.order = order
    self.location = location
  }
}

/// One `.loop` file: a kernel and its host sections.
package struct SourceFile: Hashable, Sendable {
  package var path: String
  package var kernelName: String
  package var parameters: [ParamDecl]
  /// The SCoP: loops, guards, statements and kernel-local variables.
  package var body: [Stmt]
  /// `assume` constraints on size parameters (the isl context).
  package var assumptions: [Expr]
  package var datasets: [DatasetDecl]
  /// Host code run before the kernel (PolyBench's `init_array`).
  package var initBody: [Stmt]
  /// Host code run after the kernel (PolyBench's `print_array`).
  package var dumpBody: [Stmt]
  package var location: SourceLocation
  package init(path: String, kernelName: String, parameters: [ParamDecl], body: [Stmt],
              assumptions: [Expr], datasets: [DatasetDecl], initBody: [Stmt], dumpBody: [Stmt],
              location: SourceLocation) {
    self.path = path
    self.kernelName = kernelName
    self.parameters = parameters
    self.body = body
    self.assumptions = assumptions
    self.datasets = datasets
    self.initBody = initBody
    self.dumpBody = dumpBody
    self.location = location
  }
}
