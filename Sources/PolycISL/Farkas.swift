//===- Farkas.swift - Affine forms, Farkas duals and small ILPs -----------===//
//
// What the scheduler's integer programs need from isl:
//   * `Farkas.nonNegativeForms(on:)`: the affine form lemma (Farkas) through
//     `isl_set_coefficients`. For a relation R = { S[x] -> T[y] }, the result
//     is the set of coefficient vectors (c_cst, c_params, c_x, c_y) such that
//     c_cst + c_params.n + c_x.x + c_y.y >= 0 for every pair in R, as a flat,
//     integral, parameter-free basic set: the scheduler pulls it back onto its
//     ILP variables with a multi-affine map (`BasicSet.preimage`).
//   * `BasicSet.lexminCoordinates()`: the lexicographically smallest integer
//     point of an ILP, or nil when it is infeasible.
//   * basic-map splitting, wrapping and flattening for dependence edges.
//
//===----------------------------------------------------------------------===//

import PolycCIsl

/// A tuple of affine expressions (`isl_multi_aff`), e.g. `{ [a, b] -> [a + b, 2a] }`.
package final class MultiAff: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_multi_aff_free(raw) }
  func copy() -> OpaquePointer { isl_multi_aff_copy(raw) }
  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_multi_aff_read_from_str(ctx.raw, text), "isl_multi_aff_read_from_str(\(text))"))
  }
  package var description: String { ctx.takeString(isl_multi_aff_to_str(raw)) }
}

package enum Farkas {
  /// The coefficients `[c_cst, c_params..., c_in..., c_out...]` of the affine
  /// forms that are non-negative on every pair of `relation` (flat, integral,
  /// without parameters). Existential variables are dropped first (a
  /// superset: the forms stay valid on the relation).
  package static func nonNegativeForms(on relation: Map) throws -> BasicSet {
    let ctx = relation.ctx
    let wrapped = try ctx.check(isl_set_remove_divs(isl_map_wrap(relation.copy())), "isl_map_wrap")
    let coefficients = try ctx.check(isl_set_coefficients(try bounded(Set(ctx, wrapped)).copy()), "isl_set_coefficients")
    let flat = try ctx.check(isl_basic_set_flatten(coefficients), "isl_basic_set_flatten")
    return try BasicSet(ctx, flat).integral()
  }
}

extension Farkas {
  /// The coefficients `[c_cst, c_params..., c_vars...]` of the affine forms
  /// that are non-negative on every element of `set`.
  package static func nonNegativeForms(onSet set: Set) throws -> BasicSet {
    let ctx = set.ctx
    let divFree = Set(ctx, try ctx.check(isl_set_remove_divs(set.copy()), "isl_set_remove_divs"))
    let coefficients = try ctx.check(isl_set_coefficients(try bounded(divFree).copy()), "isl_set_coefficients")
    let flat = try ctx.check(isl_basic_set_flatten(coefficients), "isl_basic_set_flatten")
    return try BasicSet(ctx, flat).integral()
  }
}

extension Farkas {
  /// The most constraints a piece may have for its exact dual. The dual's
  /// size (and the Fourier-Motzkin elimination of one multiplier per
  /// constraint inside `isl_set_coefficients`) grows with the vertices of
  /// the piece, which explode with the constraint count: a 17-constraint
  /// dependence of random program 28 (strided loops, `floordiv` bounds) took
  /// 9 s, and isl's operation counter does not bound that elimination (it
  /// finished under a 100,000-operation budget). The dependence pieces of the
  /// 30 PolyBench kernels have at most 12 constraints.
  package static let maxExactConstraints = 14

  /// `set`, or a superset of it with at most `maxExactConstraints`
  /// constraints per piece when it has more: the constraints on the
  /// parameters alone go first (the kernel's assumptions), then every
  /// constraint that involves a parameter. A superset is safe: a form that is
  /// non-negative on it is non-negative on `set` (fewer legal rows, never an
  /// illegal one).
  package static func bounded(_ set: Set) throws -> Set {
    let ctx = set.ctx
    let pieces = try set.basicSets()
    guard try pieces.contains(where: { try $0.constraintCount() > maxExactConstraints }) else { return set }
    var result: Set?
    for piece in pieces {
      var b = piece
      if try b.constraintCount() > maxExactConstraints { b = try b.droppingParameterOnlyConstraints() }
      if try b.constraintCount() > maxExactConstraints { b = try b.droppingConstraintsOnParameters() }
      let s = try b.toSet()
      result = try result.map { try $0.union(s) } ?? s
    }
    return result ?? set
  }
}

extension BasicSet {
  /// Equalities and inequalities.
  package func constraintCount() throws -> Int {
    try ctx.checkSize(isl_basic_set_n_constraint(raw), "isl_basic_set_n_constraint")
  }

