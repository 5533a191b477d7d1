//===- RowProblem.swift - The ILP of one schedule dimension ---------------===//
//
// Variables, per statement S of the group (created in this order, which is
// the tie-breaking order after the costs, as in Pluto: inner iterators first
// so that outer loops are preferred):
//   c_S,m   iterator coefficients (split into c+ - c- when signs are "any"),
//   d_S,k   parameter coefficients (only with parametricShift),
//   c0_S    the constant shift.
// Constraints (Farkas-linearised over each dependence edge S -> T, i.e. the
// coefficient vector of the affine form must lie in isl's coefficients of
// the edge):
//   validity     theta_T(y) - theta_S(x) >= 0  (>= 1 for the edges Feautrier's
//                                               cost chose to satisfy strongly)
//   coincidence  theta_S(x) - theta_T(y) >= 0        (distance exactly 0)
//   proximity    u.n + w - (theta_T(y) - theta_S(x)) >= 0
//   parallelism  B p (1 + sum n) - (theta_T(y) - theta_S(x)) >= 0, p in {0,1}
//                (both on exact edges only: an approximate edge's distances
//                may be unbounded, see Edge.isApproximate)
//   progression  h . c_S >= 0 for every h of the orthogonal complement of
//                S's rows and sum h . c_S >= 1 (Pluto's non-negative H-perp)
// Costs are cost variables minimised first, in the configured order, then
// sum |c|, sum d, sum c0, then the individual variables.
//
//===----------------------------------------------------------------------===//

import PolycISL

struct RowProblem {
  let problem: Problem
  let group: [Int]
  let config: DimensionConfig
  let depth: Int
  let directives: DirectivePlan
  /// +1: Pluto's progression h . c >= 0; -1: the mirrored orthant (-h . c >= 0), for reversed loops.
  let progressionDirection: Int

  struct Vars {
    var iterators: [LinExpr] = []
    /// |c_m| as a linear expression (c+ + c- when split).
    var magnitudes: [LinExpr] = []
    var parameters: [LinExpr] = []
    var constant = LinExpr()
    var fixed = false
  }

  /// The lexicographically smallest row, or nil. Edges of `live` at the
  /// indices in `strict` must be strongly satisfied (distance >= 1); with
  /// `feasibilityOnly` the costs are skipped and any solution will do.
  func solve(validity: [Edge], live: [Edge], coincidence: Bool, placeDirectives: Bool,
             strict: Swift.Set<Int> = [], feasibilityOnly: Bool = false) throws -> [Int: Row]? {
    let ilp = ILP()
    var vars: [Int: Vars] = [:]
    for s in group { vars[s] = makeVariables(ilp, problem.nodes[s]) }
    let costs = feasibilityOnly ? [] : config.costs.filter { $0 != .feautrier }
    for e in validity {
      try farkas(ilp, e, vars, sign: 1, constant: LinExpr(), parameter: { _ in LinExpr() })
    }
    for i in strict.sorted() {
      try farkas(ilp, live[i], vars, sign: 1, constant: LinExpr(constant: -1), parameter: { _ in LinExpr() })
    }
    if coincidence {
      for e in live { try farkas(ilp, e, vars, sign: -1, constant: LinExpr(), parameter: { _ in LinExpr() }) }
    }
    try addDirectives(ilp, vars, live, place: placeDirectives)
    addProgression(ilp, vars)
    try addCustomConstraints(ilp, vars)
    for cost in costs {
      switch cost {
      case .proximity: try addProximity(ilp, vars, validity)
      case .contiguity:
        ilp.minimise("contiguity", weighted(vars) { problem.nodes[$0].contiguityWeights })
      case .bigLoopsFirst:
        ilp.minimise("bigLoopsFirst", weighted(vars) { problem.nodes[$0].bigLoopWeights })
      case .feautrier:
        break
      case .parallelism: try addParallelism(ilp, vars, live)
      }
    }
    if feasibilityOnly {
      guard try ilp.isFeasible(problem.ctx) else { return nil }
      return [:]
    }
    ilp.minimise("sum|c|", LinExpr.sum(group.flatMap { vars[$0]!.fixed ? [] : vars[$0]!.magnitudes }))
    ilp.minimise("sum d", LinExpr.sum(group.flatMap { vars[$0]!.fixed ? [] : vars[$0]!.parameters }))
    ilp.minimise("sum c0", LinExpr.sum(group.map { vars[$0]!.fixed ? LinExpr() : vars[$0]!.constant }))
    guard let solution = try ilp.solve(problem.ctx) else { return nil }
    func value(_ e: LinExpr) -> Int { e.terms.reduce(e.constant) { $0 + $1.value * solution[$1.key] } }
    var rows: [Int: Row] = [:]
    for s in group {
      let v = vars[s]!
      rows[s] = Row(iterators: v.iterators.map(value), parameters: v.parameters.map(value), constant: value(v.constant))
    }
    return rows
  }

