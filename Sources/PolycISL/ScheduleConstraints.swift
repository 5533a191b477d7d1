//===- ScheduleConstraints.swift - isl's own scheduler --------------------===//
//
// `isl_schedule_constraints_compute_schedule`: isl's Pluto-like scheduler
// (or Feautrier's, with `algorithm = .feautrier`). Its options are global to
// an isl context; `IslScheduler.compute` sets them for one call and restores
// the previous values afterwards.
//
//===----------------------------------------------------------------------===//

import PolycCIsl

package enum IslScheduleAlgorithm: Sendable { case isl, feautrier }

/// The isl options that steer `isl_schedule_constraints_compute_schedule`;
/// nil keeps isl's default.
package struct IslSchedulerOptions: Sendable, Equatable {
  package var serializeSCCs: Bool?
  package var outerCoincidence: Bool?
  package var maximizeBandDepth: Bool?
  package var wholeComponent: Bool?
  /// Bound on schedule coefficients (-1: none).
  package var maxCoefficient: Int?
  package var algorithm: IslScheduleAlgorithm?
  package init(serializeSCCs: Bool? = nil, outerCoincidence: Bool? = nil, maximizeBandDepth: Bool? = nil,
              wholeComponent: Bool? = nil, maxCoefficient: Int? = nil, algorithm: IslScheduleAlgorithm? = nil) {
    self.serializeSCCs = serializeSCCs
    self.outerCoincidence = outerCoincidence
    self.maximizeBandDepth = maximizeBandDepth
    self.wholeComponent = wholeComponent
    self.maxCoefficient = maxCoefficient
    self.algorithm = algorithm
  }
}

package enum IslScheduler {
  /// Computes a schedule of `domain` that respects `validity`, tries to make
  /// `coincidence` distances zero and `proximity` distances small.
  package static func compute(domain: UnionSet, context: Set?, validity: UnionMap, coincidence: UnionMap?,
                             proximity: UnionMap?, options: IslSchedulerOptions) throws -> Schedule {
    let ctx = domain.ctx
    let c = ctx.raw
    let saved = (isl_options_get_schedule_serialize_sccs(c), isl_options_get_schedule_outer_coincidence(c),
                 isl_options_get_schedule_maximize_band_depth(c), isl_options_get_schedule_whole_component(c),
                 isl_options_get_schedule_max_coefficient(c), isl_options_get_schedule_algorithm(c))
    defer {
      isl_options_set_schedule_serialize_sccs(c, saved.0)
      isl_options_set_schedule_outer_coincidence(c, saved.1)
      isl_options_set_schedule_maximize_band_depth(c, saved.2)
      isl_options_set_schedule_whole_component(c, saved.3)
      isl_options_set_schedule_max_coefficient(c, saved.4)
      isl_options_set_schedule_algorithm(c, saved.5)
    }
    if let v = options.serializeSCCs { isl_options_set_schedule_serialize_sccs(c, v ? 1 : 0) }
    if let v = options.outerCoincidence { isl_options_set_schedule_outer_coincidence(c, v ? 1 : 0) }
    if let v = options.maximizeBandDepth { isl_options_set_schedule_maximize_band_depth(c, v ? 1 : 0) }
    if let v = options.wholeComponent { isl_options_set_schedule_whole_component(c, v ? 1 : 0) }
    if let v = options.maxCoefficient { isl_options_set_schedule_max_coefficient(c, Int32(v)) }
    if let v = options.algorithm {
      isl_options_set_schedule_algorithm(c, v == .feautrier ? ISL_SCHEDULE_ALGORITHM_FEAUTRIER : ISL_SCHEDULE_ALGORITHM_ISL)
    }
    var sc = try ctx.check(isl_schedule_constraints_on_domain(domain.copy()), "isl_schedule_constraints_on_domain")
    if let context {
      sc = try ctx.check(isl_schedule_constraints_set_context(sc, context.copy()), "isl_schedule_constraints_set_context")
    }
    sc = try ctx.check(isl_schedule_constraints_set_validity(sc, validity.copy()), "isl_schedule_constraints_set_validity")
    if let coincidence {
      sc = try ctx.check(isl_schedule_constraints_set_coincidence(sc, coincidence.copy()), "isl_schedule_constraints_set_coincidence")
    }
    if let proximity {
      sc = try ctx.check(isl_schedule_constraints_set_proximity(sc, proximity.copy()), "isl_schedule_constraints_set_proximity")
    }
    return Schedule(ctx, try ctx.check(isl_schedule_constraints_compute_schedule(sc), "isl_schedule_constraints_compute_schedule"))
  }
}

extension Schedule {
  /// The tree in isl's block YAML style (one node per line, indented).
  package var blockText: String {
    guard var p = isl_printer_to_str(ctx.raw) else { return description }
    p = isl_printer_set_yaml_style(p, ISL_YAML_STYLE_BLOCK)
    p = isl_printer_print_schedule(p, raw)
    let s = ctx.takeString(isl_printer_get_str(p))
    isl_printer_free(p)
    return s
  }
}

extension MultiUnionPwAff {
  /// Member `i` as a union map (instance -> [value]).
  package func member(_ i: Int) throws -> UnionMap {
    let upa = try ctx.check(isl_multi_union_pw_aff_get_union_pw_aff(raw, Int32(i)), "isl_multi_union_pw_aff_get_union_pw_aff")
    return UnionMap(ctx, try ctx.check(isl_union_map_from_union_pw_aff(upa), "isl_union_map_from_union_pw_aff"))
  }
}