  /// Without the constraints that involve no set variable (only parameters).
  func droppingParameterOnlyConstraints() throws -> BasicSet {
    let n = try dimensionCount()
    return BasicSet(ctx, try ctx.check(isl_basic_set_drop_constraints_not_involving_dims(copy(), isl_dim_set, 0, UInt32(n)),
                                       "isl_basic_set_drop_constraints_not_involving_dims"))
  }

  /// Without the constraints that involve a parameter.
  package func droppingConstraintsOnParameters() throws -> BasicSet {
    let n = try ctx.checkSize(isl_basic_set_dim(raw, isl_dim_param), "isl_basic_set_dim")
    return BasicSet(ctx, try ctx.check(isl_basic_set_drop_constraints_involving_dims(copy(), isl_dim_param, 0, UInt32(n)),
                                       "isl_basic_set_drop_constraints_involving_dims"))
  }
}

extension BasicSet {
  /// The same constraints over the integers (isl marks Farkas duals rational).
  package func integral() throws -> BasicSet {
    guard let p = isl_basic_set_to_str(raw) else { throw ctx.takeError("isl_basic_set_to_str") }
    let text = ctx.takeString(p)
    guard text.contains("rat:") else { return self }
    return try BasicSet(ctx, text.replacing("rat:", with: ""))
  }
  /// `{ x : f(x) in self }`.
  package func preimage(_ f: MultiAff) throws -> BasicSet {
    BasicSet(ctx, try ctx.check(isl_basic_set_preimage_multi_aff(copy(), f.copy()), "isl_basic_set_preimage_multi_aff"))
  }
  package func flatten() throws -> BasicSet {
    BasicSet(ctx, try ctx.check(isl_basic_set_flatten(copy()), "isl_basic_set_flatten"))
  }
  /// The coordinates of the lexicographically smallest integer point, or nil
  /// when the set is empty. Throws (e.g. a quota error) when isl fails.
  /// Uses `isl_basic_set_partial_lexmin` over the universe of the parameters:
  /// plain `isl_basic_set_lexmin` first projects every variable out to find
  /// the parameter domain, which explodes on ILPs with dozens of variables.
  package func lexminCoordinates() throws -> [Int]? {
    let n = try dimensionCount()
    let space = try ctx.check(isl_basic_set_get_space(raw), "isl_basic_set_get_space")
    let dom = try ctx.check(isl_basic_set_universe(isl_space_params(space)), "isl_basic_set_universe")
    var empty: OpaquePointer?
    let lex = isl_basic_set_partial_lexmin(copy(), dom, &empty)
    if let empty { isl_set_free(empty) }
    let m = Set(ctx, try ctx.check(lex, "isl_basic_set_partial_lexmin"))
    if try m.isEmpty() { return nil }
    guard let p = try m.samplePoint() else { return nil }
    var out: [Int] = []
    for i in 0..<n {
      guard let v = try p.coordinate(i) else { throw ISLError(kind: .unsupported, message: "non-integer ILP solution") }
      out.append(v)
    }
    return out
  }
}

extension Set {
  /// `{ [x] -> [y] }` from `{ [[x] -> [y]] }`.
  package func unwrap() throws -> Map { Map(ctx, try ctx.check(isl_set_unwrap(copy()), "isl_set_unwrap")) }
  package func flatten() throws -> Set { Set(ctx, try ctx.check(isl_set_flatten(copy()), "isl_set_flatten")) }
  /// The names of the parameters, in order.
  package func parameterNames() throws -> [String] {
    let n = try parameterCount()
    return (0..<n).map { i in isl_set_get_dim_name(raw, isl_dim_param, UInt32(i)).map { String(cString: $0) } ?? "p\(i)" }
  }
}

extension Map {
  /// Each basic map (convex piece) of this relation as its own map.
  package func basicMapParts() throws -> [Map] {
    let list = try ctx.check(isl_map_get_basic_map_list(raw), "isl_map_get_basic_map_list")
    defer { isl_basic_map_list_free(list) }
    let n = try ctx.checkSize(isl_basic_map_list_n_basic_map(list), "isl_basic_map_list_n_basic_map")
    return try (0..<n).map { i in
      let b = try ctx.check(isl_basic_map_list_get_at(list, Int32(i)), "isl_basic_map_list_get_at")
      return Map(ctx, try ctx.check(isl_map_from_basic_map(b), "isl_map_from_basic_map"))
    }
  }
  package func parameterCount() throws -> Int { try ctx.checkSize(isl_map_dim(raw, isl_dim_param), "isl_map_dim") }
  /// `{ x -> y : x, y in self and (x, y) in pairs }`, `pairs` a set of wrapped pairs.
  package func intersectWrapped(_ pairs: Set) throws -> Map {
    let w = try wrap().intersect(pairs)
    return try w.unwrap()
  }
  package func gistParams(_ context: Set) throws -> Map {
    Map(ctx, try ctx.check(isl_map_gist_params(copy(), context.copy()), "isl_map_gist_params"))
  }
}

