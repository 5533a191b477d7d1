//===- DependenceBoundingTests.swift - Simpler supersets of dependences ---===//
//
// `DependenceBounding` on hand-written relations, for both schedulers'
// supersets: a complex piece becomes a simpler superset that the original
// schedule still orders; a piece ordered only through its parameters keeps
// its order; simple relations are kept as they are (the same object, so isl
// sees exactly the same input).
//
//===----------------------------------------------------------------------===//

import PolycISL
import PolycScheduler
import Testing

@Suite struct DependenceBoundingTests {
  /// A flow dependence of random program 28 (`step 3` and `floordiv` bounds): 17 constraints.
  static let seed28Piece = "[n, m] -> { S2[i, j, k, l] -> S2[i2 = i, j2 = 1 + j, k2, l2 = l] : n >= 4 and 3 <= m <= n "
    + "and i >= 0 and 2i <= m and -3 + m <= j <= 1 + i and j <= -2 + n and 0 <= l < n and 2k2 >= -6 + 2m + j - 2k "
    + "and j <= 2k2 <= 1 + j and 2k2 < 2m + j - 2k }"

  /// Random program 28's loop nest `for i in reverse ..., j, k, l`.
  static func seed28Schedule(_ ctx: Context) throws -> Schedule {
    try Schedule.fromMap(domain: try UnionSet(ctx, "[n, m] -> { S2[i, j, k, l] }"),
                         map: try UnionMap(ctx, "[n, m] -> { S2[i, j, k, l] -> [-i, j, k, l] }"))
  }

  /// The constraints of each piece, existentials removed (what the Farkas duals see).
  static func constraintCounts(_ m: Map) throws -> [Int] {
    try m.wrap().removingDivs().basicSets().map { try $0.constraintCount() }
  }

  /// Whether the schedule orders every pair of `m` (source strictly before sink).
  static func isOrdered(_ m: Map, by schedule: Schedule) throws -> Bool {
    let s = try schedule.map()
    return try m.toUnionMap().isSubset(of: try s.lexLessThan(s))
  }

  /// Both supersets: isl's (`bounded`, the whole relation) and our scheduler's edges' (`boundedPiece`).
  static func supersets(_ piece: Map, _ schedule: Schedule) throws -> [Map] {
    let bounding = DependenceBounding(originalSchedule: schedule)
    return [try bounding.bounded(piece), try #require(try bounding.boundedPiece(piece))]
  }

  @Test func aComplexPieceBecomesASimplerSupersetTheOriginalScheduleOrders() throws {
    let ctx = Context()
    let piece = try Map(ctx, Self.seed28Piece)
    let schedule = try Self.seed28Schedule(ctx)
    #expect(try Self.constraintCounts(piece) == [17])
    for bounded in try Self.supersets(piece, schedule) {
      #expect(try piece.isSubset(of: bounded))
      #expect(try !bounded.isEqual(piece))
      #expect(try Self.constraintCounts(bounded).allSatisfy { $0 <= Farkas.maxExactConstraints }, "\(bounded)")
      #expect(try Self.isOrdered(bounded, by: schedule))
    }
  }

  /// The pairs are ordered only by `i = n - 2` and `i' = n - 1`: without the
  /// constraints on the parameters, the superset would relate each instance to
  /// itself, which no schedule orders (random program 42's self-dependence of
  /// S8 through `l' = n - 2` made both schedulers fail).
  @Test func aPieceOrderedOnlyThroughItsParametersStaysOrdered() throws {
    let ctx = Context()
    let piece = try Map(ctx, "[n, m] -> { S[i, j] -> S[i', j'] : i = n - 2 and i' = n - 1 and j' = j and 0 <= j < m "
      + "and n >= 4 and 3 <= m <= n and 2j <= m + n and 3j >= -m and j <= 2m + n and j < n + 100 and 5j <= 7n + 3m "
      + "and j <= 3n - m and 4j <= 5n + m and 6j <= 8n + m and 7j <= 9n + 2m and j <= 4n - 2m }")
    let schedule = try Schedule.fromMap(domain: try UnionSet(ctx, "[n, m] -> { S[i, j] }"),
                                        map: try UnionMap(ctx, "[n, m] -> { S[i, j] -> [i, j] }"))
    let itself = try Map(ctx, "[n, m] -> { S[i, j] -> S[i, j] }")
    #expect(try Self.constraintCounts(piece).allSatisfy { $0 > Farkas.maxExactConstraints })
    let unordered = try Farkas.bounded(try piece.wrap().removingDivs()).unwrap()
    #expect(try !unordered.intersect(itself).isEmpty())
    for bounded in try Self.supersets(piece, schedule) {
      #expect(try piece.isSubset(of: bounded))
      #expect(try bounded.intersect(itself).isEmpty())
      #expect(try Self.isOrdered(bounded, by: schedule))
    }
  }

  @Test func simpleRelationsAreKeptAsTheyAre() throws {
    let ctx = Context()
    let jacobi = try Map(ctx, "[tsteps, n] -> { S0[t, i, j] -> S1[t2 = t, i2 = i, j2 = j] : tsteps > 0 and n >= 3 "
      + "and 0 <= t < tsteps and 0 < i <= -2 + n and 0 < j <= -2 + n }")
    let schedule = try Schedule.fromMap(domain: try UnionSet(ctx, "[tsteps, n] -> { S0[t, i, j]; S1[t, i, j] }"),
                                        map: try UnionMap(ctx, "[tsteps, n] -> { S0[t, i, j] -> [t, 0, i, j]; S1[t, i, j] -> [t, 1, i, j] }"))
    let bounding = DependenceBounding(originalSchedule: schedule)
    #expect(try bounding.bounded(jacobi) === jacobi)
    #expect(try bounding.boundedPiece(jacobi) == nil)
    let relations = try jacobi.toUnionMap()
    #expect(try bounding.bounded(relations) === relations)
  }
}
