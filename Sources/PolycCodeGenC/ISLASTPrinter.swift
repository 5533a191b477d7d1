//===- ISLASTPrinter.swift - isl's AST (as Swift values) to C -------------===//
//
// Prints the loop structure isl generated. A user node `S0(c0, c1)` becomes the
// statement's own text with its source iterators replaced by the argument
// expressions. Marks placed by the transforms (`parallel`, `simd`) become
// OpenMP pragmas on the loop right below them (`parallel` and `simd` on one
// loop: `omp parallel for simd`); any other mark is transparent. Upper bounds
// that need min/max/division are hoisted into a `const` local.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel

struct ISLASTPrinter {
  let scop: Scop
  var options: CEmitOptions
  var openMP: Bool { options.openMP }
  private let statements: [String: StatementInfo]

  init(scop: Scop, openMP: Bool = true) {
    self.init(scop: scop, options: CEmitOptions(openMP: openMP))
  }

  init(scop: Scop, options: CEmitOptions) {
    self.scop = scop
    self.options = options
    var s: [String: StatementInfo] = [:]
    for st in scop.statements { s[st.name] = st }
    statements = s
  }

  func print(_ node: ASTNode, indent: Int) throws -> String {
    var out = ""
    try emit(node, indent: indent, marks: [], jams: [], into: &out)
    return out
  }

  func pad(_ n: Int) -> String { String(repeating: "  ", count: n) }

  /// `marks` are the names of the marks right above this node; they apply to
  /// the first `for` on each path below (through guards and blocks, which isl
  /// emits around the pieces of one band's loop) and to nothing deeper.
  func emit(_ node: ASTNode, indent: Int, marks: [String], jams: [(String, Int)], into out: inout String) throws {
    switch node {
    case .block(let children):
      for c in children { try emit(c, indent: indent, marks: marks, jams: jams, into: &out) }
    case .mark(let name, let child):
      try emit(child, indent: indent, marks: marks + [name], jams: jams, into: &out)
    case .ifStmt(let cond, let then, let otherwise):
      out += pad(indent) + "if (\(expr(cond))) {\n"
      try emit(then, indent: indent + 1, marks: marks, jams: jams, into: &out)
      if let otherwise {
        out += pad(indent) + "} else {\n"
        try emit(otherwise, indent: indent + 1, marks: marks, jams: jams, into: &out)
      }
      out += pad(indent) + "}\n"
    case .forLoop(let it, let initial, let cond, let inc, let body, let degenerate):
      if degenerate {
        out += pad(indent) + "{\n" + pad(indent + 1) + "const int \(it) = \(expr(initial));\n"
        try emit(body, indent: indent + 1, marks: [], jams: jams, into: &out)
        out += pad(indent) + "}\n"
        return
      }
      if let shape = Microkernel.shape(marks), try emitMicrokernel(shape, loop: node, marks: marks, jams: jams, indent: indent, into: &out) {
        return
      }
      if let u = UnrollJam.factor(marks), let (op, bound) = jamBound(it, cond),
         UnrollJam.canJam(iterator: it, increment: inc, body: body) {
        let inner = indent + 1
        if marks.contains("parallel") {
          // An OpenMP loop must be in canonical form: the jammed part runs up to
          // a precomputed end, the leftover iterations follow serially.
          let prelude = pad(inner) + "const int \(it)_lb = \(expr(initial));\n"
            + pad(inner) + "const int \(it)_ub = \(expr(bound))\(op == "<" ? " - 1" : "");\n"
            + pad(inner) + "const int \(it)_end = \(it)_lb + (\(it)_ub >= \(it)_lb ? (\(it)_ub - \(it)_lb + 1) / \(u) * \(u) : 0);\n"
            + (openMP ? pragmaLines(forMarks: marks, indent: inner, schedule: Self.ompSchedule(it, .int(Int(u)), body)) : "")
          try emitJammed(it, u, body, jams: jams, indent: indent, prelude: prelude,
                         jammed: "for (int \(it) = \(it)_lb; \(it) < \(it)_end; \(it) += \(u))",
                         remainder: "for (int \(it) = \(it)_end; \(it) <= \(it)_ub; \(it)++)", into: &out)
        } else {
          let prelude = pad(inner) + "const int \(it)_ub = \(expr(bound));\n" + pad(inner) + "int \(it) = \(expr(initial));\n"
          try emitJammed(it, u, body, jams: jams, indent: indent, prelude: prelude,
                         jammed: "for (; \(it) + \(u - 1) \(op) \(it)_ub; \(it) += \(u))",
                         remainder: "for (; \(it) \(op) \(it)_ub; \(it)++)", into: &out)
        }
        return
      }
      var level = indent
      var condText = expr(cond)
      let hoisted = options.hoistBounds ? hoistableBound(it, cond) : nil
      if let (op, bound) = hoisted {
        out += pad(indent) + "{\n"
        level += 1
        out += pad(level) + "const int \(it)_ub = \(expr(bound));\n"
        condText = "\(it) \(op) \(it)_ub"
      }
      if openMP { out += pragmaLines(forMarks: marks, indent: level, schedule: Self.ompSchedule(it, inc, body)) }
      let step = inc == .int(1) ? "\(it)++" : "\(it) += \(expr(inc))"
      out += pad(level) + "for (int \(it) = \(expr(initial)); \(condText); \(step)) {\n"
      if !jams.isEmpty && !UnrollJam.containsLoop(body) {
        for offsets in UnrollJam.offsetCombinations(jams) {
          try emit(UnrollJam.substitute(body, offsets), indent: level + 1, marks: [], jams: [], into: &out)
        }
      } else {
        try emit(body, indent: level + 1, marks: [], jams: jams, into: &out)
      }
      out += pad(level) + "}\n"
      if hoisted != nil { out += pad(indent) + "}\n" }
    case .user(let e):
      out += pad(indent) + (try statementText(e)) + "\n"
    }
  }

