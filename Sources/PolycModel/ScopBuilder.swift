//===- ScopBuilder.swift - Lowering the checked AST to isl ----------------===//
//
// Walks the kernel body once, keeping the constraints of the enclosing loops
// and guards. Each statement gets its domain and accesses; each block yields
// a schedule tree (sequence of its children, a band on top for a loop).
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL

struct ScopBuilder {
  let kernel: CheckedKernel
  let ctx: Context

  /// What is known at a point of the walk.
  struct Env {
    var iterators: [String] = []
    var constraints: [String] = []
  }

  private final class State {
    var statements: [StatementInfo] = []
  }
  private let state = State()

  init(kernel: CheckedKernel, ctx: Context) {
    self.kernel = kernel
    self.ctx = ctx
  }

  static func prefix(_ params: [String]) -> String {
    "[" + params.map(IslNames.name).joined(separator: ", ") + "] -> "
  }
  var prefix: String { Self.prefix(kernel.sizeParameters) }

  func build() throws -> Scop {
    let context = try buildContext()
    let schedule = try lowerBlock(kernel.file.body, Env(), context: context)
    let statements = state.statements
    var domain = try UnionSet.empty(ctx)
    var reads = try UnionMap.empty(ctx)
    var writes = try UnionMap.empty(ctx)
    for s in statements {
      let d = try Set(ctx, s.domain).intersectParams(context)
      domain = try domain.union(try d.toUnionSet())
      for a in s.accesses {
        let m = try Map(ctx, a.relation).intersectDomain(d).toUnionMap()
        if a.isWrite { writes = try writes.union(m) } else { reads = try reads.union(m) }
      }
    }
    let original = try (schedule ?? Schedule.fromDomain(domain)).intersectDomain(domain)
    return Scop(ctx: ctx, kernel: kernel, statements: statements, arrays: try buildArrays(), context: context,
                domain: try domain.coalesce(), reads: try reads.coalesce(), writes: try writes.coalesce(),
                originalSchedule: original)
  }

  func buildContext() throws -> Set {
    let cs = try kernel.file.assumptions.map { try AffineText.condition($0) }
    let body = cs.isEmpty ? "" : " : " + cs.joined(separator: " and ")
    return try Set(ctx, prefix + "{ [] \(body) }").params()
  }

  func buildArrays() throws -> [ArrayInfo] {
    var result: [ArrayInfo] = []
    let ordered = kernel.file.parameters.compactMap { p -> ArraySymbol? in kernel.arrays[p.name] }
      + kernel.arrays.values.filter { !$0.isParameter }.sorted { $0.name < $1.name }
    for a in ordered {
      let idx = a.dimensions.indices.map { "i\($0)" }
      let cs = try zip(idx, a.dimensions).map { "0 <= \($0) < \(try AffineText.affine($1))" }
      let extent = prefix + "{ \(IslNames.name(a.name))[\(idx.joined(separator: ", "))]" + (cs.isEmpty ? "" : " : " + cs.joined(separator: " and ")) + " }"
      result.append(ArrayInfo(name: a.name, type: a.type, dimensions: a.dimensions, role: a.role, extent: extent))
    }
    for s in kernel.scalars.values where !s.isParameter {
      result.append(ArrayInfo(name: s.name, type: s.type, dimensions: [], role: nil, extent: prefix + "{ \(IslNames.name(s.name))[] }"))
    }
    return result
  }

  // MARK: Walking blocks

  func lowerBlock(_ stmts: [Stmt], _ env: Env, context: Set) throws -> Schedule? {
    var result: Schedule?
    for s in stmts {
      guard let part = try lowerStmt(s, env, context: context) else { continue }
      result = try result.map { try Schedule.sequence($0, part) } ?? part
    }
    return result
  }

