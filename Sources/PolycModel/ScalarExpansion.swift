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
// With `accumulators` (strategy `"scalarExpansion": "accumulators"`), a web
// that is not expanded so and is an accumulator (one of its statements, in
// a loop below the common ones, reads and writes the scalar: ludcmp's
// `w -= A[i][k] * A[k][j]`) with at least two common loops is expanded along
// all of them instead (`w` -> `w_ij[i][j]`), parallel or not: as an array element the sum no
// longer orders the iterations of the enclosing loops, so the scheduler may
// interchange the reduction loop with them, as it does in lu (each element
// still receives its updates in the same order). A triangular loop is sized
// by its enclosing loop's bound (`j < i < n`: n elements).
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
    /// The loop iterators the web is expanded along, outermost first (one, unless an accumulator).
    package var iterators: [String]
    package var statements: [String]
    /// The innermost loop iterator the web is expanded along.
    package var iterator: String { iterators.last! }
  }

  /// The kernel with its privatisable scalars expanded, and what was expanded.
  package static func apply(_ kernel: CheckedKernel, ctx: Context = Context(), accumulators: Bool = false) throws
    -> (CheckedKernel, [Expansion]) {
    let r = try expand(kernel, ctx: ctx, accumulators: accumulators)
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

  package static func expand(_ kernel: CheckedKernel, ctx: Context = Context(), accumulators: Bool = false) throws -> Result {
    let scop = try Scop.build(kernel, ctx: ctx)
    let loops = loopPaths(kernel.file.body)
    var plans: [Plan] = []
    var candidates: [(scalar: String, web: Swift.Set<String>, reads: UnionMap, flow: UnionMap)] = []
    let reserved = Swift.Set(kernel.scalars.keys).union(kernel.arrays.keys).union(kernel.sizeParameters)
    var taken = reserved
    func arrayName(_ scalar: String, _ iterators: [String]) -> String {
      var name = "\(scalar)_\(iterators.joined())"
      var k = 1
      while taken.contains(name) { k += 1; name = "\(scalar)_\(iterators.joined())\(k)" }
      taken.insert(name)
      return name
    }
    for s in kernel.scalars.values.sorted(by: { $0.name < $1.name }) where !s.isParameter {
      let (reads, writes) = try accesses(to: s.name, scop)
      // The schedule restricted to the statements that use the scalar: the same relative order,
      // and a much smaller problem for isl on kernels with many statements (deriche).
      let users = try reads.domain().union(try writes.domain())
      let flow = try Flow.compute(sink: reads, mustSource: writes, schedule: try scop.originalSchedule.intersectDomain(users)).must
      for web in try webs(of: s.name, flow: flow, scop) {
        candidates.append((s.name, web, reads, flow))
        guard let (loop, depth) = innermostCommonLoop(web, loops), loopBoundsAreParametric(loop, depth, web, loops),
              try isPrivatisable(web, reads: reads, flow: flow, depths: [depth], scop) else { continue }
        let dim = dimension(loops[web.first!]!, depth)!
        plans.append(Plan(expansion: Expansion(scalar: s.name, array: arrayName(s.name, [loop.iterator]), iterators: [loop.iterator],
                                               statements: web.sorted()),
                          loopID: loops[web.first!]![depth].id, depth: depth, dims: [dim]))
      }
    }
    // Keep only expansions that make their loop parallel: privatising a
    // scalar in a loop that stays sequential only costs memory.
    var result = Result(kernel: kernel, expansions: [], scop: nil)
    while !plans.isEmpty {
      let expanded = rewrite(kernel, plans)
      let (carried, model) = try carriedLoops(expanded, plans, loops, ctx)
      if carried.isEmpty {
        result = Result(kernel: expanded, expansions: plans.map(\.expansion), scop: model)
        break
      }
      plans.removeAll { carried.contains($0.loopID) }
    }
    guard accumulators else { return result }
    // Accumulators not expanded above: along all their common loops. The names of the plans
    // dropped above are free again.
    let expandedStatements = Swift.Set(plans.flatMap(\.expansion.statements))
    taken = reserved.union(plans.map(\.expansion.array))
    var more: [Plan] = []
    for c in candidates where c.web.isDisjoint(with: expandedStatements) {
      // At least two common loops: then the reduction loop and the two around it form an lu-like
      // nest the scheduler can interchange and tile. Along one loop (durbin's `sum`, gramschmidt's
      // `nrm`, ludcmp's substitutions) the array bought nothing measurable or cost 8% (durbin).
      guard let (_, depth) = innermostCommonLoop(c.web, loops), depth >= 1,
            isAccumulator(c.web, c.scalar, depth, loops, scop) else { continue }
      let path = loops[c.web.first!]!
      let dims = (0...depth).compactMap { dimension(path, $0) }
      guard dims.count == depth + 1,
            try isPrivatisable(c.web, reads: c.reads, flow: c.flow, depths: Array(0...depth), scop) else { continue }
      let iterators = path.prefix(depth + 1).map(\.loop.iterator)
      more.append(Plan(expansion: Expansion(scalar: c.scalar, array: arrayName(c.scalar, iterators), iterators: iterators,
                                            statements: c.web.sorted()),
                       loopID: path[depth].id, depth: depth, dims: dims))
    }
    guard !more.isEmpty else { return result }
    let all = plans + more
    return Result(kernel: rewrite(kernel, all), expansions: all.map(\.expansion), scop: nil)
  }

  struct Plan {
    var expansion: Expansion
    /// The innermost loop expanded along, and its depth.
    var loopID: Int
    var depth: Int
    /// The new array's subscript and extent per expanded loop, outermost first.
    var dims: [(index: Expr, extent: Expr)]
  }

  /// Whether a statement of `web`, in a loop below the web's `depth + 1` common loops, both reads
  /// and writes `scalar` (a reduction into it).
  static func isAccumulator(_ web: Swift.Set<String>, _ scalar: String, _ depth: Int, _ loops: [String: [LoopRef]],
                            _ scop: Scop) -> Bool {
    web.contains { name in
      guard let s = scop.statement(named: name), (loops[name]?.count ?? 0) > depth + 1 else { return false }
      let a = s.accesses.filter { $0.array == scalar }
      return a.contains(where: \.isWrite) && a.contains { !$0.isWrite }
    }
  }

  /// The subscript and extent of the expanded array along the loop at `depth` of `path`: the
  /// iterator minus a lower bound that is a size expression, else the iterator itself when the
  /// lower bound is an enclosing iterator plus a non-negative constant (j in i ..< n); the extent
  /// reaches the iterator's exclusive bound (`end`). Nil otherwise.
  static func dimension(_ path: [LoopRef], _ depth: Int) -> (index: Expr, extent: Expr)? {
    let loop = path[depth].loop
    let at = loop.location
    guard let end = end(path, depth) else { return nil }
    let it = Expr(.name(loop.iterator), at: at)
    if isSizeExpression(loop.lower, path, depth) {
      if case .intLiteral(0) = loop.lower.kind { return (it, end) }
      // (upper - lower) + 1 for an inclusive range with a size-expression upper bound.
      let extent = isSizeExpression(loop.upper, path, depth) && loop.inclusive
        ? Expr(.binary(.add, Expr(.binary(.sub, loop.upper, loop.lower), at: at), Expr(.intLiteral(1), at: at)), at: at)
        : Expr(.binary(.sub, end, loop.lower), at: at)
      return (Expr(.binary(.sub, it, loop.lower), at: at), extent)
    }
    if let (o, c) = iteratorPlusConstant(loop.lower, path, depth), c >= 0, isNonNegative(path, o) { return (it, end) }
    return nil
  }

  /// A size expression bounding the iterator of the loop at `depth` from above (exclusive): its
  /// upper bound when that is a size expression, else, for an enclosing iterator `o` plus a
  /// constant `c`, `end(o) + c` (it <= o + c and o < end(o)).
  static func end(_ path: [LoopRef], _ depth: Int) -> Expr? {
    let loop = path[depth].loop
    let at = loop.location
    func plus(_ e: Expr, _ c: Int) -> Expr {
      c == 0 ? e : Expr(.binary(c > 0 ? .add : .sub, e, Expr(.intLiteral(Int(c.magnitude)), at: at)), at: at)
    }
    if isSizeExpression(loop.upper, path, depth) { return loop.inclusive ? plus(loop.upper, 1) : loop.upper }
    guard let (o, c) = iteratorPlusConstant(loop.upper, path, depth), c.magnitude <= 1_000_000, let outer = end(path, o) else { return nil }
    return plus(outer, c)
  }

  /// Whether `e` names no iterator of the loops enclosing the one at `depth`.
  static func isSizeExpression(_ e: Expr, _ path: [LoopRef], _ depth: Int) -> Bool {
    !path.prefix(depth).contains { e.mentions($0.loop.iterator) }
  }

  /// `o + c`, `c + o` or `o - c` with `o` the iterator of an enclosing loop (returned as its depth).
  static func iteratorPlusConstant(_ e: Expr, _ path: [LoopRef], _ depth: Int) -> (Int, Int)? {
    let outer = path.prefix(depth).map(\.loop.iterator)
    switch e.kind {
    case .name(let n): return outer.firstIndex(of: n).map { ($0, 0) }
    case .binary(.add, let a, let b):
      if case .name(let n) = a.kind, case .intLiteral(let c) = b.kind, let o = outer.firstIndex(of: n) { return (o, c) }
      if case .name(let n) = b.kind, case .intLiteral(let c) = a.kind, let o = outer.firstIndex(of: n) { return (o, c) }
      return nil
    case .binary(.sub, let a, let b):
      if case .name(let n) = a.kind, case .intLiteral(let c) = b.kind, c != Int.min, let o = outer.firstIndex(of: n) { return (o, -c) }
      return nil
    default: return nil
    }
  }

  /// Whether the iterator of the loop at `depth` of `path` never goes below 0.
  static func isNonNegative(_ path: [LoopRef], _ depth: Int) -> Bool {
    let lower = path[depth].loop.lower
    if case .intLiteral(let v) = lower.kind { return v >= 0 }
    if case .name(let n) = lower.kind, let o = path.prefix(depth).firstIndex(where: { $0.loop.iterator == n }) {
      return isNonNegative(path, o)
    }
    return false
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
    return isSizeExpression(loop.lower, path, depth) && isSizeExpression(loop.upper, path, depth)
  }

  /// `reads`: the scalar's reads; `flow`: its flow dependences; `depths`: the loops (by depth)
  /// every flow dependence of the web must stay within one iteration of.
  static func isPrivatisable(_ web: Swift.Set<String>, reads: UnionMap, flow deps: UnionMap, depths: [Int],
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
      for depth in depths {
        guard try m.isSubset(of: try sameIteration(sa, sb, depth: depth, scop)) else { return false }
      }
    }
    return true
  }

  // MARK: Rewrite

  static func rewrite(_ kernel: CheckedKernel, _ plans: [Plan]) -> CheckedKernel {
    var k = kernel
    var byStatement: [String: [(scalar: String, array: String, index: [Expr])]] = [:]
    var declarations: [Stmt] = []
    for plan in plans {
      let p = plan.expansion
      let at = plan.dims.last!.index.location
      let extents = plan.dims.map(\.extent)
      let type = kernel.scalars[p.scalar]!.type
      k.arrays[p.array] = ArraySymbol(name: p.array, type: type, dimensions: extents, role: nil, location: at)
      declarations.append(Stmt(.varDecl(name: p.array, type: type, dimensions: extents, initial: nil), at: at))
      for s in p.statements { byStatement[s, default: []].append((p.scalar, p.array, plan.dims.map(\.index))) }
    }
    func expr(_ e: Expr, _ subs: [(scalar: String, array: String, index: [Expr])]) -> Expr {
      var r = e
      switch e.kind {
      case .name(let n):
        if let s = subs.first(where: { $0.scalar == n }) { r.kind = .access(array: s.array, subscripts: s.index) }
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
    let gone = Swift.Set(plans.map(\.expansion.scalar)).filter { !mentioned($0, body) }
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