extension UnionMap {
  /// `{ x -> (a, b) : x -> a in self, x -> b in o }` (`isl_union_map_flat_range_product`).
  package func flatRangeProduct(_ o: UnionMap) throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_union_map_flat_range_product(copy(), o.copy()), "isl_union_map_flat_range_product"))
  }
  /// Pairs of domain elements with the same image: `self . self^-1`.
  package func sameImage() throws -> UnionMap { try applyRange(try reverse()) }
}

extension Map {
  /// The names of the parameters, in order.
  package func parameterNames() throws -> [String] {
    let n = try parameterCount()
    return (0..<n).map { i in isl_map_get_dim_name(raw, isl_dim_param, UInt32(i)).map { String(cString: $0) } ?? "p\(i)" }
  }
}

/// One affine constraint `coefficients . x + constant (= | >=) 0` of a basic set.
package struct ConstraintRow: Sendable, Equatable {
  package var coefficients: [Int]
  package var constant: Int
  package var isEquality: Bool
  package init(coefficients: [Int], constant: Int, isEquality: Bool) {
    self.coefficients = coefficients
    self.constant = constant
    self.isEquality = isEquality
  }
}

extension BasicSet {
  /// The constraints of a basic set without existential variables, as integer
  /// rows over its set dimensions (nil when it has existentials or a value
  /// does not fit in an Int).
  package func constraintRows() throws -> [ConstraintRow]? {
    let divs = try ctx.checkSize(isl_basic_set_dim(raw, isl_dim_div), "isl_basic_set_dim")
    guard divs == 0 else { return nil }
    let n = try dimensionCount()
    let list = try ctx.check(isl_basic_set_get_constraint_list(raw), "isl_basic_set_get_constraint_list")
    defer { isl_constraint_list_free(list) }
    let count = try ctx.checkSize(isl_constraint_list_n_constraint(list), "isl_constraint_list_n_constraint")
    var rows: [ConstraintRow] = []
    for i in 0..<count {
      let c = try ctx.check(isl_constraint_list_get_at(list, Int32(i)), "isl_constraint_list_get_at")
      defer { isl_constraint_free(c) }
      var coefficients: [Int] = []
      for d in 0..<n {
        let v = Val(ctx, try ctx.check(isl_constraint_get_coefficient_val(c, isl_dim_set, Int32(d)), "isl_constraint_get_coefficient_val"))
        guard let x = v.intValue, v.fitsInInt else { return nil }
        coefficients.append(x)
      }
      let k = Val(ctx, try ctx.check(isl_constraint_get_constant_val(c), "isl_constraint_get_constant_val"))
      guard let constant = k.intValue, k.fitsInInt else { return nil }
      rows.append(ConstraintRow(coefficients: coefficients, constant: constant, isEquality: isl_constraint_is_equality(c) == isl_bool_true))
    }
    return rows
  }
}

extension Val {
  /// Whether the value is an integer representable as a (64-bit) Int.
  var fitsInInt: Bool {
    guard isInteger else { return false }
    let lo = isl_val_int_from_si(ctx.raw, Int.min + 1), hi = isl_val_int_from_si(ctx.raw, Int.max)
    defer { isl_val_free(lo); isl_val_free(hi) }
    return isl_val_ge(raw, lo) == isl_bool_true && isl_val_le(raw, hi) == isl_bool_true
  }
}

extension BasicSet {
  /// `{ [x_0, ..., x_{n-1}] : rows }` built directly from constraint matrices
  /// (`isl_basic_set_from_constraint_matrices`), without parsing.
  package static func fromConstraints(_ ctx: Context, dimensions n: Int, _ rows: [ConstraintRow]) throws -> BasicSet {
    let eqs = rows.filter(\.isEquality), ineqs = rows.filter { !$0.isEquality }
    func matrix(_ rs: [ConstraintRow]) throws -> OpaquePointer {
      let m = try ctx.check(isl_mat_alloc(ctx.raw, UInt32(rs.count), UInt32(n + 1)), "isl_mat_alloc")
      var mat: OpaquePointer? = m
      for (i, r) in rs.enumerated() {
        for (j, c) in (r.coefficients + [r.constant]).enumerated() {
          guard let v = Int32(exactly: c) else {
            isl_mat_free(mat)
            throw ISLError(kind: .unsupported, message: "constraint coefficient \(c) does not fit in 32 bits")
          }
          mat = isl_mat_set_element_si(mat, Int32(i), Int32(j), v)
        }
      }
      return try ctx.check(mat, "isl_mat_set_element_si")
    }
    let space = try ctx.check(isl_space_set_alloc(ctx.raw, 0, UInt32(n)), "isl_space_set_alloc")
    let eq = try matrix(eqs), ineq = try matrix(ineqs)
    let b = isl_basic_set_from_constraint_matrices(space, eq, ineq, isl_dim_set, isl_dim_div, isl_dim_param, isl_dim_cst)
    return BasicSet(ctx, try ctx.check(b, "isl_basic_set_from_constraint_matrices"))
  }
}
