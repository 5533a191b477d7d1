//===- Flow.swift - isl dataflow analysis ---------------------------------===//

import PolycCIsl

package enum Flow {
  /// Runs `isl_union_access_info_compute_flow`: for every sink access, the
  /// last preceding must-source (and possible may-sources) under `schedule`.
  /// Returns (must dependences, may dependences), both source -> sink maps on
  /// statement instances.
  package static func compute(sink: UnionMap, mustSource: UnionMap, maySource: UnionMap? = nil,
                             schedule: Schedule) throws -> (must: UnionMap, may: UnionMap) {
    let ctx = sink.ctx
    var info = try ctx.check(isl_union_access_info_from_sink(sink.copy()), "isl_union_access_info_from_sink")
    info = try ctx.check(isl_union_access_info_set_must_source(info, mustSource.copy()), "set_must_source")
    if let maySource {
      info = try ctx.check(isl_union_access_info_set_may_source(info, maySource.copy()), "set_may_source")
    }
    info = try ctx.check(isl_union_access_info_set_schedule(info, schedule.copy()), "set_schedule")
    let flow = try ctx.check(isl_union_access_info_compute_flow(info), "isl_union_access_info_compute_flow")
    defer { isl_union_flow_free(flow) }
    let must = UnionMap(ctx, try ctx.check(isl_union_flow_get_must_dependence(flow), "get_must_dependence"))
    let may = UnionMap(ctx, try ctx.check(isl_union_flow_get_may_dependence(flow), "get_may_dependence"))
    return (must, may)
  }
}
