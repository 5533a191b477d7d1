//===- Maps.swift - isl_map and isl_union_map -----------------------------===//

import PolycCIsl

/// A binary relation between integer tuples (`isl_map`).
package final class Map: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_map_free(raw) }
  func copy() -> OpaquePointer { isl_map_copy(raw) }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> Map { Map(ctx, try ctx.check(p, what)) }

  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_map_read_from_str(ctx.raw, text), "isl_map_read_from_str(\(text))"))
  }
  package var description: String { ctx.takeString(isl_map_to_str(raw)) }
  package func isEmpty() throws -> Bool { try ctx.checkBool(isl_map_is_empty(raw), "isl_map_is_empty") }
  package func isSubset(of o: Map) throws -> Bool { try ctx.checkBool(isl_map_is_subset(raw, o.raw), "isl_map_is_subset") }
  package func isEqual(_ o: Map) throws -> Bool { try ctx.checkBool(isl_map_is_equal(raw, o.raw), "isl_map_is_equal") }
  package func isInjective() throws -> Bool { try ctx.checkBool(isl_map_is_injective(raw), "isl_map_is_injective") }
  package func isSingleValued() throws -> Bool { try ctx.checkBool(isl_map_is_single_valued(raw), "isl_map_is_single_valued") }
  package func domain() throws -> Set { Set(ctx, try ctx.check(isl_map_domain(copy()), "isl_map_domain")) }
  package func range() throws -> Set { Set(ctx, try ctx.check(isl_map_range(copy()), "isl_map_range")) }
  package func deltas() throws -> Set { Set(ctx, try ctx.check(isl_map_deltas(copy()), "isl_map_deltas")) }
  package func wrap() throws -> Set { Set(ctx, try ctx.check(isl_map_wrap(copy()), "isl_map_wrap")) }
  package func reverse() throws -> Map { try make(isl_map_reverse(copy()), "isl_map_reverse") }
  package func coalesce() throws -> Map { try make(isl_map_coalesce(copy()), "isl_map_coalesce") }
  package func union(_ o: Map) throws -> Map { try make(isl_map_union(copy(), o.copy()), "isl_map_union") }
  package func intersect(_ o: Map) throws -> Map { try make(isl_map_intersect(copy(), o.copy()), "isl_map_intersect") }
  package func subtract(_ o: Map) throws -> Map { try make(isl_map_subtract(copy(), o.copy()), "isl_map_subtract") }
  package func intersectDomain(_ s: Set) throws -> Map { try make(isl_map_intersect_domain(copy(), s.copy()), "isl_map_intersect_domain") }
  package func intersectRange(_ s: Set) throws -> Map { try make(isl_map_intersect_range(copy(), s.copy()), "isl_map_intersect_range") }
  package func intersectParams(_ s: Set) throws -> Map { try make(isl_map_intersect_params(copy(), s.copy()), "isl_map_intersect_params") }
  /// The map simplified on the assumption that its inputs lie in `s` (`isl_map_gist_domain`).
  package func gistDomain(_ s: Set) throws -> Map { try make(isl_map_gist_domain(copy(), s.copy()), "isl_map_gist_domain") }
  package func applyRange(_ o: Map) throws -> Map { try make(isl_map_apply_range(copy(), o.copy()), "isl_map_apply_range") }
  package func applyDomain(_ o: Map) throws -> Map { try make(isl_map_apply_domain(copy(), o.copy()), "isl_map_apply_domain") }
  package func lexmin() throws -> Map { try make(isl_map_lexmin(copy()), "isl_map_lexmin") }
  package func lexmax() throws -> Map { try make(isl_map_lexmax(copy()), "isl_map_lexmax") }
  package func inputDimensionCount() throws -> Int { try ctx.checkSize(isl_map_dim(raw, isl_dim_in), "isl_map_dim") }
  package func outputDimensionCount() throws -> Int { try ctx.checkSize(isl_map_dim(raw, isl_dim_out), "isl_map_dim") }
  package var domainTupleName: String? {
    guard isl_map_has_tuple_name(raw, isl_dim_in) == isl_bool_true, let p = isl_map_get_tuple_name(raw, isl_dim_in) else { return nil }
    return String(cString: p)
  }
  package var rangeTupleName: String? {
    guard isl_map_has_tuple_name(raw, isl_dim_out) == isl_bool_true, let p = isl_map_get_tuple_name(raw, isl_dim_out) else { return nil }
    return String(cString: p)
  }
  package func toUnionMap() throws -> UnionMap { UnionMap(ctx, try ctx.check(isl_union_map_from_map(copy()), "isl_union_map_from_map")) }
  package func basicMapCount() throws -> Int { try ctx.checkSize(isl_map_n_basic_map(raw), "isl_map_n_basic_map") }
  /// Keeps only the first `n` output dimensions.
  package func keepOutputs(_ n: Int) throws -> Map {
    let total = try outputDimensionCount()
    return try make(isl_map_project_out(copy(), isl_dim_out, UInt32(n), UInt32(total - n)), "isl_map_project_out")
  }
}

