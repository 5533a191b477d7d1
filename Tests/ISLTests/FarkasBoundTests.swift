import PolycISL
import Testing

/// `Farkas.bounded`: the pieces whose exact Farkas dual explodes are replaced
/// by supersets with at most `Farkas.maxExactConstraints` constraints; the
/// pieces of ordinary dependences are left alone.
@Suite struct FarkasBoundTests {
  /// A flow dependence of random program 28 (`step 3` and `floordiv`
  /// bounds), divs removed: 17 constraints, 9 s for `isl_set_coefficients`.
  static let seed28Piece = "[n, m] -> { [S2[i, j, k, l] -> S2[i2 = i, j2 = 1 + j, k2, l2 = l]] : n >= 4 and 3 <= m <= n "
    + "and i >= 0 and 2i <= m and -3 + m <= j <= 1 + i and j <= -2 + n and 0 <= l < n and 2k2 >= -6 + 2m + j - 2k "
    + "and j <= 2k2 <= 1 + j and 2k2 < 2m + j - 2k }"

  @Test func aComplexDependencePieceIsReplacedByABoundedSuperset() throws {
    let ctx = Context()
    let piece = try Set(ctx, Self.seed28Piece)
    #expect(try piece.basicSets().map { try $0.constraintCount() }.max()! > Farkas.maxExactConstraints)
    let bounded = try Farkas.bounded(piece)
    #expect(try bounded.basicSets().allSatisfy { try $0.constraintCount() <= Farkas.maxExactConstraints })
    #expect(try piece.isSubset(of: bounded))
    #expect(try !bounded.isEqual(piece))
  }

  @Test func aPolyBenchSizedPieceIsKeptExactly() throws {
    let ctx = Context()
    let jacobi = try Set(ctx, "[tsteps, n] -> { [S0[t, i, j] -> S1[t2 = t, i2 = i, j2 = j]] : tsteps > 0 and n >= 3 "
      + "and 0 <= t < tsteps and 0 < i <= -2 + n and 0 < j <= -2 + n }")
    #expect(try Farkas.bounded(jacobi).isEqual(jacobi))
  }
}