  // MARK: Variables

  func makeVariables(_ ilp: ILP, _ n: Node) -> Vars {
    var v = Vars()
    let np = problem.parameters.count
    if let row = directives.fixedRow(n.index, depth: depth, parameters: problem.parameters) {
      v.fixed = true
      v.iterators = row.iterators.map { LinExpr(constant: $0) }
      v.magnitudes = row.iterators.map { LinExpr(constant: abs($0)) }
      v.parameters = row.parameters.map { LinExpr(constant: $0) }
      v.constant = LinExpr(constant: row.constant)
      return v
    }
    let bound = config.maxCoefficient
    v.iterators = Array(repeating: LinExpr(), count: n.dims)
    v.magnitudes = Array(repeating: LinExpr(), count: n.dims)
    for m in (0..<n.dims).reversed() {
      if config.signs == .any {
        let neg = ilp.newVariable("\(n.name).\(n.info.iterators[m])-", lower: 0, upper: bound)
        let pos = ilp.newVariable("\(n.name).\(n.info.iterators[m])+", lower: 0, upper: bound)
        v.iterators[m] = LinExpr.variable(pos) - LinExpr.variable(neg)
        v.magnitudes[m] = LinExpr.variable(pos) + LinExpr.variable(neg)
        ilp.require(LinExpr(constant: bound) - v.magnitudes[m])
      } else {
        let c = ilp.newVariable("\(n.name).\(n.info.iterators[m])", lower: 0, upper: bound)
        v.iterators[m] = LinExpr.variable(c)
        v.magnitudes[m] = LinExpr.variable(c)
      }
    }
    v.parameters = (0..<np).map { k in
      config.parametricShift ? LinExpr.variable(ilp.newVariable("\(n.name).\(problem.parameters[k])", lower: 0, upper: bound)) : LinExpr()
    }
    v.constant = LinExpr.variable(ilp.newVariable("\(n.name).const", lower: 0, upper: config.maxShift))
    if !config.skewing && n.dims > 1 { ilp.require(LinExpr(constant: 1) - LinExpr.sum(v.magnitudes)) }
    return v
  }

  // MARK: Constraints

