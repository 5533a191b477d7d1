//===- PolyTOPS.swift - Our ILP scheduler, one hyperplane at a time -------===//
//
// The algorithm of Pluto (Bondhugula et al., PLDI 2008) as generalised by
// PolyTOPS (Consolaro et al., 2024): the schedule is found one dimension
// (hyperplane) at a time. For each dimension an ILP over the schedule
// coefficients of every statement of the current group (see RowProblem.swift):
//
//   validity      theta_T(y) - theta_S(x) >= 0 on every dependence edge not
//                 satisfied before the current band (Farkas-linearised),
//   progression   the new row is linearly independent of the statement's rows,
//   coincidence   optional: distance 0 on every edge still live (parallel),
//   bounds, signs, skewing, custom constraints and directives,
//
// then the strategy's cost functions, minimised lexicographically. Rows found
// in a row form a permutable band (Pluto) or one row per band (Feautrier).
// When no row exists the strongly connected components of the dependence
// graph are distributed (a sequence node), as Pluto's cut; the fusion policy
// may distribute earlier. The result is a `Tree`, turned into an isl schedule
// tree by `TreeBuilder`.
//
//   for i, j: S0      band [i | i], permutable, coincident [1, 1, 0]
//   for i, k, j: S1   (gemm, max fusion) -> band (i, j, k) over S0, S1
//
//===----------------------------------------------------------------------===//

import PolycISL

/// Why a scheduler gave up (the driver falls back to the next backend; when
/// every backend fails, this reaches the user).
public struct SchedulingFailure: Error, CustomStringConvertible, Sendable {
  /// Which backend gave up and why.
  public var message: String
  /// The message.
  public var description: String { message }
}

/// A schedule tree as the scheduler builds it.
indirect enum Tree {
  case leaf([Int])
  /// Rows per member (statement index -> row); permutable; coincident per member.
  case band(members: [[Int: Row]], permutable: Bool, coincident: [Bool], child: Tree)
  case sequence([Tree])
}

final class PolyTOPS {
  let problem: Problem
  let strategy: Strategy
  let directives: DirectivePlan
  var notes: [String] = []

  init(problem: Problem, strategy: Strategy, directives: DirectivePlan) {
    self.problem = problem
    self.strategy = strategy
    self.directives = directives
  }

  var nodes: [Node] { problem.nodes }

  func run() throws -> Tree {
    let all = nodes.map(\.index)
    if case .groups(let groups) = strategy.fusion {
      let parts = try explicitGroups(groups)
      if parts.count > 1 {
        return .sequence(try parts.map { try schedule($0, edges: edges(within: $0, problem.edges), fuse: .max) })
      }
      return try schedule(all, edges: problem.edges, fuse: .max)
    }
    return try schedule(all, edges: problem.edges, fuse: strategy.fusion)
  }

  func edges(within group: [Int], _ edges: [Edge]) -> [Edge] {
    let g = Swift.Set(group)
    return edges.filter { g.contains($0.source) && g.contains($0.sink) }
  }

  // MARK: The recursion

