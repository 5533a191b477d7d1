//===- Schedule.swift - isl schedules and schedule trees ------------------===//

import PolycCIsl

/// A schedule tree (`isl_schedule`).
package final class Schedule: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_schedule_free(raw) }
  func copy() -> OpaquePointer { isl_schedule_copy(raw) }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> Schedule { Schedule(ctx, try ctx.check(p, what)) }

  /// Parses isl's YAML-like schedule tree notation.
  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_schedule_read_from_str(ctx.raw, text), "isl_schedule_read_from_str"))
  }
  /// A schedule with only a domain node (all instances unordered).
  package static func fromDomain(_ d: UnionSet) throws -> Schedule {
    Schedule(d.ctx, try d.ctx.check(isl_schedule_from_domain(d.copy()), "isl_schedule_from_domain"))
  }
  /// A flat schedule from a schedule map.
  package static func fromMap(domain: UnionSet, map: UnionMap) throws -> Schedule {
    let s = try fromDomain(domain)
    if try map.isEmpty() { return s }
    return try s.insertPartialSchedule(try map.intersectDomain(domain).toMultiUnionPwAff())
  }
  /// `a` then `b` (their domains must be disjoint).
  package static func sequence(_ a: Schedule, _ b: Schedule) throws -> Schedule {
    Schedule(a.ctx, try a.ctx.check(isl_schedule_sequence(a.copy(), b.copy()), "isl_schedule_sequence"))
  }
  package static func set(_ a: Schedule, _ b: Schedule) throws -> Schedule {
    Schedule(a.ctx, try a.ctx.check(isl_schedule_set(a.copy(), b.copy()), "isl_schedule_set"))
  }

  package var description: String { ctx.takeString(isl_schedule_to_str(raw)) }
  /// Inserts a band on top of the tree.
  package func insertPartialSchedule(_ p: MultiUnionPwAff) throws -> Schedule {
    try make(isl_schedule_insert_partial_schedule(copy(), p.copy()), "isl_schedule_insert_partial_schedule")
  }
  package func insertContext(_ c: Set) throws -> Schedule {
    try make(isl_schedule_insert_context(copy(), c.copy()), "isl_schedule_insert_context")
  }
  package func intersectDomain(_ d: UnionSet) throws -> Schedule {
    try make(isl_schedule_intersect_domain(copy(), d.copy()), "isl_schedule_intersect_domain")
  }
  package func domain() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_schedule_get_domain(raw), "isl_schedule_get_domain")) }
  /// The flat schedule map (domain instance -> schedule vector).
  package func map() throws -> UnionMap { UnionMap(ctx, try ctx.check(isl_schedule_get_map(raw), "isl_schedule_get_map")) }
  package func root() throws -> ScheduleNode { ScheduleNode(ctx, try ctx.check(isl_schedule_get_root(raw), "isl_schedule_get_root")) }
  package func isEqual(_ o: Schedule) throws -> Bool { try ctx.checkBool(isl_schedule_plain_is_equal(raw, o.raw), "isl_schedule_plain_is_equal") }
}