/// A union of maps between different spaces (`isl_union_map`).
package final class UnionMap: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_union_map_free(raw) }
  func copy() -> OpaquePointer { isl_union_map_copy(raw) }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> UnionMap { UnionMap(ctx, try ctx.check(p, what)) }

  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_union_map_read_from_str(ctx.raw, text), "isl_union_map_read_from_str(\(text))"))
  }
  package static func empty(_ ctx: Context) throws -> UnionMap { try UnionMap(ctx, "{ }") }
  package static func fromDomainAndRange(_ d: UnionSet, _ r: UnionSet) throws -> UnionMap {
    UnionMap(d.ctx, try d.ctx.check(isl_union_map_from_domain_and_range(d.copy(), r.copy()), "isl_union_map_from_domain_and_range"))
  }

  package var description: String { ctx.takeString(isl_union_map_to_str(raw)) }
  package func isEmpty() throws -> Bool { try ctx.checkBool(isl_union_map_is_empty(raw), "isl_union_map_is_empty") }
  package func isSubset(of o: UnionMap) throws -> Bool { try ctx.checkBool(isl_union_map_is_subset(raw, o.raw), "isl_union_map_is_subset") }
  package func isEqual(_ o: UnionMap) throws -> Bool { try ctx.checkBool(isl_union_map_is_equal(raw, o.raw), "isl_union_map_is_equal") }
  package func isInjective() throws -> Bool { try ctx.checkBool(isl_union_map_is_injective(raw), "isl_union_map_is_injective") }
  package func isSingleValued() throws -> Bool { try ctx.checkBool(isl_union_map_is_single_valued(raw), "isl_union_map_is_single_valued") }
  package func union(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_union(copy(), o.copy()), "isl_union_map_union") }
  package func intersect(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_intersect(copy(), o.copy()), "isl_union_map_intersect") }
  package func subtract(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_subtract(copy(), o.copy()), "isl_union_map_subtract") }
  package func intersectDomain(_ s: UnionSet) throws -> UnionMap { try make(isl_union_map_intersect_domain(copy(), s.copy()), "isl_union_map_intersect_domain") }
  package func intersectRange(_ s: UnionSet) throws -> UnionMap { try make(isl_union_map_intersect_range(copy(), s.copy()), "isl_union_map_intersect_range") }
  package func intersectParams(_ s: Set) throws -> UnionMap { try make(isl_union_map_intersect_params(copy(), s.copy()), "isl_union_map_intersect_params") }
  package func applyRange(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_apply_range(copy(), o.copy()), "isl_union_map_apply_range") }
  package func applyDomain(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_apply_domain(copy(), o.copy()), "isl_union_map_apply_domain") }
  package func reverse() throws -> UnionMap { try make(isl_union_map_reverse(copy()), "isl_union_map_reverse") }
  package func coalesce() throws -> UnionMap { try make(isl_union_map_coalesce(copy()), "isl_union_map_coalesce") }
  package func lexmin() throws -> UnionMap { try make(isl_union_map_lexmin(copy()), "isl_union_map_lexmin") }
  package func lexmax() throws -> UnionMap { try make(isl_union_map_lexmax(copy()), "isl_union_map_lexmax") }
  package func zip() throws -> UnionMap { try make(isl_union_map_zip(copy()), "isl_union_map_zip") }
  package func domain() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_union_map_domain(copy()), "isl_union_map_domain")) }
  package func range() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_union_map_range(copy()), "isl_union_map_range")) }
  package func deltas() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_union_map_deltas(copy()), "isl_union_map_deltas")) }
  package func wrap() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_union_map_wrap(copy()), "isl_union_map_wrap")) }
  /// Relates each element of the domain to the elements it precedes lexicographically
  /// in the image of both sides (`isl_union_map_lex_lt_union_map`).
  package func lexLessThan(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_lex_lt_union_map(copy(), o.copy()), "isl_union_map_lex_lt_union_map") }
  package func lexGreaterOrEqual(_ o: UnionMap) throws -> UnionMap { try make(isl_union_map_lex_ge_union_map(copy(), o.copy()), "isl_union_map_lex_ge_union_map") }
  package func maps() throws -> [Map] {
    let list = try ctx.check(isl_union_map_get_map_list(raw), "isl_union_map_get_map_list")
    defer { isl_map_list_free(list) }
    let n = try ctx.checkSize(isl_map_list_n_map(list), "isl_map_list_n_map")
    return try (0..<n).map { Map(ctx, try ctx.check(isl_map_list_get_at(list, Int32($0)), "isl_map_list_get_at")) }
  }
  package func toMap() throws -> Map { Map(ctx, try ctx.check(isl_map_from_union_map(copy()), "isl_map_from_union_map")) }
  /// The part of this union map in the space of `m` (`isl_union_map_extract_map`; empty when there is none).
  package func part(inSpaceOf m: Map) throws -> Map {
    Map(ctx, try ctx.check(isl_union_map_extract_map(raw, isl_map_get_space(m.raw)), "isl_union_map_extract_map"))
  }
  package func toMultiUnionPwAff() throws -> MultiUnionPwAff {
    MultiUnionPwAff(ctx, try ctx.check(isl_multi_union_pw_aff_from_union_map(copy()), "isl_multi_union_pw_aff_from_union_map"))
  }
}