  func schedule(_ group: [Int], edges: [Edge], fuse: FusionPolicy) throws -> Tree {
    if group.allSatisfy({ nodes[$0].isComplete }) { return try finish(group, edges) }
    if let parts = preCut(group, edges, fuse), parts.count > 1 {
      return .sequence(try parts.map { try schedule($0, edges: self.edges(within: $0, edges), fuse: fuse) })
    }
    var (members, coincident, live) = try growBand(group, edges, relaxed: false)
    if members.isEmpty {
      let parts = sccOrder(group, edges)
      if parts.count <= 1 {
        (members, coincident, live) = try growBand(group, edges, relaxed: true)
        if !members.isEmpty {
          notes.append("dimension \(nodes[group[0]].rows.count - members.count): {\(group.map { nodes[$0].name }.joined(separator: ", "))} needs negative coefficients")
        }
      }
    }
    if members.isEmpty {
      let parts = sccOrder(group, edges)
      guard parts.count > 1 else {
        let names = group.map { nodes[$0].name }.joined(separator: ", ")
        throw SchedulingFailure(message: "no legal schedule row for {\(names)} at dimension \(nodes[group[0]].rows.count)")
      }
      notes.append("dimension \(nodes[group[0]].rows.count): no row for {\(group.map { nodes[$0].name }.joined(separator: ", "))}; distributed into \(parts.count) groups")
      return .sequence(try parts.map { try schedule($0, edges: self.edges(within: $0, edges), fuse: fuse) })
    }
    if fuse == .connected, let parts = contiguitySplit(group, edges, members) {
      for s in group { nodes[s].rows.removeLast(members.count(where: { $0[s] != nil })) }
      notes.append("dimension \(nodes[group[0]].rows.count): fusing {\(group.map { nodes[$0].name }.joined(separator: ", "))} "
        + "would keep their stride-1 loop outside their inner loops; distributed into \(parts.count) groups")
      return .sequence(try parts.map { try schedule($0, edges: self.edges(within: $0, edges), fuse: fuse) })
    }
    let child = try schedule(group, edges: live, fuse: fuse)
    return .band(members: members, permutable: strategy.permutableBands && members.count > 1, coincident: coincident, child: child)
  }

  /// Finds the rows of one band: each weakly satisfies every edge live at
  /// the band's start (permutable), or a single row (Feautrier). `relaxed`
  /// allows negative coefficients when the strategy asks for non-negative ones.
  func growBand(_ group: [Int], _ edges: [Edge], relaxed: Bool) throws -> ([[Int: Row]], [Bool], [Edge]) {
    var live = edges
    var members: [[Int: Row]] = []
    var coincident: [Bool] = []
    while !group.allSatisfy({ nodes[$0].isComplete }) {
      let depth = nodes[group[0]].rows.count
      var found = try findRow(group, validity: edges, live: live, depth: depth, relaxed: relaxed)
      if found == nil, !relaxed, !members.isEmpty, sccOrder(group, edges).count <= 1 {
        // A reversed loop (`for j in reverse ..`, deriche's and adi's
        // backward sweeps) needs a negative coefficient: rather than end the
        // band (and lose tiling and interchange), continue it with one.
        found = try findRow(group, validity: edges, live: live, depth: depth, relaxed: true)
        if found != nil {
          notes.append("dimension \(depth): band over {\(group.map { nodes[$0].name }.joined(separator: ", "))} continued with negative coefficients")
        }
      }
      guard let rows = found else { break }
      let (remaining, parallel) = try refine(live, rows)
      for (s, r) in rows { nodes[s].rows.append(r) }
      members.append(rows)
      coincident.append(parallel)
      live = remaining
      if !strategy.permutableBands { break }
    }
    return (members, coincident, live)
  }

  /// Every statement has a full-rank schedule: order what is left by a sequence.
  func finish(_ group: [Int], _ edges: [Edge]) throws -> Tree {
    if group.count == 1 { return .leaf(group) }
    let parts = sccOrder(group, edges)
    for p in parts where p.count > 1 {
      throw SchedulingFailure(message: "statements \(p.map { nodes[$0].name }.joined(separator: ", ")) depend on each other at equal schedule times")
    }
    return .sequence(parts.map { .leaf($0) })
  }

  /// The remaining part of each live edge after `rows`, and whether no edge is carried.
  func refine(_ live: [Edge], _ rows: [Int: Row]) throws -> ([Edge], Bool) {
    var remaining: [Edge] = []
    var parallel = true
    for e in live {
      let zero = try problem.distanceSet(e, rows: rows, "=")
      let w = try e.relation.wrap()
      if try w.isSubset(of: zero) { remaining.append(e); continue }
      parallel = false
      let rest = try w.intersect(zero).unwrap()
      if try rest.isEmpty() { continue }
      for part in try rest.basicMapParts() where !(try part.isEmpty()) {
        remaining.append(Edge(source: e.source, sink: e.sink, relation: part, isApproximate: e.isApproximate))
      }
    }
    return (remaining, parallel)
  }

  // MARK: Fusion

