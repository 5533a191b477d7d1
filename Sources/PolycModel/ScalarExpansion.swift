//===- ScalarExpansion.swift - Privatising kernel-local scalars -----------===//
//
// A kernel-local scalar that carries a value only within one iteration of a
// loop (deriche's `ym1`, symm's `temp2`) still serialises that loop: every
// iteration overwrites the same memory, so the anti and output dependences
// on it cross iterations. Expanding the scalar along the loop (`ym1` ->
// `ym1_i[i]`) removes those false dependences, as PPCG's privatisation and
// Feautrier's array expansion do:
//
//   for i { ym1 = 0; for j { y[i][j] = .. ym1 ..; ym1 = y[i][j] } }
//   ->  for i { ym1_i[i] = 0; for j { y[i][j] = .. ym1_i[i] ..; ym1_i[i] = y[i][j] } }
//
// The accesses to a scalar split into webs: statements connected by its
// value-based flow dependences. A web is expanded along the innermost loop
// enclosing all its statements (loop L) when
//   * every flow dependence of the web stays within one iteration of L
//     (distance 0 on L: each read still finds its value in its own element),
//   * every read of the web has a source in the kernel (no value flows in
//     from before the kernel or from an earlier iteration of L),
//   * L's bounds depend on size parameters only (the new array's extent), and
//   * the expansion makes L parallel: no flow, anti or output dependence is
//     left across L's iterations (privatising in a loop that stays
//     sequential, durbin's k or ludcmp's i, would only cost memory).
// Each expanded web gets its own array (webs are flow-independent, so
// renaming them apart is always legal); the scalar disappears when all its
// webs are expanded. The rewrite is on the checked kernel, so the model, the
// dependences and the C that follow all see the expanded program.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL

package enum ScalarExpansion {
  /// One expanded web.
  package struct Expansion: Hashable, Sendable {
    package var scalar: String
    package var array: String
    /// The loop iterator the web is expanded along.
    package var iterator: String
    package var statements: [String]
  }

  /// The kernel with its privatisable scalars expanded, and what was expanded.
  package static func apply(_ kernel: CheckedKernel, ctx: Context = Context()) throws -> (CheckedKernel, [Expansion]) {
    let r = try expand(kernel, ctx: ctx)
    return (r.kernel, r.expansions)
  }

  /// What `expand` did: the kernel, the expansions and, when there are any, the expanded
  /// kernel's model with its dependences (computed to check the expansions), so that the
  /// pipeline does not build and analyse the same kernel again.
  package struct Result {
    package var kernel: CheckedKernel
    package var expansions: [Expansion]
    package var scop: Scop?
  }

  package static func expand(_ kernel: CheckedKernel, ctx: Context = Context()) throws -> Result {
    let scop = try Scop.build(kernel, ctx: ctx)
    let loops = loopPaths(kernel.file.body)
    var plans: [Plan] = []
    var taken = Swift.Set(kernel.scalars.keys).union(kernel.arrays.keys).union(kernel.sizeParameters)
    for s in kernel.scalars.values.sorted(by: { $0.name < $1.name }) where !s.isParameter {
      let (reads, writes) = try accesses(to: s.name, scop)
      // The schedule restricted to the statements that use the scalar: the same relative order,
      // and a much smaller problem for isl on kernels with many statements (deriche).
      let users = try reads.domain().union(try writes.domain())
      let flow = try Flow.compute(sink: reads, mustSource: writes, schedule: try scop.originalSchedule.intersectDomain(users)).must
      for web in try webs(of: s.name, flow: flow, scop) {
        guard let (loop, depth) = innermostCommonLoop(web, loops), loopBoundsAreParametric(loop, depth, web, loops),
              try isPrivatisable(web, reads: reads, flow: flow, depth: depth, scop) else { continue }
        var name = "\(s.name)_\(loop.iterator)"
        var k = 1
        while taken.contains(name) { k += 1; name = "\(s.name)_\(loop.iterator)\(k)" }
        taken.insert(name)
        plans.append(Plan(expansion: Expansion(scalar: s.name, array: name, iterator: loop.iterator, statements: web.sorted()),
                          loopID: loops[web.first!]![depth].id, depth: depth))
      }
    }
    // Keep only expansions that make their loop parallel: privatising a
    // scalar in a loop that stays sequential only costs memory.
    while !plans.isEmpty {
      let expanded = rewrite(kernel, plans.map(\.expansion), loops)
      let (carried, model) = try carriedLoops(expanded, plans, loops, ctx)
      if carried.isEmpty { return Result(kernel: expanded, expansions: plans.map(\.expansion), scop: model) }
      plans.removeAll { carried.contains($0.loopID) }
    }
    return Result(kernel: kernel, expansions: [], scop: nil)
  }

  struct Plan {
    var expansion: Expansion
    var loopID: Int
    var depth: Int
  }

  /// The plans' loops that still carry a flow, anti or output dependence in `kernel`, and the
  /// kernel's model with those dependences.
  static func carriedLoops(_ kernel: CheckedKernel, _ plans: [Plan], _ loops: [String: [LoopRef]], _ ctx: Context) throws
    -> (Swift.Set<Int>, Scop) {
    let scop = try Scop.build(kernel, ctx: ctx)
    let d = try Scop.memoryDependences(reads: scop.reads, writes: scop.writes, schedule: scop.originalSchedule)
    scop.knownDependences = d
    let deps = try d.flow.union(d.output).union(d.anti).maps()
    var carried = Swift.Set<Int>()
    for p in plans where !carried.contains(p.loopID) {
      let inside = Swift.Set(loops.filter { $0.value.contains { $0.id == p.loopID } }.keys)
      for m in deps {
        guard let a = m.domainTupleName, let b = m.rangeTupleName, inside.contains(a), inside.contains(b),
              let sa = scop.statement(named: a), let sb = scop.statement(named: b) else { continue }
        if try !m.isSubset(of: try sameIteration(sa, sb, depth: p.depth, scop)) { carried.insert(p.loopID); break }
      }
    }
    return (carried, scop)
  }

  /// `{ A[x] -> B[y] : x_depth = y_depth }`.
  static func sameIteration(_ a: StatementInfo, _ b: StatementInfo, depth: Int, _ scop: Scop) throws -> Map {
    let x = a.iterators.indices.map { "x\($0)" }, y = b.iterators.indices.map { "y\($0)" }
    return try Map(scop.ctx, scop.parameterPrefix
      + "{ \(a.name)[\(x.joined(separator: ", "))] -> \(b.name)[\(y.joined(separator: ", "))] : x\(depth) = y\(depth) }")
  }

  // MARK: Analysis

  struct LoopRef {
    var id: Int
    var loop: ForLoop
  }

  /// The enclosing loops of every labelled statement, outermost first.
  static func loopPaths(_ body: [Stmt]) -> [String: [LoopRef]] {
    var result: [String: [LoopRef]] = [:]
    var counter = 0
    func walk(_ stmts: [Stmt], _ path: [LoopRef]) {
      for s in stmts {
        switch s.kind {
        case .assign(let label, _, _, _):
          if let label { result[label] = path }
        case .forLoop(let l):
          counter += 1
          walk(l.body, path + [LoopRef(id: counter, loop: l)])
        case .ifStmt(_, let t, let e):
          walk(t, path)
          if let e { walk(e, path) }
        default: break
        }
      }
    }
    walk(body, [])
    return result
  }

  /// Statements accessing `scalar`, grouped by its flow dependences `flow`.
  static func webs(of scalar: String, flow: UnionMap, _ scop: Scop) throws -> [Swift.Set<String>] {
    let users = scop.statements.filter { $0.accesses.contains { $0.array == scalar } }.map(\.name)
    guard !users.isEmpty else { return [] }
    var parent = Dictionary(uniqueKeysWithValues: users.map { ($0, $0) })
    func find(_ x: String) -> String { var x = x; while parent[x]! != x { x = parent[x]! }; return x }
    for m in try flow.maps() {
      guard let a = m.domainTupleName, let b = m.rangeTupleName, parent[a] != nil, parent[b] != nil else { continue }
      parent[find(a)] = find(b)
    }
    var groups: [String: Swift.Set<String>] = [:]
    for u in users { groups[find(u), default: []].insert(u) }
    return groups.keys.sorted().map { groups[$0]! }
  }

  static func accesses(to scalar: String, _ scop: Scop) throws -> (reads: UnionMap, writes: UnionMap) {
    let target = try UnionSet(scop.ctx, scop.parameterPrefix + "{ \(IslNames.name(scalar))[] }")
    return (try scop.reads.intersectRange(target), try scop.writes.intersectRange(target))
  }

  static func innermostCommonLoop(_ web: Swift.Set<String>, _ loops: [String: [LoopRef]]) -> (ForLoop, Int)? {
    let paths = web.compactMap { loops[$0] }
    guard paths.count == web.count, var common = paths.first else { return nil }
    for p in paths.dropFirst() {
      var n = 0
      while n < common.count, n < p.count, common[n].id == p[n].id { n += 1 }
      common = Array(common.prefix(n))
    }
    guard let last = common.last else { return nil }
    return (last.loop, common.count - 1)
  }

  /// The loop's bounds mention no enclosing iterator (the extent is a size expression).
  static func loopBoundsAreParametric(_ loop: ForLoop, _ depth: Int, _ web: Swift.Set<String>,
                                      _ loops: [String: [LoopRef]]) -> Bool {
    guard let path = web.first.flatMap({ loops[$0] }) else { return false }
    let outer = path.prefix(depth).map(\.loop.iterator)
    return !outer.contains { loop.lower.mentions($0) || loop.upper.mentions($0) }
  }

  /// `reads`: the scalar's reads; `flow`: its flow dependences.
  static func isPrivatisable(_ web: Swift.Set<String>, reads: UnionMap, flow deps: UnionMap, depth: Int,
                             _ scop: Scop) throws -> Bool {
    let statements = scop.statements.filter { web.contains($0.name) }
    var webDomain = try UnionSet.empty(scop.ctx)
    for s in statements { webDomain = try webDomain.union(try Set(scop.ctx, s.domain).toUnionSet()) }
    // Every read of the web has a source.
    let webReads = try reads.intersectDomain(webDomain).domain()
    guard try webReads.isSubset(of: try deps.range()) else { return false }
    // Every flow dependence of the web stays within one iteration of the loop.
    let webDeps = try deps.intersectDomain(webDomain)
    for m in try webDeps.maps() {
      guard let a = m.domainTupleName, let b = m.rangeTupleName,
            let sa = scop.statement(named: a), let sb = scop.statement(named: b) else { return false }
      guard try m.isSubset(of: try sameIteration(sa, sb, depth: depth, scop)) else { return false }
    }
    return true
  }

  // MARK: Rewrite

  static func rewrite(_ kernel: CheckedKernel, _ plans: [Expansion], _ loops: [String: [LoopRef]]) -> CheckedKernel {
    var k = kernel
    var byStatement: [String: [(scalar: String, array: String, index: Expr)]] = [:]
    var declarations: [Stmt] = []
    for p in plans {
      let path = loops[p.statements[0]]!
      let loop = path.last { $0.loop.iterator == p.iterator }!.loop
      let at = loop.location
      let it = Expr(.name(loop.iterator), at: at)
      let isZero: Bool = { if case .intLiteral(0) = loop.lower.kind { return true }; return false }()
      let index = isZero ? it : Expr(.binary(.sub, it, loop.lower), at: at)
      var extent = isZero ? loop.upper : Expr(.binary(.sub, loop.upper, loop.lower), at: at)
      if loop.inclusive { extent = Expr(.binary(.add, extent, Expr(.intLiteral(1), at: at)), at: at) }
      let type = kernel.scalars[p.scalar]!.type
      k.arrays[p.array] = ArraySymbol(name: p.array, type: type, dimensions: [extent], role: nil, location: at)
      declarations.append(Stmt(.varDecl(name: p.array, type: type, dimensions: [extent], initial: nil), at: at))
      for s in p.statements { byStatement[s, default: []].append((p.scalar, p.array, index)) }
    }
    func expr(_ e: Expr, _ subs: [(scalar: String, array: String, index: Expr)]) -> Expr {
      var r = e
      switch e.kind {
      case .name(let n):
        if let s = subs.first(where: { $0.scalar == n }) { r.kind = .access(array: s.array, subscripts: [s.index]) }
      case .intLiteral, .floatLiteral: break
      case .access(let a, let ss): r.kind = .access(array: a, subscripts: ss.map { expr($0, subs) })
      case .unary(let op, let a): r.kind = .unary(op, expr(a, subs))
      case .cast(let t, let a): r.kind = .cast(t, expr(a, subs))
      case .binary(let op, let a, let b): r.kind = .binary(op, expr(a, subs), expr(b, subs))
      case .ternary(let c, let a, let b): r.kind = .ternary(expr(c, subs), expr(a, subs), expr(b, subs))
      case .call(let f, let args): r.kind = .call(function: f, arguments: args.map { expr($0, subs) })
      }
      return r
    }
    func block(_ stmts: [Stmt]) -> [Stmt] {
      stmts.compactMap { s -> Stmt? in
        var r = s
        switch s.kind {
        case .assign(let label, let target, let op, let value):
          if let label, let subs = byStatement[label] {
            r.kind = .assign(label: label, target: expr(target, subs), op: op, value: expr(value, subs))
          }
        case .forLoop(var l):
          l.body = block(l.body)
          r.kind = .forLoop(l)
        case .ifStmt(let c, let t, let e):
          r.kind = .ifStmt(condition: c, then: block(t), else: e.map(block))
        default: break
        }
        return r
      }
    }
    var body = block(kernel.file.body)
    // A scalar all of whose webs were expanded is gone: drop its declaration.
    let gone = Swift.Set(plans.map(\.scalar)).filter { !mentioned($0, body) }
    body.removeAll { if case .varDecl(let name, _, _, _) = $0.kind { return gone.contains(name) }; return false }
    for s in gone { k.scalars[s] = nil }
    k.file.body = declarations + body
    return k
  }

  /// Whether any statement or guard names `scalar`.
  static func mentioned(_ scalar: String, _ body: [Stmt]) -> Bool {
    body.contains { s in
      switch s.kind {
      case .assign(_, let t, _, let v): return t.mentions(scalar) || v.mentions(scalar)
      case .forLoop(let l): return mentioned(scalar, l.body)
      case .ifStmt(let c, let t, let e): return c.mentions(scalar) || mentioned(scalar, t) || mentioned(scalar, e ?? [])
      default: return false
      }
    }
  }
}
