//===- Directives.swift - Per-statement directives, checked ---------------===//
//
// Directives name statements and iterators of the kernel, so they are
// checked when the kernel is known. Each is either honoured legally or
// rejected as a user error naming the statement and the dependence:
//
//   parallel S.j  S's j loop carries no dependence. It is impossible when a
//                 self-dependence of S has distance 0 in every other
//                 iterator and non-zero in j (nothing else can carry it).
//   vector S.j    same, and the j loop is S's innermost.
//   serial S.j    the j loop is never marked parallel.
//   reduce S.j    S accumulates into its own target, whose subscripts do
//                 not use j: the j loop may run as a reduction.
//   fixed S rows  S's first schedule rows are the given affine expressions.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import PolycISL
import PolycModel

final class DirectivePlan {
  struct LoopDirective {
    var kind: DirectiveKind
    var statement: Int
    var iterator: Int
    var source: Directive
  }

  let loopDirectives: [LoopDirective]
  let fixedRows: [Int: [Row]]
  let dependences: Dependences

  init(strategy: Strategy, problem: Problem, dependences: Dependences) throws {
    self.dependences = dependences
    var loops: [LoopDirective] = []
    var fixed: [Int: [Row]] = [:]
    let names = problem.nodes.map(\.name).joined(separator: ", ")
    for d in strategy.directives {
      guard let n = problem.nodes.first(where: { $0.name == d.statement }) else {
        throw strategy.error("\(d.keyPath).statement", "unknown statement '\(d.statement)' (the kernel has \(names))")
      }
      if d.kind == .fixed {
        if fixed[n.index] != nil { throw strategy.error(d.keyPath, "statement \(n.name) has two 'fixed' directives") }
        fixed[n.index] = try d.rows.enumerated().map { i, text in
          try DirectivePlan.row(text, n, problem.parameters, strategy: strategy, keyPath: "\(d.keyPath).rows[\(i)]")
        }
        continue
      }
      let it = d.iterator ?? ""
      guard let m = n.iteratorIndex(it) else {
        throw strategy.error("\(d.keyPath).iterator", "statement \(n.name) has no iterator '\(it)' (its iterators are \(n.info.iterators.joined(separator: ", ")))")
      }
      for other in loops where other.statement == n.index {
        let clash = (other.iterator == m && Swift.Set([other.kind, d.kind]) == [.parallel, .serial])
          || (other.iterator == m && Swift.Set([other.kind, d.kind]) == [.vector, .serial])
          || (other.kind == .vector && d.kind == .vector)
        if clash { throw strategy.error(d.keyPath, "directive \(d.label) contradicts directive \(other.source.label)") }
      }
      loops.append(LoopDirective(kind: d.kind, statement: n.index, iterator: m, source: d))
    }
    loopDirectives = loops
    fixedRows = fixed
    for d in loops { try check(d, problem, strategy) }
  }

  static func row(_ text: String, _ n: Node, _ parameters: [String], strategy: Strategy, keyPath: String) throws -> Row {
    let lin: LinearText.Linear
    do { lin = try LinearText.expression(text) } catch let e as LinearText.ParseError { throw strategy.error(keyPath, e.message) }
    var row = Row(iterators: Array(repeating: 0, count: n.dims), parameters: Array(repeating: 0, count: parameters.count), constant: lin.constant)
    for t in lin.terms {
      if let m = n.iteratorIndex(t.name) { row.iterators[m] += t.coefficient; continue }
      if let k = parameters.firstIndex(where: { $0 == t.name || $0 == t.name + "_" }) { row.parameters[k] += t.coefficient; continue }
      throw strategy.error(keyPath, "'\(t.name)' is neither an iterator of \(n.name) (\(n.info.iterators.joined(separator: ", "))) nor a size parameter")
    }
    return row
  }

  // MARK: Legality of each directive

  func check(_ d: LoopDirective, _ problem: Problem, _ strategy: Strategy) throws {
    let n = problem.nodes[d.statement]
    let itName = n.info.iterators[d.iterator]
    switch d.kind {
    case .parallel, .vector:
      if let kind = try carriedSelfDependence(n, d.iterator, problem) {
        throw strategy.error(d.source.keyPath, "directive \(d.source.label): the loop carries the \(kind) dependence \(n.name) -> \(n.name)")
      }
    case .reduce:
      guard let target = n.info.writes.first, n.info.reads.contains(where: { $0.array == target.array && $0.subscripts == target.subscripts }) else {
        throw strategy.error(d.source.keyPath, "directive \(d.source.label): statement \(n.name) does not accumulate into its own target")
      }
      if target.subscripts.contains(where: { $0.mentions(itName) }) {
        throw strategy.error(d.source.keyPath, "directive \(d.source.label): the target \(target.array) of \(n.name) is indexed by \(itName), so the loop is not a reduction")
      }
    case .serial, .fixed:
      break
    }
  }

  /// The kind of a self-dependence of `n` that only iterator `m` can carry.
  func carriedSelfDependence(_ n: Node, _ m: Int, _ problem: Problem) throws -> String? {
    guard n.dims > 0 else { return nil }
    let a = (0..<n.dims).map { "a\($0)" }, b = (0..<n.dims).map { "b\($0)" }
    var cs = (0..<n.dims).filter { $0 != m }.map { "\(a[$0]) = \(b[$0])" }
    cs.append("(\(a[m]) < \(b[m]) or \(a[m]) > \(b[m]))")
    let only = try Set(problem.ctx, problem.prefix + "{ [\(n.name)[\(a.joined(separator: ", "))] -> \(n.name)[\(b.joined(separator: ", "))]] : " + cs.joined(separator: " and ") + " }")
    for kind in [DependenceKind.flow, .anti, .output] {
      guard let deps = dependences.map(kind) else { continue }
      for map in try deps.maps() where map.domainTupleName == n.name && map.rangeTupleName == n.name {
        if !(try map.wrap().intersect(only).isEmpty()) { return kind.rawValue }
      }
    }
    return nil
  }

  /// The dependence kind an edge comes from (flow first).
  func kindName(of e: Edge) -> String {
    for kind in [DependenceKind.flow, .anti, .output] {
      guard let deps = dependences.map(kind), let u = try? e.relation.toUnionMap().intersect(deps) else { continue }
      if (try? u.isEmpty()) == false { return kind.rawValue }
    }
    return "validity"
  }

  // MARK: What the ILP asks

  func fixedRow(_ s: Int, depth: Int, parameters: [String]) -> Row? {
    guard let rows = fixedRows[s], depth < rows.count else { return nil }
    return rows[depth]
  }

  func isPlaced(_ d: LoopDirective, _ n: Node) -> Bool {
    n.rows.contains { r in r.iterators.enumerated().allSatisfy { $0.element == ($0.offset == d.iterator ? 1 : 0) } }
  }

  func hasPendingPlacement(_ group: [Int], _ nodes: [Node]) -> Bool {
    loopDirectives.contains { $0.kind == .parallel && group.contains($0.statement) && !isPlaced($0, nodes[$0.statement]) }
  }

  var isEmpty: Bool { loopDirectives.isEmpty && fixedRows.isEmpty }
}