  /// Distribution before a band, as the fusion policy asks.
  func preCut(_ group: [Int], _ edges: [Edge], _ fuse: FusionPolicy) -> [[Int]]? {
    guard group.count > 1 else { return nil }
    switch fuse {
    case .max, .groups: return nil
    case .none: return sccOrder(group, edges)
    case .smart, .connected:
      var parts: [[Int]] = []
      var lastDim = -1
      for scc in sccOrder(group, edges) {
        let d = scc.map { nodes[$0].remainingDimensions }.max() ?? 0
        if d == lastDim, let last = parts.last, fuse != .connected || connects(last, scc, edges) {
          parts[parts.count - 1] += scc
        } else {
          parts.append(scc)
        }
        lastDim = d
      }
      return parts
    }
  }

  /// `connected` fusion: the components of `group` when fusing them made a
  /// band that uses every statement's stride-1 iterator (the one most often
  /// in last subscripts, strictly) while loops remain inside the band for
  /// every statement: those inner loops cannot become innermost-contiguous
  /// (gramschmidt's `R[k][j] += Q[i][k]*A[i][j]` and `A[i][j] -= ..`
  /// fused along j). Separately, each component keeps its own permutable band.
  func contiguitySplit(_ group: [Int], _ edges: [Edge], _ members: [[Int: Row]]) -> [[Int]]? {
    guard group.count > 1 else { return nil }
    for s in group {
      let n = nodes[s]
      guard !n.isComplete, let best = n.contiguityWeights.indices.max(by: { n.contiguityWeights[$0] < n.contiguityWeights[$1] }),
            n.contiguityWeights.filter({ $0 == n.contiguityWeights[best] }).count == 1,
            members.contains(where: { ($0[s]?.iterators[best] ?? 0) != 0 }) else { return nil }
    }
    let parts = sccOrder(group, edges)
    return parts.count > 1 ? parts : nil
  }

  /// Whether a dependence runs between the two statement sets (either way).
  func connects(_ a: [Int], _ b: [Int], _ edges: [Edge]) -> Bool {
    let sa = Swift.Set(a), sb = Swift.Set(b)
    return edges.contains { (sa.contains($0.source) && sb.contains($0.sink)) || (sb.contains($0.source) && sa.contains($0.sink)) }
  }

  /// Strongly connected components of the statement graph, in a topological
  /// order that keeps the textual order where the dependences allow.
  func sccOrder(_ group: [Int], _ edges: [Edge]) -> [[Int]] {
    let g = Swift.Set(group)
    var succ: [Int: Swift.Set<Int>] = [:]
    for e in edges where g.contains(e.source) && g.contains(e.sink) && e.source != e.sink { succ[e.source, default: []].insert(e.sink) }
    var index: [Int: Int] = [:], low: [Int: Int] = [:], onStack = Swift.Set<Int>()
    var stack: [Int] = [], counter = 0
    var comps: [[Int]] = []
    func connect(_ v: Int) {
      index[v] = counter; low[v] = counter; counter += 1
      stack.append(v); onStack.insert(v)
      for w in (succ[v] ?? []).sorted() {
        if index[w] == nil { connect(w); low[v] = min(low[v]!, low[w]!) } else if onStack.contains(w) { low[v] = min(low[v]!, index[w]!) }
      }
      if low[v] == index[v] {
        var comp: [Int] = []
        while let w = stack.popLast() { onStack.remove(w); comp.append(w); if w == v { break } }
        comps.append(comp.sorted())
      }
    }
    for v in group.sorted() where index[v] == nil { connect(v) }
    var compOf: [Int: Int] = [:]
    for (c, comp) in comps.enumerated() { for v in comp { compOf[v] = c } }
    var indeg = Array(repeating: 0, count: comps.count)
    var compSucc = Array(repeating: Swift.Set<Int>(), count: comps.count)
    for (v, ws) in succ { for w in ws where compOf[v] != compOf[w] {
      if compSucc[compOf[v]!].insert(compOf[w]!).inserted { indeg[compOf[w]!] += 1 }
    } }
    var ready = Swift.Set((0..<comps.count).filter { indeg[$0] == 0 })
    var order: [[Int]] = []
    while let c = ready.min(by: { comps[$0][0] < comps[$1][0] }) {
      ready.remove(c)
      order.append(comps[c])
      for d in compSucc[c] { indeg[d] -= 1; if indeg[d] == 0 { ready.insert(d) } }
    }
    return order
  }

