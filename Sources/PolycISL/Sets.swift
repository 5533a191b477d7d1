//===- Sets.swift - isl_set, isl_basic_set, isl_union_set -----------------===//

import PolycCIsl

/// An integer set (`isl_set`), possibly parametric.
public final class Set: CustomStringConvertible {
  public let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_set_free(raw) }
  func copy() -> OpaquePointer { isl_set_copy(raw) }

  public convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.check(isl_set_read_from_str(ctx.raw, text), "isl_set_read_from_str(\(text))"))
  }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> Set { Set(ctx, try ctx.check(p, what)) }

  public var description: String { ctx.takeString(isl_set_to_str(raw)) }
  public func isEmpty() throws -> Bool { try ctx.checkBool(isl_set_is_empty(raw), "isl_set_is_empty") }
  public func isSubset(of other: Set) throws -> Bool { try ctx.checkBool(isl_set_is_subset(raw, other.raw), "isl_set_is_subset") }
  public func isEqual(_ other: Set) throws -> Bool { try ctx.checkBool(isl_set_is_equal(raw, other.raw), "isl_set_is_equal") }
  public func intersect(_ o: Set) throws -> Set { try make(isl_set_intersect(copy(), o.copy()), "isl_set_intersect") }
  public func intersectParams(_ o: Set) throws -> Set { try make(isl_set_intersect_params(copy(), o.copy()), "isl_set_intersect_params") }
  public func union(_ o: Set) throws -> Set { try make(isl_set_union(copy(), o.copy()), "isl_set_union") }
  public func subtract(_ o: Set) throws -> Set { try make(isl_set_subtract(copy(), o.copy()), "isl_set_subtract") }
  public func coalesce() throws -> Set { try make(isl_set_coalesce(copy()), "isl_set_coalesce") }
  public func params() throws -> Set { try make(isl_set_params(copy()), "isl_set_params") }
  public func lexmin() throws -> Set { try make(isl_set_lexmin(copy()), "isl_set_lexmin") }
  public func lexmax() throws -> Set { try make(isl_set_lexmax(copy()), "isl_set_lexmax") }
  public func gist(_ context: Set) throws -> Set { try make(isl_set_gist(copy(), context.copy()), "isl_set_gist") }
  public func gistParams(_ context: Set) throws -> Set { try make(isl_set_gist_params(copy(), context.copy()), "isl_set_gist_params") }
  public func setTupleName(_ name: String) throws -> Set { try make(isl_set_set_tuple_name(copy(), name), "isl_set_set_tuple_name") }
  public func dimensionCount() throws -> Int { try ctx.checkSize(isl_set_dim(raw, isl_dim_set), "isl_set_dim") }
  public func parameterCount() throws -> Int { try ctx.checkSize(isl_set_dim(raw, isl_dim_param), "isl_set_dim") }
  public var tupleName: String? {
    guard isl_set_has_tuple_name(raw) == isl_bool_true, let p = isl_set_get_tuple_name(raw) else { return nil }
    return String(cString: p)
  }
  /// Farkas: the set of `(c_0, c_params, c_vars)` such that `c_0 + c.x >= 0` on this set.
  public func coefficients() throws -> BasicSet {
    BasicSet(ctx, try ctx.check(isl_set_coefficients(copy()), "isl_set_coefficients"))
  }
  public func basicSets() throws -> [BasicSet] {
    let list = try ctx.check(isl_set_get_basic_set_list(raw), "isl_set_get_basic_set_list")
    defer { isl_basic_set_list_free(list) }
    let n = try ctx.checkSize(isl_basic_set_list_n_basic_set(list), "isl_basic_set_list_n_basic_set")
    return try (0..<n).map { BasicSet(ctx, try ctx.check(isl_basic_set_list_get_at(list, Int32($0)), "list_get")) }
  }
  /// A point of the set, if any (for witnesses).
  public func samplePoint() throws -> Point? {
    guard let p = isl_set_sample_point(copy()) else { throw ctx.takeError("isl_set_sample_point") }
    if isl_point_is_void(p) == isl_bool_true { isl_point_free(p); return nil }
    return Point(ctx, p)
  }
  /// The maximal value of dimension `dim` (nil when unbounded or empty).
  public func dimMax(_ dim: Int) throws -> PwAff { PwAff(ctx, try ctx.check(isl_set_dim_max(copy(), Int32(dim)), "isl_set_dim_max")) }
  public func dimMin(_ dim: Int) throws -> PwAff { PwAff(ctx, try ctx.check(isl_set_dim_min(copy(), Int32(dim)), "isl_set_dim_min")) }
  public func identity() throws -> Map { Map(ctx, try ctx.check(isl_set_identity(copy()), "isl_set_identity")) }
  public func toUnionSet() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_union_set_from_set(copy()), "isl_union_set_from_set")) }
  public func isBounded() throws -> Bool { try ctx.checkBool(isl_set_is_bounded(raw), "isl_set_is_bounded") }
  public func apply(_ m: Map) throws -> Set { try make(isl_set_apply(copy(), m.copy()), "isl_set_apply") }
  public func projectOut(first: Int, count n: Int) throws -> Set {
    try make(isl_set_project_out(copy(), isl_dim_set, UInt32(first), UInt32(n)), "isl_set_project_out")
  }
}

