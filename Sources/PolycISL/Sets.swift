//===- Sets.swift - isl_set, isl_basic_set, isl_union_set -----------------===//

import PolycCIsl

/// An integer set (`isl_set`), possibly parametric.
package final class Set: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_set_free(raw) }
  func copy() -> OpaquePointer { isl_set_copy(raw) }

  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_set_read_from_str(ctx.raw, text), "isl_set_read_from_str(\(text))"))
  }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> Set { Set(ctx, try ctx.check(p, what)) }

  package var description: String { ctx.takeString(isl_set_to_str(raw)) }
  package func isEmpty() throws -> Bool { try ctx.checkBool(isl_set_is_empty(raw), "isl_set_is_empty") }
  package func isSubset(of other: Set) throws -> Bool { try ctx.checkBool(isl_set_is_subset(raw, other.raw), "isl_set_is_subset") }
  package func isEqual(_ other: Set) throws -> Bool { try ctx.checkBool(isl_set_is_equal(raw, other.raw), "isl_set_is_equal") }
  package func intersect(_ o: Set) throws -> Set { try make(isl_set_intersect(copy(), o.copy()), "isl_set_intersect") }
  package func intersectParams(_ o: Set) throws -> Set { try make(isl_set_intersect_params(copy(), o.copy()), "isl_set_intersect_params") }
  package func union(_ o: Set) throws -> Set { try make(isl_set_union(copy(), o.copy()), "isl_set_union") }
  package func subtract(_ o: Set) throws -> Set { try make(isl_set_subtract(copy(), o.copy()), "isl_set_subtract") }
  package func coalesce() throws -> Set { try make(isl_set_coalesce(copy()), "isl_set_coalesce") }
  package func params() throws -> Set { try make(isl_set_params(copy()), "isl_set_params") }
  package func lexmin() throws -> Set { try make(isl_set_lexmin(copy()), "isl_set_lexmin") }
  package func lexmax() throws -> Set { try make(isl_set_lexmax(copy()), "isl_set_lexmax") }
  package func gist(_ context: Set) throws -> Set { try make(isl_set_gist(copy(), context.copy()), "isl_set_gist") }
  package func gistParams(_ context: Set) throws -> Set { try make(isl_set_gist_params(copy(), context.copy()), "isl_set_gist_params") }
  package func setTupleName(_ name: String) throws -> Set { try make(isl_set_set_tuple_name(copy(), name), "isl_set_set_tuple_name") }
  package func dimensionCount() throws -> Int { try ctx.checkSize(isl_set_dim(raw, isl_dim_set), "isl_set_dim") }
  package func parameterCount() throws -> Int { try ctx.checkSize(isl_set_dim(raw, isl_dim_param), "isl_set_dim") }
  package var tupleName: String? {
    guard isl_set_has_tuple_name(raw) == isl_bool_true, let p = isl_set_get_tuple_name(raw) else { return nil }
    return String(cString: p)
  }
  /// Farkas: the set of `(c_0, c_params, c_vars)` such that `c_0 + c.x >= 0` on this set.
  package func coefficients() throws -> BasicSet {
    BasicSet(ctx, try ctx.check(isl_set_coefficients(copy()), "isl_set_coefficients"))
  }
  package func basicSets() throws -> [BasicSet] {
    let list = try ctx.check(isl_set_get_basic_set_list(raw), "isl_set_get_basic_set_list")
    defer { isl_basic_set_list_free(list) }
    let n = try ctx.checkSize(isl_basic_set_list_n_basic_set(list), "isl_basic_set_list_n_basic_set")
    return try (0..<n).map { BasicSet(ctx, try ctx.check(isl_basic_set_list_get_at(list, Int32($0)), "list_get")) }
  }
  /// A point of the set, if any (for witnesses).
  package func samplePoint() throws -> Point? {
    guard let p = isl_set_sample_point(copy()) else { throw ctx.takeError("isl_set_sample_point") }
    if isl_point_is_void(p) == isl_bool_true { isl_point_free(p); return nil }
    return Point(ctx, p)
  }
  /// The maximal value of dimension `dim` (nil when unbounded or empty).
  package func dimMax(_ dim: Int) throws -> PwAff { PwAff(ctx, try ctx.check(isl_set_dim_max(copy(), Int32(dim)), "isl_set_dim_max")) }
  package func dimMin(_ dim: Int) throws -> PwAff { PwAff(ctx, try ctx.check(isl_set_dim_min(copy(), Int32(dim)), "isl_set_dim_min")) }
  package func identity() throws -> Map { Map(ctx, try ctx.check(isl_set_identity(copy()), "isl_set_identity")) }
  package func toUnionSet() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_union_set_from_set(copy()), "isl_union_set_from_set")) }
  package func isBounded() throws -> Bool { try ctx.checkBool(isl_set_is_bounded(raw), "isl_set_is_bounded") }
  package func apply(_ m: Map) throws -> Set { try make(isl_set_apply(copy(), m.copy()), "isl_set_apply") }
  package func projectOut(first: Int, count n: Int) throws -> Set {
    try make(isl_set_project_out(copy(), isl_dim_set, UInt32(first), UInt32(n)), "isl_set_project_out")
  }
}