/// A position in a schedule tree. Operations return a new node (in a new tree).
package final class ScheduleNode: CustomStringConvertible {
  package enum Kind: Sendable { case band, context, domain, expansion, `extension`, filter, leaf, guard_, mark, sequence, set }

  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_schedule_node_free(raw) }
  func copy() -> OpaquePointer { isl_schedule_node_copy(raw) }
  private func make(_ p: OpaquePointer?, _ what: String) throws -> ScheduleNode { ScheduleNode(ctx, try ctx.check(p, what)) }

  package var description: String { ctx.takeString(isl_schedule_node_to_str(raw)) }
  package func kind() throws -> Kind {
    switch isl_schedule_node_get_type(raw) {
    case isl_schedule_node_band: return .band
    case isl_schedule_node_context: return .context
    case isl_schedule_node_domain: return .domain
    case isl_schedule_node_expansion: return .expansion
    case isl_schedule_node_extension: return .`extension`
    case isl_schedule_node_filter: return .filter
    case isl_schedule_node_leaf: return .leaf
    case isl_schedule_node_guard: return .guard_
    case isl_schedule_node_mark: return .mark
    case isl_schedule_node_sequence: return .sequence
    case isl_schedule_node_set: return .set
    default: throw ctx.takeError("isl_schedule_node_get_type")
    }
  }
  package func schedule() throws -> Schedule { Schedule(ctx, try ctx.check(isl_schedule_node_get_schedule(raw), "isl_schedule_node_get_schedule")) }
  package func childCount() throws -> Int { try ctx.checkSize(isl_schedule_node_n_children(raw), "isl_schedule_node_n_children") }
  package func child(_ i: Int) throws -> ScheduleNode { try make(isl_schedule_node_child(copy(), Int32(i)), "isl_schedule_node_child") }
  package func parent() throws -> ScheduleNode { try make(isl_schedule_node_parent(copy()), "isl_schedule_node_parent") }
  package func root() throws -> ScheduleNode { try make(isl_schedule_node_root(copy()), "isl_schedule_node_root") }
  package func hasParent() throws -> Bool { try ctx.checkBool(isl_schedule_node_has_parent(raw), "isl_schedule_node_has_parent") }
  package func treeDepth() throws -> Int { try ctx.checkSize(isl_schedule_node_get_tree_depth(raw), "isl_schedule_node_get_tree_depth") }
  /// The number of schedule dimensions (band members) above this node.
  package func scheduleDepth() throws -> Int { try ctx.checkSize(isl_schedule_node_get_schedule_depth(raw), "isl_schedule_node_get_schedule_depth") }
  package func childPosition() throws -> Int { try ctx.checkSize(isl_schedule_node_get_child_position(raw), "isl_schedule_node_get_child_position") }
  package func domain() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_schedule_node_get_domain(raw), "isl_schedule_node_get_domain")) }
  package func prefixScheduleUnionMap() throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_schedule_node_get_prefix_schedule_union_map(raw), "isl_schedule_node_get_prefix_schedule_union_map"))
  }
  /// The schedule above this node as a function (no sequence positions), for `eq_at`.
  package func prefixScheduleMultiUnionPwAff() throws -> MultiUnionPwAff {
    MultiUnionPwAff(ctx, try ctx.check(isl_schedule_node_get_prefix_schedule_multi_union_pw_aff(raw), "isl_schedule_node_get_prefix_schedule_multi_union_pw_aff"))
  }
  package func filter() throws -> UnionSet { UnionSet(ctx, try ctx.check(isl_schedule_node_filter_get_filter(raw), "isl_schedule_node_filter_get_filter")) }
  package func markId() throws -> Id { Id(ctx, try ctx.check(isl_schedule_node_mark_get_id(raw), "isl_schedule_node_mark_get_id")) }

  // Bands.
  package func bandMemberCount() throws -> Int { try ctx.checkSize(isl_schedule_node_band_n_member(raw), "isl_schedule_node_band_n_member") }
  package func bandPartialSchedule() throws -> MultiUnionPwAff {
    MultiUnionPwAff(ctx, try ctx.check(isl_schedule_node_band_get_partial_schedule(raw), "isl_schedule_node_band_get_partial_schedule"))
  }
  package func bandPartialScheduleUnionMap() throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_schedule_node_band_get_partial_schedule_union_map(raw), "band_get_partial_schedule_union_map"))
  }
  package func bandIsPermutable() throws -> Bool { try ctx.checkBool(isl_schedule_node_band_get_permutable(raw), "isl_schedule_node_band_get_permutable") }
  package func bandSetPermutable(_ p: Bool) throws -> ScheduleNode {
    try make(isl_schedule_node_band_set_permutable(copy(), p ? 1 : 0), "isl_schedule_node_band_set_permutable")
  }
  package func bandMemberIsCoincident(_ i: Int) throws -> Bool {
    try ctx.checkBool(isl_schedule_node_band_member_get_coincident(raw, Int32(i)), "isl_schedule_node_band_member_get_coincident")
  }
  package func bandMemberSetCoincident(_ i: Int, _ c: Bool) throws -> ScheduleNode {
    try make(isl_schedule_node_band_member_set_coincident(copy(), Int32(i), c ? 1 : 0), "isl_schedule_node_band_member_set_coincident")
  }
  /// Tiles the band with the given sizes (one per member); returns the tile band,
  /// whose child is the point band.
  package func bandTile(_ sizes: [Int]) throws -> ScheduleNode {
    let space = try ctx.check(isl_multi_union_pw_aff_get_space(try bandPartialSchedule().raw), "get_space")
    var list = try ctx.check(isl_val_list_alloc(ctx.raw, Int32(sizes.count)), "isl_val_list_alloc")
    for s in sizes { list = try ctx.check(isl_val_list_add(list, isl_val_int_from_si(ctx.raw, s)), "isl_val_list_add") }
    let mv = try ctx.check(isl_multi_val_from_val_list(isl_space_range(space), list), "isl_multi_val_from_val_list")
    return try make(isl_schedule_node_band_tile(copy(), mv), "isl_schedule_node_band_tile")
  }
  /// Splits the band after `pos` members; returns the outer band.
  package func bandSplit(_ pos: Int) throws -> ScheduleNode { try make(isl_schedule_node_band_split(copy(), Int32(pos)), "isl_schedule_node_band_split") }
  package func bandSink() throws -> ScheduleNode { try make(isl_schedule_node_band_sink(copy()), "isl_schedule_node_band_sink") }
  /// Inserts a mark above this node; returns the mark node.
  package func insertMark(_ name: String) throws -> ScheduleNode {
    let id = try Id(ctx, name: name)
    return try make(isl_schedule_node_insert_mark(copy(), id.copy()), "isl_schedule_node_insert_mark")
  }
  package func insertPartialSchedule(_ p: MultiUnionPwAff) throws -> ScheduleNode {
    try make(isl_schedule_node_insert_partial_schedule(copy(), p.copy()), "isl_schedule_node_insert_partial_schedule")
  }
  package func delete() throws -> ScheduleNode { try make(isl_schedule_node_delete(copy()), "isl_schedule_node_delete") }
  package func bandSetAstBuildOptions(_ text: String) throws -> ScheduleNode {
    let opts = try ctx.checkParsed(isl_union_set_read_from_str(ctx.raw, text), "isl_union_set_read_from_str")
    return try make(isl_schedule_node_band_set_ast_build_options(copy(), opts), "isl_schedule_node_band_set_ast_build_options")
  }
}
