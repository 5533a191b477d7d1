//===- DependenceBounding.swift - Simpler supersets of complex dependences ===//
//
// Both schedulers take the Farkas dual of every dependence piece: ours in
// `Farkas.nonNegativeForms`, isl's inside
// `isl_schedule_constraints_compute_schedule`, which then solves its LPs over
// all those duals. The dual grows with the vertices of the piece, and the
// pieces of random programs with strided loops and `floordiv` bounds have
// 15-36 constraints: random program 28 spent 60-85 s in isl's scheduler, 42
// spent 50 s (the dual of one 26-piece self-dependence alone: 17 s), and isl
// does not count that work against its operation budget.
//
// A superset of a dependence is safe to schedule against: a schedule that
// orders every pair of the superset orders every pair of the dependence
// (fewer legal schedules, never an illegal one). A piece is complex when it
// has more than `Farkas.maxExactConstraints` constraints once its
// existentials are removed (as both duals remove them). Our scheduler's edge
// of a complex piece becomes `Farkas.bounded`'s superset of it (constraints
// on the parameters dropped until it is within the limit); for isl's
// scheduler a relation with a complex piece loses the constraints on the
// parameters in every piece (`bounded(_: Map)` says why). Either superset is
// then restricted to the pairs the original schedule orders: that keeps the
// original schedule a solution, whereas the superset alone can hold pairs no
// schedule orders (an instance and itself), and a scheduler that had a
// solution finds none (random program 42's PolyTOPS found no row and fell
// back to isl's scheduler: 40 s).
//
//   S[i, j] -> S[i' = n - 1, j' = j] : i = n - 2 and 0 <= j < m and ...   (18 constraints)
//     bounded:    S[i, j] -> S[i', j' = j] : j >= 0          (holds S[i, j] -> S[i, j])
//     restricted: S[i, j] -> S[i', j' = j] : j >= 0 and i' > i  (original schedule [i, j])
//
// Relations without a complex piece are kept exactly (the same object): the
// PolyBench kernels' dependences reach both schedulers unchanged except the
// coalesced stencils of jacobi-2d (15 constraints) and heat-3d (27) in isl's,
// whose schedules stay the same.
//
//===----------------------------------------------------------------------===//

import PolycISL

/// Replaces complex dependence relations by simpler supersets that the
/// original schedule still orders.
package final class DependenceBounding {
  private let originalSchedule: Schedule
  private var cachedOrder: UnionMap?

  /// `originalSchedule`: the schedule the dependences were computed under.
  package init(originalSchedule: Schedule) {
    self.originalSchedule = originalSchedule
  }

  /// `relations` with each map bounded (`bounded(_: Map)`); `relations` itself when none changes.
  package func bounded(_ relations: UnionMap) throws -> UnionMap {
    var result = try UnionMap.empty(relations.ctx)
    var changed = false
    for m in try relations.maps() {
      let b = try bounded(m)
      changed = changed || b !== m
      result = try result.union(try b.toUnionMap())
    }
    return changed ? result : relations
  }

  /// `relation` itself when no piece has more than `Farkas.maxExactConstraints`
  /// constraints; otherwise a superset of the whole relation for isl's
  /// scheduler: every piece without its existentials and its constraints on
  /// the parameters, restricted to the original order, coalesced. isl's dual
  /// of a relation is the intersection of its pieces' duals and its LPs take
  /// one dual per piece, so the simple pieces of a complex relation count as
  /// well, and once their parameter bounds are gone many of them coalesce.
  /// Random program 42 (a 25-piece S8 -> S9 with a few complex pieces): 5 s
  /// in isl's scheduler with only the complex pieces bounded, 1 s so.
  package func bounded(_ relation: Map) throws -> Map {
    let pieces = try relation.basicMapParts()
    guard try pieces.contains(where: { try isComplex($0) }) else { return relation }
    var result: Map?
    for piece in pieces {
      let superset = try ordered(try withoutParameterBounds(piece), containing: piece)
      result = try result.map { try $0.union(superset) } ?? superset
    }
    return try result?.coalesce() ?? relation
  }

  /// The pairs of `piece` without existentials and without the constraints that involve a parameter.
  func withoutParameterBounds(_ piece: Map) throws -> Map {
    var pairs: Set?
    for b in try piece.wrap().removingDivs().basicSets() {
      let s = try b.droppingConstraintsOnParameters().toSet()
      pairs = try pairs.map { try $0.union(s) } ?? s
    }
    return try pairs?.unwrap() ?? piece
  }

  /// The bounded superset of one piece (a basic map) for our ILP scheduler's
  /// edges (`Farkas.bounded`, restricted to the original order), or nil when
  /// the piece is simple enough.
  package func boundedPiece(_ piece: Map) throws -> Map? {
    let pairs = try piece.wrap().removingDivs()
    let bounded = try Farkas.bounded(pairs)
    guard bounded !== pairs else { return nil }  // no part over the limit (`isComplex`)
    return try ordered(try bounded.unwrap(), containing: piece)
  }

  /// Whether a piece has more than `Farkas.maxExactConstraints` constraints once its existentials are removed.
  func isComplex(_ piece: Map) throws -> Bool {
    try piece.wrap().removingDivs().basicSets().contains { try $0.constraintCount() > Farkas.maxExactConstraints }
  }

  /// `superset` restricted to the pairs the original schedule orders, when
  /// `piece` (a subset of it) lies within them, as every dependence does;
  /// otherwise `superset` as it is (still a superset, but maybe unordered).
  func ordered(_ superset: Map, containing piece: Map) throws -> Map {
    let order = try order().part(inSpaceOf: piece)
    guard try piece.isSubset(of: order) else { return superset }
    return try superset.intersect(order).coalesce()
  }

  /// The pairs of instances `x -> y` with `O(x) <lex O(y)` for the original
  /// schedule O, each statement's function taken on its whole space (no
  /// domain constraints, so the restriction adds only ordering constraints).
  func order() throws -> UnionMap {
    if let o = cachedOrder { return o }
    let map = try originalSchedule.map()
    var functions = try UnionMap.empty(map.ctx)
    for m in try map.maps() { functions = try functions.union(try m.gistDomain(try m.domain()).toUnionMap()) }
    let o = try functions.lexLessThan(functions)
    cachedOrder = o
    return o
  }
}
