//===- Problem.swift - Statements, schedule rows and dependence edges -----===//
//
// The scheduler's view of a Scop: one `Node` per statement with the rows
// found so far (an affine function of iterators, parameters and a constant
// per row) and the weights the cost functions use; one `Edge` per convex
// piece (basic map) of the validity dependences (flow, anti, output), complex
// pieces bounded (`DependenceBounding`), with the part not yet strongly
// satisfied by the rows found so far. Each edge caches its Farkas dual (isl
// coefficients of the wrapped relation).
//
//===----------------------------------------------------------------------===//

import PolycDependences
import PolycFrontend
import PolycISL
import PolycModel

/// One schedule row of a statement: `iterators . x + parameters . n + constant`.
public struct Row: Equatable, Sendable {
  /// One coefficient per iterator of the statement, outermost first.
  public var iterators: [Int]
  /// One coefficient per size parameter.
  public var parameters: [Int]
  /// The constant shift.
  public var constant: Int

  /// e.g. `2*t + i + 1`.
  public func text(iterators names: [String], parameters pnames: [String]) -> String {
    var parts: [String] = []
    for (c, n) in Array(zip(iterators, names)) + Array(zip(parameters, pnames)) where c != 0 {
      parts.append(c == 1 ? n : c == -1 ? "-\(n)" : "\(c)*\(n)")
    }
    if constant != 0 || parts.isEmpty { parts.append("\(constant)") }
    return parts.joined(separator: " + ").replacingOccurrences(of: "+ -", with: "- ")
  }
}

final class Node {
  let index: Int
  let info: StatementInfo
  var name: String { info.name }
  var dims: Int { info.iterators.count }
  /// Variable names of the statement tuple in isl text (`x0, x1, ...`).
  var tupleVars: [String] { info.iterators.map(Problem.islName) }
  var rows: [Row] = []
  /// Per iterator: how often it indexes the last (stride-1) subscript of an access.
  let contiguityWeights: [Int]
  /// Per iterator: how many iterators of the statement have a larger trip count.
  let bigLoopWeights: [Int]

  init(index: Int, info: StatementInfo, contiguity: [Int], bigLoops: [Int]) {
    self.index = index
    self.info = info
    self.contiguityWeights = contiguity
    self.bigLoopWeights = bigLoops
  }

  var rank: Int { Algebra.rank(rows.map(\.iterators), columns: dims) }
  var isComplete: Bool { rank == dims }
  var remainingDimensions: Int { dims - rank }

  func iteratorIndex(_ name: String) -> Int? { info.iterators.firstIndex(of: name) }
}

final class Edge {
  let source: Int
  let sink: Int
  /// The pairs of instances not yet ordered by the rows found so far.
  let relation: Map
  /// Whether `relation` is a bounded superset of the dependence (`DependenceBounding`). Its
  /// distances may be unbounded where the dependence's are not: it is left out of the costs
  /// that bound distances (proximity, parallelism), which would have no solution.
  let isApproximate: Bool
  private var cachedFarkas: BasicSet?
  private var cachedParameters: [String]?

  init(source: Int, sink: Int, relation: Map, isApproximate: Bool = false) {
    self.source = source
    self.sink = sink
    self.relation = relation
    self.isApproximate = isApproximate
  }

  var isSelf: Bool { source == sink }
  /// The Farkas dual is over the distance vectors `y - x` (coefficients
  /// `[cst, params, c]`) rather than the pairs (`[cst, params, c_x, c_y]`).
  private(set) var usesDeltas = false

  /// For a self-dependence the dual is taken on the distance vectors (half
  /// the dimensions, as isl's scheduler does) when the projection needs no
  /// existential variables; otherwise on the wrapped pairs.
  func farkas() throws -> BasicSet {
    if let f = cachedFarkas { return f }
    var f: BasicSet?
    if isSelf {
      let deltas = try relation.deltas()
      if try deltas.basicSets().allSatisfy({ try $0.constraintRows() != nil }) {
        f = try Farkas.nonNegativeForms(onSet: deltas)
        usesDeltas = true
      }
    }
    let result = try f ?? Farkas.nonNegativeForms(on: relation)
    cachedFarkas = result
    return result
  }