  /// The explicit fusion groups as statement indices, checked against the dependences.
  func explicitGroups(_ groups: [[String]]) throws -> [[Int]] {
    let byName = Dictionary(nodes.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
    var parts: [[Int]] = []
    var groupOf: [Int: Int] = [:]
    for (gi, g) in groups.enumerated() {
      var part: [Int] = []
      for (si, name) in g.enumerated() {
        guard let s = byName[name] else {
          throw strategy.error("fusion.groups[\(gi)][\(si)]", "unknown statement '\(name)' (the kernel has \(nodes.map(\.name).joined(separator: ", ")))")
        }
        part.append(s)
        groupOf[s] = gi
      }
      parts.append(part)
    }
    for n in nodes where groupOf[n.index] == nil {
      throw strategy.error("fusion.groups", "statement '\(n.name)' is in no fusion group")
    }
    for e in problem.edges where groupOf[e.source]! > groupOf[e.sink]! {
      let kind = directives.kindName(of: e)
      throw strategy.error("fusion.groups", "group \(groupOf[e.sink]!) (\(nodes[e.sink].name)) runs before group \(groupOf[e.source]!) (\(nodes[e.source].name)) but depends on it through the \(kind) dependence \(nodes[e.source].name) -> \(nodes[e.sink].name)")
    }
    return parts
  }

  // MARK: One row

  /// Feautrier's cost, greedily: the live edges this dimension can strongly
  /// satisfy together, grown one statement pair at a time (each step a small
  /// feasibility problem instead of one ILP with a 0/1 variable per edge).
  /// nil when the dimension has no solution at all.
  func satisfiable(_ rp: RowProblem, _ validity: [Edge], _ live: [Edge], _ coincidence: Bool, _ place: Bool) throws -> Swift.Set<Int>? {
    func feasible(_ strict: Swift.Set<Int>) throws -> Bool {
      try rp.solve(validity: validity, live: live, coincidence: coincidence, placeDirectives: place, strict: strict, feasibilityOnly: true) != nil
    }
    guard try feasible([]) else { return nil }
    let all = Swift.Set(live.indices)
    if try all.isEmpty || feasible(all) { return all }
    var pairs: [[Int]] = []
    var seen: [String: Int] = [:]
    for (i, e) in live.enumerated() {
      let key = "\(e.source)->\(e.sink)"
      if let p = seen[key] { pairs[p].append(i) } else { seen[key] = pairs.count; pairs.append([i]) }
    }
    var chosen = Swift.Set<Int>()
    for p in pairs {
      let candidate = chosen.union(p)
      if try feasible(candidate) { chosen = candidate }
    }
    return chosen
  }

  /// Solves the ILPs of one dimension in the order the configuration asks
  /// (with coincidence first when preferred, directives placed when possible).
  func findRow(_ group: [Int], validity: [Edge], live: [Edge], depth: Int, relaxed: Bool) throws -> [Int: Row]? {
    var cfg = strategy.dimension(depth)
    var directions = [1]
    if relaxed {
      guard cfg.signs == .nonnegative else { return nil }
      cfg.signs = .any
      directions = [1, -1]
    }
    let coincidence: [Bool]
    switch cfg.coincidence {
    case .required: coincidence = [true]
    case .preferred: coincidence = [true, false]
    case .off: coincidence = [false]
    }
    let placements: [Bool] = directives.hasPendingPlacement(group, nodes) ? [true, false] : [false]
    for place in placements {
      for c in coincidence {
        for direction in directions {
          let rp = RowProblem(problem: problem, group: group, config: cfg, depth: depth, directives: directives,
                              progressionDirection: direction)
          var strict = Swift.Set<Int>()
          if cfg.costs.first == .feautrier {
            guard let chosen = try satisfiable(rp, validity, live, c, place) else { continue }
            strict = chosen
          }
          if let rows = try rp.solve(validity: validity, live: live, coincidence: c, placeDirectives: place, strict: strict) { return rows }
        }
      }
    }
    return nil
  }
}
