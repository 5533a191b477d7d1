//===- ILP.swift - One integer program of the per-dimension scheduler -----===//
//
// Variables are integers with optional bounds; constraints are linear
// (`expr >= 0` or `expr = 0`) or Farkas constraints: a vector of linear
// expressions that must lie in the coefficient set of a dependence (see
// `Farkas.nonNegativeForms`). `solve` builds the isl basic set
// `{ [v...] : ... }` with the cost variables first (in `lexOrder`), pulls
// each Farkas set back onto it with a multi-affine map, and takes isl's
// lexicographic minimum: cost functions are minimised in order, then the
// tie-breaking variables.
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycISL

/// `sum(coefficient * variable) + constant`.
struct LinExpr {
  var terms: [Int: Int] = [:]
  var constant = 0

  init(constant: Int = 0) { self.constant = constant }
  static func variable(_ v: Int, _ c: Int = 1) -> LinExpr {
    var e = LinExpr()
    e.terms[v] = c
    return e
  }
  static func + (a: LinExpr, b: LinExpr) -> LinExpr {
    var r = a
    for (v, c) in b.terms { r.terms[v, default: 0] += c }
    r.constant += b.constant
    return r
  }
  static prefix func - (a: LinExpr) -> LinExpr { a.scaled(-1) }
  static func - (a: LinExpr, b: LinExpr) -> LinExpr { a + b.scaled(-1) }
  func scaled(_ k: Int) -> LinExpr {
    var r = LinExpr(constant: constant * k)
    for (v, c) in terms { r.terms[v] = c * k }
    return r
  }
  static func sum(_ xs: [LinExpr]) -> LinExpr { xs.reduce(LinExpr()) { $0 + $1 } }

  func text(_ position: [Int]) -> String {
    var parts: [String] = []
    for (v, c) in terms.sorted(by: { $0.key < $1.key }) where c != 0 {
      parts.append(c == 1 ? "v\(position[v])" : "\(c)*v\(position[v])")
    }
    if constant != 0 || parts.isEmpty { parts.append("\(constant)") }
    return parts.joined(separator: " + ").replacingOccurrences(of: "+ -", with: "- ")
  }
}

final class ILP {
  private(set) var names: [String] = []
  /// Variables minimised first, in this order; the others follow in creation order.
  private var lexOrder: [Int] = []
  private var constraints: [(LinExpr, isEquality: Bool)] = []
  private var farkas: [(BasicSet, [LinExpr])] = []

  var variableCount: Int { names.count }

  func newVariable(_ name: String, lower: Int? = 0, upper: Int? = nil) -> Int {
    names.append(name)
    let v = names.count - 1
    if let lower { constraints.append((LinExpr.variable(v) - LinExpr(constant: lower), false)) }
    if let upper { constraints.append((LinExpr(constant: upper) - LinExpr.variable(v), false)) }
    return v
  }

  /// Puts `v` next in the lexicographic order of minimisation.
  func minimise(_ v: Int) { lexOrder.append(v) }

  /// A cost variable equal to `expr`, minimised next.
  @discardableResult
  func minimise(_ name: String, _ expr: LinExpr) -> Int {
    let v = newVariable(name, lower: nil)
    constraints.append((LinExpr.variable(v) - expr, true))
    lexOrder.append(v)
    return v
  }

  func require(_ e: LinExpr, atLeast k: Int = 0) { constraints.append((e - LinExpr(constant: k), false)) }
  func requireZero(_ e: LinExpr) { constraints.append((e, true)) }
  /// `forms` (one expression per coefficient of the Farkas set) must lie in `set`.
  func requireFarkas(_ set: BasicSet, _ forms: [LinExpr]) { farkas.append((set, forms)) }

  /// Whether some integer point satisfies every constraint.
  func isFeasible(_ ctx: Context) throws -> Bool {
    let set = try build(ctx).set
    return !(try set.isEmpty())
  }

  /// The lexicographically smallest solution (one value per variable), or nil.
  func solve(_ ctx: Context) throws -> [Int]? {
    let (set, position) = try build(ctx)
    let n = names.count
    let point = try set.lexminCoordinates()
    guard let point else { return nil }
    return (0..<n).map { point[position[$0]] }
  }

  private func build(_ ctx: Context) throws -> (set: BasicSet, position: [Int]) {
    let n = names.count
    var order = lexOrder
    var seen = Swift.Set(order)
    for v in 0..<n where !seen.contains(v) { order.append(v); seen.insert(v) }
    var position = Array(repeating: 0, count: n)
    for (p, v) in order.enumerated() { position[v] = p }
    func row(_ e: LinExpr, _ eq: Bool) -> ConstraintRow {
      var c = Array(repeating: 0, count: n)
      for (v, k) in e.terms { c[position[v]] += k }
      return ConstraintRow(coefficients: c, constant: e.constant, isEquality: eq)
    }
    var rows = constraints.map { row($0.0, $0.isEquality) }
    var pending: [(BasicSet, [LinExpr])] = []
    for (f, forms) in farkas {
      guard let fr = try f.constraintRows() else { pending.append((f, forms)); continue }
      for r in fr {
        rows.append(row(LinExpr.sum(zip(r.coefficients, forms).map { $1.scaled($0) }) + LinExpr(constant: r.constant), r.isEquality))
      }
    }
    var emitted = Swift.Set<[Int]>()
    rows = rows.filter { emitted.insert($0.coefficients + [$0.constant, $0.isEquality ? 1 : 0]).inserted }
    var set = try BasicSet.fromConstraints(ctx, dimensions: n, rows)
    let tuple = "[" + (0..<n).map { "v\($0)" }.joined(separator: ", ") + "]"
    for (f, forms) in pending {
      let ma = try MultiAff(ctx, "{ \(tuple) -> [" + forms.map { $0.text(position) }.joined(separator: ", ") + "] }")
      set = try set.intersect(try f.preimage(ma))
    }
    return (set, position)
  }
}