/// A convex integer set (`isl_basic_set`).
public final class BasicSet: CustomStringConvertible {
  public let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_basic_set_free(raw) }
  func copy() -> OpaquePointer { isl_basic_set_copy(raw) }
  public convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.check(isl_basic_set_read_from_str(ctx.raw, text), "isl_basic_set_read_from_str(\(text))"))
  }
  public var description: String { ctx.takeString(isl_basic_set_to_str(raw)) }
  public func toSet() throws -> Set { Set(ctx, try ctx.check(isl_set_from_basic_set(copy()), "isl_set_from_basic_set")) }
  public func isEmpty() throws -> Bool { try ctx.checkBool(isl_basic_set_is_empty(raw), "isl_basic_set_is_empty") }
  public func intersect(_ o: BasicSet) throws -> BasicSet {
    BasicSet(ctx, try ctx.check(isl_basic_set_intersect(copy(), o.copy()), "isl_basic_set_intersect"))
  }
  public func dimensionCount() throws -> Int { try ctx.checkSize(isl_basic_set_dim(raw, isl_dim_set), "isl_basic_set_dim") }
  /// Lexicographic minimum as a set (empty when infeasible).
  public func lexmin() throws -> Set { Set(ctx, try ctx.check(isl_basic_set_lexmin(copy()), "isl_basic_set_lexmin")) }
}

/// A point of a set.
public final class Point: CustomStringConvertible {
  public let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_point_free(raw) }
  public var description: String { ctx.takeString(isl_point_to_str(raw)) }
  /// The integer value of set dimension `i` (nil if it does not fit in Int).
  public func coordinate(_ i: Int, param: Bool = false) throws -> Int? {
    let v = try ctx.check(isl_point_get_coordinate_val(raw, param ? isl_dim_param : isl_dim_set, Int32(i)), "coordinate")
    return Val(ctx, v).intValue
  }
}

/// A union of sets living in different spaces (`isl_union_set`).
public final class UnionSet: CustomStringConvertible {
  public let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_union_set_free(raw) }
  func copy() -> OpaquePointer { isl_union_set_copy(raw) }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> UnionSet { UnionSet(ctx, try ctx.check(p, what)) }

  public convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.check(isl_union_set_read_from_str(ctx.raw, text), "isl_union_set_read_from_str(\(text))"))
  }
  public static func empty(_ ctx: Context) throws -> UnionSet { try UnionSet(ctx, "{ }") }

  public var description: String { ctx.takeString(isl_union_set_to_str(raw)) }
  public func isEmpty() throws -> Bool { try ctx.checkBool(isl_union_set_is_empty(raw), "isl_union_set_is_empty") }
  public func isSubset(of o: UnionSet) throws -> Bool { try ctx.checkBool(isl_union_set_is_subset(raw, o.raw), "isl_union_set_is_subset") }
  public func isEqual(_ o: UnionSet) throws -> Bool { try ctx.checkBool(isl_union_set_is_equal(raw, o.raw), "isl_union_set_is_equal") }
  public func union(_ o: UnionSet) throws -> UnionSet { try make(isl_union_set_union(copy(), o.copy()), "isl_union_set_union") }
  public func intersect(_ o: UnionSet) throws -> UnionSet { try make(isl_union_set_intersect(copy(), o.copy()), "isl_union_set_intersect") }
  public func intersectParams(_ o: Set) throws -> UnionSet { try make(isl_union_set_intersect_params(copy(), o.copy()), "isl_union_set_intersect_params") }
  public func subtract(_ o: UnionSet) throws -> UnionSet { try make(isl_union_set_subtract(copy(), o.copy()), "isl_union_set_subtract") }
  public func coalesce() throws -> UnionSet { try make(isl_union_set_coalesce(copy()), "isl_union_set_coalesce") }
  public func apply(_ m: UnionMap) throws -> UnionSet { try make(isl_union_set_apply(copy(), m.copy()), "isl_union_set_apply") }
  public func lexmin() throws -> UnionSet { try make(isl_union_set_lexmin(copy()), "isl_union_set_lexmin") }
  public func identity() throws -> UnionMap { UnionMap(ctx, try ctx.check(isl_union_set_identity(copy()), "isl_union_set_identity")) }
  public func universe() throws -> UnionSet { try make(isl_union_set_universe(copy()), "isl_union_set_universe") }
  public func params() throws -> Set { Set(ctx, try ctx.check(isl_union_set_params(copy()), "isl_union_set_params")) }
  public func sets() throws -> [Set] {
    let list = try ctx.check(isl_union_set_get_set_list(raw), "isl_union_set_get_set_list")
    defer { isl_set_list_free(list) }
    let n = try ctx.checkSize(isl_set_list_n_set(list), "isl_set_list_n_set")
    return try (0..<n).map { Set(ctx, try ctx.check(isl_set_list_get_at(list, Int32($0)), "isl_set_list_get_at")) }
  }
  /// The part of this union set in the space named `name`, if any.
  public func set(named name: String) throws -> Set? { try sets().first { $0.tupleName == name } }
  /// The single set of a union with exactly one space.
  public func toSet() throws -> Set { Set(ctx, try ctx.check(isl_set_from_union_set(copy()), "isl_set_from_union_set")) }
}