  func lowerStmt(_ s: Stmt, _ env: Env, context: Set) throws -> Schedule? {
    switch s.kind {
    case .assign(let label, let target, let op, let value):
      let info = try statement(label ?? "S\(state.statements.count)", target, op, value, env, s.location)
      state.statements.append(info)
      return try Schedule.fromDomain(try Set(ctx, info.domain).intersectParams(context).toUnionSet())
    case .forLoop(let loop):
      return try lowerLoop(loop, env, context: context)
    case .ifStmt(let cond, let then, let otherwise):
      var thenEnv = env
      thenEnv.constraints.append(try AffineText.condition(cond))
      var parts: [Schedule] = []
      if let t = try lowerBlock(then, thenEnv, context: context) { parts.append(t) }
      if let otherwise {
        var elseEnv = env
        elseEnv.constraints.append(try AffineText.condition(cond, negated: true))
        if let e = try lowerBlock(otherwise, elseEnv, context: context) { parts.append(e) }
      }
      guard var r = parts.first else { return nil }
      for p in parts.dropFirst() { r = try Schedule.sequence(r, p) }
      return r
    case .varDecl, .dumpBegin, .dumpEnd, .dumpNewline, .dumpFinish, .dumpPrint:
      return nil
    }
  }

  func loopConstraints(_ loop: ForLoop) throws -> [String] {
    let v = IslNames.name(loop.iterator)
    var cs = try AffineText.lowerBound(v, loop.lower) + AffineText.upperBound(v, loop.upper, inclusive: loop.inclusive)
    if loop.step > 1 {
      cs.append("exists (e_\(v): \(v) = \(try AffineText.affine(loop.lower)) + \(loop.step)*e_\(v))")
    }
    return cs
  }

  func lowerLoop(_ loop: ForLoop, _ env: Env, context: Set) throws -> Schedule? {
    var inner = env
    inner.iterators.append(loop.iterator)
    inner.constraints += try loopConstraints(loop)
    let first = state.statements.count
    guard let body = try lowerBlock(loop.body, inner, context: context) else { return nil }
    let depth = env.iterators.count
    let v = IslNames.name(loop.iterator)
    let pieces = state.statements[first...].map { s -> String in
      let tuple = "\(s.name)[\(s.iterators.map(IslNames.name).joined(separator: ", "))]"
      precondition(s.iterators[depth] == loop.iterator)
      return "\(tuple) -> [(\(loop.reverse ? "-" : "")\(v))]"
    }
    let mupa = try MultiUnionPwAff(ctx, prefix + "[{ " + pieces.joined(separator: "; ") + " }]")
    return try body.insertPartialSchedule(mupa)
  }

  // MARK: Statements

  func statement(_ name: String, _ target: Expr, _ op: AssignOp, _ value: Expr, _ env: Env,
                 _ loc: SourceLocation) throws -> StatementInfo {
    let tuple = "\(name)[\(env.iterators.map(IslNames.name).joined(separator: ", "))]"
    let domain = prefix + "{ \(tuple)" + (env.constraints.isEmpty ? "" : " : " + env.constraints.joined(separator: " and ")) + " }"
    var accesses: [AccessInfo] = []
    func add(_ e: Expr, write: Bool) throws {
      guard let (array, subs) = memoryReference(e) else { return }
      let rel = prefix + "{ \(tuple) -> \(IslNames.name(array))[\(try subs.map(AffineText.affine).joined(separator: ", "))] }"
      accesses.append(AccessInfo(array: array, subscripts: subs, isWrite: write, relation: rel, location: e.location))
    }
    try collectReads(value, into: add)
    if op != .assign { try add(target, write: false) }
    try add(target, write: true)
    return StatementInfo(name: name, iterators: env.iterators, domain: domain, target: target, op: op, value: value,
                         accesses: accesses, location: loc)
  }

  /// The array and subscripts an expression refers to, if it is memory.
  func memoryReference(_ e: Expr) -> (String, [Expr])? {
    switch e.kind {
    case .access(let a, let subs): return (a, subs)
    case .name(let n):
      if let s = kernel.scalars[n], !s.isParameter { return (n, []) }
      return nil
    default: return nil
    }
  }

  func collectReads(_ e: Expr, into add: (Expr, Bool) throws -> Void) throws {
    switch e.kind {
    case .access, .name: try add(e, false)
    case .intLiteral, .floatLiteral: break
    case .unary(_, let a), .cast(_, let a): try collectReads(a, into: add)
    case .binary(_, let a, let b):
      try collectReads(a, into: add)
      try collectReads(b, into: add)
    case .ternary(let c, let a, let b):
      try collectReads(c, into: add)
      try collectReads(a, into: add)
      try collectReads(b, into: add)
    case .call(_, let args): for a in args { try collectReads(a, into: add) }
    }
  }
}
