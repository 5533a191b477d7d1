//===- ScheduleEdits.swift - Operations used by the schedule-tree transforms ===//
//
// Additive wrappers used by the Transforms module: products of schedule
// relations and AST loop types (unrolling). (UnionMap.flatRangeProduct lives
// in Farkas.swift.)
//
//===----------------------------------------------------------------------===//

import PolycCIsl

extension Map {
  /// `{ x -> [a, b] }` from `{ x -> [a] }` and `{ x -> [b] }` (`isl_map_flat_range_product`).
  package func flatRangeProduct(_ o: Map) throws -> Map {
    Map(ctx, try ctx.check(isl_map_flat_range_product(copy(), o.copy()), "isl_map_flat_range_product"))
  }
}

extension MultiUnionPwAff {
  /// The members of `self`, then those of `o` (`isl_multi_union_pw_aff_flat_range_product`).
  package func flatRangeProduct(_ o: MultiUnionPwAff) throws -> MultiUnionPwAff {
    MultiUnionPwAff(ctx, try ctx.check(isl_multi_union_pw_aff_flat_range_product(copy(), o.copy()),
                                       "isl_multi_union_pw_aff_flat_range_product"))
  }
}

extension ScheduleNode {
  /// How isl's AST generator emits one band member.
  package enum ASTLoopType: Sendable {
    case `default`, atomic, unroll, separate
  }

  package func bandMemberSetASTLoopType(_ member: Int, _ type: ASTLoopType) throws -> ScheduleNode {
    let t: isl_ast_loop_type
    switch type {
    case .default: t = isl_ast_loop_default
    case .atomic: t = isl_ast_loop_atomic
    case .unroll: t = isl_ast_loop_unroll
    case .separate: t = isl_ast_loop_separate
    }
    return ScheduleNode(ctx, try ctx.check(isl_schedule_node_band_member_set_ast_loop_type(copy(), Int32(member), t),
                                           "isl_schedule_node_band_member_set_ast_loop_type"))
  }

  /// Inserts a sequence node with one filter child per set, in order, above
  /// this node; returns the sequence node.
  package func insertSequence(_ filters: [UnionSet]) throws -> ScheduleNode {
    var list = try ctx.check(isl_union_set_list_alloc(ctx.raw, Int32(filters.count)), "isl_union_set_list_alloc")
    for f in filters { list = try ctx.check(isl_union_set_list_add(list, f.copy()), "isl_union_set_list_add") }
    return ScheduleNode(ctx, try ctx.check(isl_schedule_node_insert_sequence(copy(), list), "isl_schedule_node_insert_sequence"))
  }

  /// The AST build options of a band, as text.
  package func bandASTBuildOptions() throws -> String {
    let u = UnionSet(ctx, try ctx.check(isl_schedule_node_band_get_ast_build_options(raw), "isl_schedule_node_band_get_ast_build_options"))
    return u.description
  }
}

extension Schedule {
  /// The schedule that runs the same instances in the opposite order: every
  /// band member negated, every sequence's children in reverse order (set
  /// children stay unordered). Marks are dropped. Used to ask isl's dataflow
  /// analysis for the *next* access after each one (`Scop.memoryDependences`).
  /// Returns nil for trees with context, guard, expansion or extension nodes.
  ///
  /// ```
  /// for i { S0[i]; for j { S1[i, j] } }   ->   for -i { for -j { S1[i, j] }; S0[i] }
  /// ```
  package func reversedOrder() throws -> Schedule? { try Self.reversed(try root()) }

  static func reversed(_ node: ScheduleNode) throws -> Schedule? {
    switch try node.kind() {
    case .domain, .filter, .mark:
      return try reversed(try node.child(0))
    case .leaf:
      return try Schedule.fromDomain(try node.domain())
    case .band:
      return try reversed(try node.child(0))?.insertPartialSchedule(try node.bandPartialSchedule().negated())
    case .sequence, .set:
      let ordered = try node.kind() == .sequence
      var parts: [Schedule] = []
      for i in 0..<(try node.childCount()) {
        guard let part = try reversed(try node.child(i)) else { return nil }
        parts.append(part)
      }
      if ordered { parts.reverse() }
      guard var result = parts.first else { return nil }
      for p in parts.dropFirst() { result = ordered ? try Schedule.sequence(result, p) : try Schedule.set(result, p) }
      return result
    case .context, .guard_, .expansion, .extension:
      return nil
    }
  }
}