  /// A jammed loop in its own block: `prelude`, then the loop `jammed` over
  /// the body replicated `u` times, then `remainder` over the leftover
  /// iterations, one body each.
  private func emitJammed(_ it: String, _ u: Int, _ body: ASTNode, jams: [(String, Int)], indent: Int, prelude: String,
                          jammed: String, remainder: String, into out: inout String) throws {
    out += pad(indent) + "{\n" + prelude
    out += pad(indent + 1) + jammed + " {\n"
    try emit(body, indent: indent + 2, marks: [], jams: jams + [(it, u)], into: &out)
    out += pad(indent + 1) + "}\n"
    out += pad(indent + 1) + remainder + " {\n"
    try emit(body, indent: indent + 2, marks: [], jams: jams, into: &out)
    out += pad(indent + 1) + "}\n"
    out += pad(indent) + "}\n"
  }

  /// `it <= bound` or `it < bound` (any bound not involving `it`).
  func jamBound(_ it: String, _ cond: ASTExpr) -> (String, ASTExpr)? {
    guard case .op(let op, let args) = cond, args.count == 2, args[0] == .id(it), op == .le || op == .lt,
          !Self.mentions(args[1], it) else { return nil }
    return (op == .le ? "<=" : "<", args[1])
  }

  /// `it <= bound` or `it < bound` where computing `bound` needs a call
  /// (min, max, floor division): worth computing once before the loop.
  func hoistableBound(_ it: String, _ cond: ASTExpr) -> (String, ASTExpr)? {
    guard case .op(let op, let args) = cond, args.count == 2, args[0] == .id(it), op == .le || op == .lt else { return nil }
    guard Self.needsCall(args[1]), !Self.mentions(args[1], it) else { return nil }
    return (op == .le ? "<=" : "<", args[1])
  }

  static func needsCall(_ e: ASTExpr) -> Bool {
    guard case .op(let op, let args) = e else { return false }
    switch op {
    case .min, .max, .fdivQ, .pdivQ, .div, .pdivR, .zdivR, .cond, .select: return true
    default: return args.contains(where: needsCall)
    }
  }

  static func mentions(_ e: ASTExpr, _ name: String) -> Bool {
    switch e {
    case .int: return false
    case .id(let s): return s == name
    case .op(_, let args): return args.contains { mentions($0, name) }
    }
  }

