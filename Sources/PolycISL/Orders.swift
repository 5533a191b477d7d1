//===- Orders.swift - Relations restricted by the order of function values ===//
//
// isl's `eq_at`/`lex_lt_at`/`lex_gt_at` restrict a relation between
// instances to the pairs whose values of a function compare as asked. The
// constraints are added on the instances directly, so nothing is projected
// (unlike distance vectors, which eliminate every instance variable): the
// transforms test band properties with them.
//
//===----------------------------------------------------------------------===//

import PolycCIsl

extension UnionMap {
  /// The pairs `x -> y` of this relation with `f(x) = f(y)`.
  package func equalAt(_ f: MultiUnionPwAff) throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_union_map_eq_at_multi_union_pw_aff(copy(), f.copy()), "isl_union_map_eq_at_multi_union_pw_aff"))
  }

  /// The pairs `x -> y` of this relation with `f(x) <lex f(y)`.
  package func lexLessAt(_ f: MultiUnionPwAff) throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_union_map_lex_lt_at_multi_union_pw_aff(copy(), f.copy()), "isl_union_map_lex_lt_at_multi_union_pw_aff"))
  }

  /// The pairs `x -> y` of this relation with `f(x) >lex f(y)`.
  package func lexGreaterAt(_ f: MultiUnionPwAff) throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_union_map_lex_gt_at_multi_union_pw_aff(copy(), f.copy()), "isl_union_map_lex_gt_at_multi_union_pw_aff"))
  }
}

extension MultiUnionPwAff {
  /// The function of output dimension `k` alone.
  package func memberFunction(_ k: Int) throws -> MultiUnionPwAff {
    let upa = try ctx.check(isl_multi_union_pw_aff_get_at(raw, Int32(k)), "isl_multi_union_pw_aff_get_at")
    return MultiUnionPwAff(ctx, try ctx.check(isl_multi_union_pw_aff_from_union_pw_aff(upa), "isl_multi_union_pw_aff_from_union_pw_aff"))
  }
}