  /// `sign * (theta_T(y) - theta_S(x)) + constant + parameter(k) * n_k >= 0` on edge `e`.
  func farkas(_ ilp: ILP, _ e: Edge, _ vars: [Int: Vars], sign: Int, constant: LinExpr,
              parameter: (Int) -> LinExpr) throws {
    guard let s = vars[e.source], let t = vars[e.sink] else { return }
    let dual = try e.farkas()
    let np = try e.parameters()
    let index = Dictionary(problem.parameters.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    var forms: [LinExpr] = []
    forms.append((t.constant - s.constant).scaled(sign) + constant)
    for name in np {
      guard let k = index[name] else { forms.append(LinExpr()); continue }
      forms.append((t.parameters[k] - s.parameters[k]).scaled(sign) + parameter(k))
    }
    if e.usesDeltas {
      forms += t.iterators.map { $0.scaled(sign) }
    } else {
      forms += s.iterators.map { $0.scaled(-sign) }
      forms += t.iterators.map { $0.scaled(sign) }
    }
    ilp.requireFarkas(dual, forms)
  }

  func addProgression(_ ilp: ILP, _ vars: [Int: Vars]) {
    for s in group {
      let n = problem.nodes[s]
      guard let v = vars[s], !v.fixed, !n.isComplete else { continue }
      let basis = Algebra.orthogonalComplement(n.rows.map(\.iterators), columns: n.dims)
      var total = LinExpr()
      for h in basis {
        let dot = LinExpr.sum(zip(h, v.iterators).map { $1.scaled($0 * progressionDirection) })
        ilp.require(dot)
        total = total + dot
      }
      ilp.require(total, atLeast: 1)
    }
  }

  func addProximity(_ ilp: ILP, _ vars: [Int: Vars], _ edges: [Edge]) throws {
    let u = problem.parameters.map { ilp.newVariable("u_\($0)", lower: 0) }
    let w = ilp.newVariable("w", lower: 0)
    for x in u { ilp.minimise(x) }
    ilp.minimise(w)
    for e in edges where !e.isApproximate {
      try farkas(ilp, e, vars, sign: -1, constant: LinExpr.variable(w), parameter: { LinExpr.variable(u[$0]) })
    }
  }

  func addParallelism(_ ilp: ILP, _ vars: [Int: Vars], _ live: [Edge]) throws {
    let big = 4 * config.maxCoefficient * ((problem.nodes.map(\.dims).max() ?? 1) + 1) + 2 * (config.maxShift ?? 8) + 16
    var carried: [LinExpr] = []
    for e in live where !e.isApproximate {
      let p = ilp.newVariable("p", lower: 0, upper: 1)
      carried.append(LinExpr.variable(p))
      try farkas(ilp, e, vars, sign: -1, constant: LinExpr.variable(p, big), parameter: { _ in LinExpr.variable(p, big) })
    }
    ilp.minimise("carried", LinExpr.sum(carried))
  }

  func weighted(_ vars: [Int: Vars], _ weights: (Int) -> [Int]) -> LinExpr {
    LinExpr.sum(group.flatMap { s -> [LinExpr] in
      guard let v = vars[s], !v.fixed else { return [] }
      return zip(weights(s), v.magnitudes).map { $1.scaled($0) }
    })
  }

  func addCustomConstraints(_ ilp: ILP, _ vars: [Int: Vars]) throws {
    let members = Swift.Set(group.map { problem.nodes[$0].name })
    for c in config.constraints {
      guard c.terms.allSatisfy({ members.contains($0.statement) }) else { continue }
      var e = LinExpr(constant: c.constant)
      for t in c.terms {
        guard let n = problem.nodes.first(where: { $0.name == t.statement }), let v = vars[n.index] else { continue }
        if t.name == "const" {
          e = e + v.constant.scaled(t.coefficient)
        } else if let m = n.iteratorIndex(t.name) {
          e = e + v.iterators[m].scaled(t.coefficient)
        } else if let k = problem.parameters.firstIndex(where: { $0 == t.name || $0 == t.name + "_" }) {
          e = e + v.parameters[k].scaled(t.coefficient)
        }
      }
      if c.isEquality { ilp.requireZero(e) } else { ilp.require(e) }
    }
  }

  /// Parallel and vector directives: the directive's iterator is either the
  /// whole row (pure iterator, coincident on the statement's live edges) or
  /// absent from it.
  func addDirectives(_ ilp: ILP, _ vars: [Int: Vars], _ live: [Edge], place: Bool) throws {
    for d in directives.loopDirectives where d.kind == .parallel || d.kind == .vector {
      guard group.contains(d.statement), let v = vars[d.statement], !v.fixed else { continue }
      let n = problem.nodes[d.statement]
      if directives.isPlaced(d, n) {
        ilp.requireZero(v.iterators[d.iterator])
        continue
      }
      let onlyLeft = n.rank == n.dims - 1
      let now = d.kind == .vector ? onlyLeft : (place || onlyLeft)
      if now {
        for (m, c) in v.iterators.enumerated() { ilp.requireZero(c - LinExpr(constant: m == d.iterator ? 1 : 0)) }
        for e in live where e.source == d.statement || e.sink == d.statement {
          try farkas(ilp, e, vars, sign: -1, constant: LinExpr(), parameter: { _ in LinExpr() })
        }
      } else {
        ilp.requireZero(v.iterators[d.iterator])
      }
    }
  }
}