  func parameters() throws -> [String] {
    if let p = cachedParameters { return p }
    let p = try relation.parameterNames()
    cachedParameters = p
    return p
  }
}

/// The statements, parameters and validity edges of one kernel.
final class Problem {
  let scop: Scop
  let ctx: Context
  let nodes: [Node]
  let parameters: [String]
  var edges: [Edge] = []

  init(scop: Scop, dependences: Dependences) throws {
    self.scop = scop
    ctx = scop.ctx
    parameters = try scop.context.parameterNames()
    let sizes = Problem.representativeSizes(scop.kernel)
    var nodes: [Node] = []
    for (i, s) in scop.statements.enumerated() {
      nodes.append(Node(index: i, info: s, contiguity: Problem.contiguityWeights(s),
                        bigLoops: try Problem.bigLoopWeights(s, scop: scop, sizes: sizes)))
    }
    self.nodes = nodes
    let byName = Dictionary(nodes.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
    var seen = Swift.Set<String>()
    let bounding = DependenceBounding(originalSchedule: scop.originalSchedule)
    for m in try Problem.uncoalescedValidity(scop, dependences).maps() {
      guard let s = m.domainTupleName.flatMap({ byName[$0] }), let t = m.rangeTupleName.flatMap({ byName[$0] }) else { continue }
      for piece in try m.basicMapParts() where !(try piece.isEmpty()) {
        let superset = try bounding.boundedPiece(piece)
        for part in try superset?.basicMapParts() ?? [piece] where !(try part.isEmpty()) {
          guard seen.insert(part.description).inserted else { continue }
          edges.append(Edge(source: s, sink: t, relation: part, isApproximate: superset != nil))
        }
      }
    }
  }

  /// isl's spelling of a source identifier (as the Scop builder writes it).
  static func islName(_ n: String) -> String { islReserved.contains(n) ? n + "_" : n }
  static let islReserved: Swift.Set<String> = [
    "and", "or", "not", "exists", "min", "max", "floor", "ceil", "floord", "ceild", "mod",
    "infty", "NaN", "true", "false", "rat", "implies", "xor", "cst", "domain",
  ]

  /// Flow, anti and output dependences, one simple piece per access pair. The `Dependences`
  /// module coalesces them (e.g. a 7-point stencil into one octahedron), which is right for
  /// legality checks but makes Farkas duals of the pieces (`isl_set_coefficients`) expensive;
  /// the same relation split by access pair gives more, but much simpler, edges. Each piece is
  /// the dependence between two statements restricted to the pairs where one given access of
  /// the source and one of the sink touch the same element: the equalities of the two accesses
  /// simplify the octahedron to a translation. The union of the pieces is the relation itself
  /// (every dependence pair goes through some access pair), so no second dataflow analysis is
  /// needed (it took longer than the first on the stencils, whose accesses it cannot coalesce).
  static func uncoalescedValidity(_ scop: Scop, _ dependences: Dependences) throws -> UnionMap {
    var reads: [String: [Map]] = [:], writes: [String: [Map]] = [:]
    for st in scop.statements {
      guard let domain = try scop.domain.set(named: st.name) else { continue }
      for a in st.accesses {
        let m = try Map(scop.ctx, a.relation).intersectDomain(domain)
        if a.isWrite { writes[st.name, default: []].append(m) } else { reads[st.name, default: []].append(m) }
      }
    }
    var result = try UnionMap.empty(scop.ctx)
    let kinds: [(DependenceKind, [String: [Map]], [String: [Map]])] = [
      (.flow, writes, reads), (.output, writes, writes), (.anti, reads, writes),
    ]
    for (kind, sourceAccesses, sinkAccesses) in kinds {
      guard let deps = dependences.map(kind) else { continue }
      for dep in try deps.maps() {
        guard let s = dep.domainTupleName, let t = dep.rangeTupleName else { continue }
        var seen = Swift.Set<String>()
        for a in sourceAccesses[s] ?? [] {
          for b in sinkAccesses[t] ?? [] where a.rangeTupleName == b.rangeTupleName {
            let sameElement = try a.applyRange(try b.reverse())
            guard seen.insert(sameElement.description).inserted else { continue }
            let piece = try dep.intersect(sameElement)
            if try !piece.isEmpty() { result = try result.union(try piece.toUnionMap()) }
          }
        }
      }
    }
    return result
  }

  /// `prefix` of isl texts: `[n, m] -> `.
  var prefix: String { "[" + parameters.joined(separator: ", ") + "] -> " }

  /// The row as isl text over the tuple variables `vars` (e.g. `2*x0 + x1 + n`).
  func rowText(_ r: Row, vars: [String]) -> String {
    r.text(iterators: vars, parameters: parameters).replacingOccurrences(of: "*", with: "")
  }

  /// The statement's tuple `S[x0, x1]` with custom variable names.
  func tuple(_ n: Node, _ vars: [String]) -> String { "\(n.name)[\(vars.joined(separator: ", "))]" }

  /// `{ [S[x] -> T[y]] : row_T(y) - row_S(x) (op) 0 }` for the pairs of `edge`.
  func distanceSet(_ e: Edge, rows: [Int: Row], _ op: String) throws -> Set {
    let s = nodes[e.source], t = nodes[e.sink]
    let xs = (0..<s.dims).map { "a\($0)" }, ys = (0..<t.dims).map { "b\($0)" }
    let text = prefix + "{ [\(tuple(s, xs)) -> \(tuple(t, ys))] : (\(rowText(rows[t.index]!, vars: ys))) - (\(rowText(rows[s.index]!, vars: xs))) \(op) 0 }"
    return try Set(ctx, text)
  }

  // MARK: Cost weights

  /// Stride-1 uses of each iterator: in how many accesses it appears in the last subscript.
  static func contiguityWeights(_ s: StatementInfo) -> [Int] {
    s.iterators.map { it in
      s.accesses.filter { a in a.subscripts.last?.mentions(it) ?? false }.count
    }
  }

  /// Parameter values for trip-count estimates: the largest dataset, else 1000.
  static func representativeSizes(_ k: CheckedKernel) -> [String: Int] {
    let d = k.file.datasets.max { a, b in a.values.values.reduce(0, +) < b.values.values.reduce(0, +) }
    var r: [String: Int] = [:]
    for p in k.sizeParameters { r[p] = d?.values[p] ?? 1000 }
    return r
  }

  static func bigLoopWeights(_ s: StatementInfo, scop: Scop, sizes: [String: Int]) throws -> [Int] {
    guard !s.iterators.isEmpty else { return [] }
    let domain = try Set(scop.ctx, s.domain)
    let names = try domain.parameterNames()
    let fixes = names.compactMap { n -> String? in
      let base = n.hasSuffix("_") ? String(n.dropLast()) : n
      return sizes[base].map { "\(n) = \($0)" }
    }
    let fixed = fixes.isEmpty ? domain : try domain.intersectParams(try Set(scop.ctx, "[" + names.joined(separator: ", ") + "] -> { : " + fixes.joined(separator: " and ") + " }"))
    var extents: [Int] = []
    for m in 0..<s.iterators.count {
      let hi = try? fixed.dimMax(m).constantValue, lo = try? fixed.dimMin(m).constantValue
      if let hi = hi ?? nil, let lo = lo ?? nil { extents.append(hi - lo + 1) } else { extents.append(0) }
    }
    return extents.map { e in extents.filter { $0 > e }.count }
  }
}