  /// The OpenMP schedule clause of a parallel loop. Iterations of unequal
  /// work -- the loops inside have bounds that depend on this iterator
  /// (triangular nests such as covariance, partial tiles) -- are balanced
  /// with `schedule(dynamic, 1)` when an iteration is a whole tile (step > 1:
  /// few, heavy iterations) and dealt round robin with `schedule(static, 1)`
  /// otherwise. nil: the runtime's default static blocks.
  static func ompSchedule(_ it: String, _ inc: ASTExpr, _ body: ASTNode) -> String? {
    guard innerBoundsMention(body, it) else { return nil }
    if case .int(let step) = inc, step == 1 { return "schedule(static, 1)" }
    return "schedule(dynamic, 1)"
  }

  static func innerBoundsMention(_ node: ASTNode, _ it: String) -> Bool {
    switch node {
    case .block(let children): return children.contains { innerBoundsMention($0, it) }
    case .mark(_, let child): return innerBoundsMention(child, it)
    case .ifStmt(let cond, let then, let otherwise):
      return mentions(cond, it) || innerBoundsMention(then, it) || (otherwise.map { innerBoundsMention($0, it) } ?? false)
    case .forLoop(_, let initial, let cond, _, let body, _):
      return mentions(initial, it) || mentions(cond, it) || innerBoundsMention(body, it)
    case .user: return false
    }
  }

  /// The pragma lines for a loop right below `marks`.
  func pragmaLines(forMarks marks: [String], indent: Int, schedule: String? = nil) -> String {
    let parallel = marks.contains("parallel")
    let simd = marks.contains("simd")
    var omp: String?
    var plain: String?
    if parallel && simd && options.vectorPragma == .ompSimd {
      omp = "#pragma omp parallel for simd"
    } else {
      if parallel { omp = "#pragma omp parallel for" }
      if simd { if options.vectorPragma == .ompSimd { omp = omp ?? "#pragma omp simd" } else { plain = "#pragma GCC ivdep" } }
    }
    if marks.contains("ivdep") { plain = "#pragma GCC ivdep" }
    var out = ""
    if var omp {
      if parallel, let schedule { omp += " " + schedule }
      if options.guardPragmas { out += pad(indent) + "#ifdef _OPENMP\n" }
      out += pad(indent) + omp + "\n"
      if options.guardPragmas { out += pad(indent) + "#endif\n" }
    }
    if let plain { out += pad(indent) + plain + "\n" }
    return out
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
    if case .op(.call, let parts) = e, case .id(let name)? = parts.first, let st = statements[name], st.isOpaque {
      return "\(name)(\(parts.dropFirst().map(expr).joined(separator: ", ")));"
    }
    let (st, p) = try statementPrinter(e)
    return "\(p.print(st.target)) \(st.op.rawValue) \(p.print(st.value));"
  }

  /// The statement a user node calls, and a printer with its iterators replaced by the call's arguments.
  func statementPrinter(_ e: ASTExpr) throws -> (StatementInfo, CExprPrinter) {
    guard case .op(.call, let parts) = e, case .id(let name)? = parts.first, let st = statements[name] else {
      throw CodeGenError.unexpectedAST("\(e)")
    }
    let args = parts.dropFirst().map { atom($0) }
    guard args.count == st.iterators.count else { throw CodeGenError.unexpectedAST("\(name) arity") }
    var p = CExprPrinter(kernel: scop.kernel)
    for (it, a) in zip(st.iterators, args) { p.substitutions[it] = a }
    return (st, p)
  }

  func statement(named name: String) -> StatementInfo? { statements[name] }

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

/// An error of C code generation.
public enum CodeGenError: Error, CustomStringConvertible, Sendable {
  /// isl produced an AST node the printer does not handle (an internal error).
  case unexpectedAST(String)
  /// The requested dataset is not declared by the kernel; `available` lists those that are.
  case unknownDataset(String, available: [String])
  /// The kernel (named) declares no dataset, and a program with data needs one.
  case noDatasets(String)
  /// The message.
  public var description: String {
    switch self {
    case .unexpectedAST(let s): return "internal error: unexpected isl AST node \(s)"
    case .unknownDataset(let d, let avail): return "unknown dataset '\(d)' (available: \(avail.joined(separator: ", ")))"
    case .noDatasets(let k): return "kernel '\(k)' declares no dataset; add a 'dataset' line"
    }
  }
}
