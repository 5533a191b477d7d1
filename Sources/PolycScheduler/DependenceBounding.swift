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
// (fewer legal schedules, never an illegal one). Each piece with more than
// `Farkas.maxExactConstraints` constraints (existentials removed, as both
// duals do) is replaced by `Farkas.bounded`'s superset of it (constraints on
// the parameters dropped), then restricted to the pairs the original
// schedule orders. The restriction keeps the original schedule a solution:
// without it the superset can hold pairs no schedule orders (an instance and
// itself), and a scheduler that had a solution finds none.
//
//   S[i, j] -> S[i' = n - 1, j' = j] : i = n - 2 and 0 <= j < m and ...   (18 constraints)
//     bounded:    S[i, j] -> S[i', j' = j] : j >= 0          (holds S[i, j] -> S[i, j])
//     restricted: S[i, j] -> S[i', j' = j] : j >= 0 and i' > i  (original schedule [i, j])
//
// Pieces within the limit are kept exactly: the PolyBench kernels' dependences
// reach isl unchanged except the coalesced stencils of jacobi-2d (15
// constraints) and heat-3d (27), whose schedules stay the same.
//
//===----------------------------------------------------------------------===//

import PolycISL

/// Replaces the complex pieces of dependence relations by simpler supersets
/// that the original schedule still orders.
package final class DependenceBounding {
  private let originalSchedule: Schedule
  private var cachedOrder: UnionMap?

  /// `originalSchedule`: the schedule the dependences were computed under.
  package init(originalSchedule: Schedule) {
    self.originalSchedule = originalSchedule
  }

  /// `relations` with the complex pieces of each map bounded (`bounded(_:)` on each map).
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
  /// constraints; otherwise a coalesced superset whose complex pieces are bounded.
  package func bounded(_ relation: Map) throws -> Map {
    var result: Map?
    var changed = false
    for piece in try relation.basicMapParts() {
      let b = try boundedPiece(piece) ?? piece
      changed = changed || b !== piece
      result = try result.map { try $0.union(b) } ?? b
    }
    guard changed, let result else { return relation }
    return try result.coalesce()
  }

  /// The bounded superset of one piece (a basic map), or nil when the piece is simple enough.
  func boundedPiece(_ piece: Map) throws -> Map? {
    let pairs = try piece.wrap().removingDivs()
    guard try pairs.basicSets().contains(where: { try $0.constraintCount() > Farkas.maxExactConstraints }) else { return nil }
    let superset = try Farkas.bounded(pairs).unwrap()
    let ordered = try order().part(inSpaceOf: piece)
    guard try piece.isSubset(of: ordered) else { return superset }
    return try superset.intersect(ordered).coalesce()
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