/// A convex integer set (`isl_basic_set`).
package final class BasicSet: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_basic_set_free(raw) }
  func copy() -> OpaquePointer { isl_basic_set_copy(raw) }
  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_basic_set_read_from_str(ctx.raw, text), "isl_basic_set_read_from_str(\(text))"))
  }
  package var description: String { ctx.takeString(isl_basic_set_to_str(raw)) }
  package func toSet() throws -> Set { Set(ctx, try ctx.check(isl_set_from_basic_set(copy()), "isl_set_from_basic_set")) }
  package func isEmpty() throws -> Bool { try ctx.checkBool(isl_basic_set_is_empty(raw), "isl_basic_set_is_empty") }
  package func intersect(_ o: BasicSet) throws -> BasicSet {
    BasicSet(ctx, try ctx.check(isl_basic_set_intersect(copy(), o.copy()), "isl_basic_set_intersect"))
  }
  package func dimensionCount() throws -> Int { try ctx.checkSize(isl_basic_set_dim(raw, isl_dim_set), "isl_basic_set_dim") }
  /// Lexicographic minimum as a set (empty when infeasible).
  package func lexmin() throws -> Set { Set(ctx, try ctx.check(isl_basic_set_lexmin(copy()), "isl_basic_set_lexmin")) }
}

/// A point of a set.
package final class Point: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_point_free(raw) }
  package var description: String { ctx.takeString(isl_point_to_str(raw)) }
  /// The integer value of set dimension `i` (nil if it does not fit in Int).
  package func coordinate(_ i: Int, param: Bool = false) throws -> Int? {
    let v = try ctx.check(isl_point_get_coordinate_val(raw, param ? isl_dim_param : isl_dim_set, Int32(i)), "coordinate")
    return Val(ctx, v).intValue
  }
}

/// A union of sets living in different spaces (`isl_union_set`).
package final class UnionSet: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_union_set_free(raw) }
  func copy() -> OpaquePointer { isl_union_set_copy(raw) }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> UnionSet { UnionSet(ctx, try ctx.check(p, what)) }

  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_union_set_read_from_str(ctx.raw, text), "isl_union_set_read_from_str(\(text))"))
  }
  package static func empty(_ ctx: Context) throws -> UnionSet { try UnionSet(ctx, "{ }") }

  package var description: String { ctx.takeString(isl_union_set_to_str(raw)) }
  package func isEmpty() throws -> Bool { try ctx.checkBool(isl_union_set_is_empty(raw), "isl_union_set_is_empty") }
  package func isSubset(of o: UnionSet) throws -> Bool { try ctx.checkBool(isl_union_set_is_subset(raw, o.raw), "isl_union_set_is_subset") }
  package func isEqual(_ o: UnionSet) throws -> Bool { try ctx.checkBool(isl_union_set_is_equal(raw, o.raw), "isl_union_set_is_equal") }
  package func union(_ o: UnionSet) throws -> UnionSet { try make(isl_union_set_union(copy(), o.copy()), "isl_union_set_union") }
  package func intersect(_ o: UnionSet) throws -> UnionSet { try make(isl_union_set_intersect(copy(), o.copy()), "isl_union_set_intersect") }
  package func intersectParams(_ o: Set) throws -> UnionSet { try make(isl_union_set_intersect_params(copy(), o.copy()), "isl_union_set_intersect_params") }
  package func subtract(_ o: UnionSet) throws -> UnionSet { try make(isl_union_set_subtract(copy(), o.copy()), "isl_union_set_subtract") }
  package func coalesce() throws -> UnionSet { try make(isl_union_set_coalesce(copy()), "isl_union_set_coalesce") }
  package func apply(_ m: UnionMap) throws -> UnionSet { try make(isl_union_set_apply(copy(), m.copy()), "isl_union_set_apply") }
  package func lexmin() throws -> UnionSet { try make(isl_union_set_lexmin(copy()), "isl_union_set_lexmin") }
  package func identity() throws -> UnionMap { UnionMap(ctx, try ctx.check(isl_union_set_identity(copy()), "isl_union_set_identity")) }
  package func universe() throws -> UnionSet { try make(isl_union_set_universe(copy()), "isl_union_set_universe") }
  package func params() throws -> Set { Set(ctx, try ctx.check(isl_union_set_params(copy()), "isl_union_set_params")) }
  package func sets() throws -> [Set] {
    let list = try ctx.check(isl_union_set_get_set_list(raw), "isl_union_set_get_set_list")
    defer { isl_set_list_free(list) }
    let n = try ctx.checkSize(isl_set_list_n_set(list), "isl_set_list_n_set")
    return try (0..<n).map { Set(ctx, try ctx.check(isl_set_list_get_at(list, Int32($0)), "isl_set_list_get_at")) }
  }
  /// The part of this union set in the space named `name`, if any.
  package func set(named name: String) throws -> Set? { try sets().first { $0.tupleName == name } }
  /// The single set of a union with exactly one space.
  package func toSet() throws -> Set { Set(ctx, try ctx.check(isl_set_from_union_set(copy()), "isl_set_from_union_set")) }
}
