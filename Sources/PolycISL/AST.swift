//===- AST.swift - isl's AST generator, converted to Swift values ---------===//
//
// `ASTGenerator.generate` runs isl's AST builder on a schedule and converts
// the resulting isl_ast_node tree into plain Swift values (`ASTNode`,
// `ASTExpr`), so code generators never touch isl objects.
//
//===----------------------------------------------------------------------===//

import PolycCIsl

package enum ASTOp: String, Sendable, Hashable {
  case and, andThen, or, orElse, max, min, minus, add, sub, mul, div
  case fdivQ, pdivQ, pdivR, zdivR, cond, select, eq, le, lt, ge, gt
  case call, access, member, addressOf
}

package indirect enum ASTExpr: Sendable, Hashable {
  case int(Int)
  case id(String)
  case op(ASTOp, [ASTExpr])
}

package indirect enum ASTNode: Sendable, Hashable {
  case forLoop(iterator: String, initial: ASTExpr, condition: ASTExpr, increment: ASTExpr, body: ASTNode, degenerate: Bool)
  case ifStmt(condition: ASTExpr, then: ASTNode, else: ASTNode?)
  case block([ASTNode])
  case mark(String, ASTNode)
  /// A statement instance: `.op(.call, [.id(name), args...])`.
  case user(ASTExpr)
}

package enum ASTGenerator {
  /// Generates an AST for `schedule` under the parameter `context`.
  /// `separateDimensions`: ask isl to separate full and partial tiles/iterations (more code, simpler bounds).
  /// Loop iterators are named `<prefix>0`, `<prefix>1`, ... with a prefix
  /// (`c`, `cc`, ...) chosen so that no name in `reserved` is taken.
  /// `maxOperations`: isl operations the generation may take (0: unlimited),
  /// see `withinBudget`.
  package static func generate(_ schedule: Schedule, context: Set, reserved: Swift.Set<String> = [],
                              maxOperations: UInt = 0) throws -> ASTNode {
    try withinBudget(try joiningBands(schedule, context: context), maxOperations) { try generateOnce($0, context: context, reserved: reserved) }
  }

  /// The default of `budget.astOperations`.
  package static let defaultMaxOperations: UInt = 20_000_000

  /// Runs one AST generation on `schedule` within `maxOperations` isl
  /// operations; past them, once more on the schedule without per-band AST
  /// options (separation, atomic, unrolling, isolation: the options that
  /// multiply the code isl must build), and past the budget again throws a
  /// quota `ISLError` that names the budget.
  static func withinBudget<T>(_ schedule: Schedule, _ maxOperations: UInt, _ body: (Schedule) throws -> T) throws -> T {
    let ctx = schedule.ctx
    do {
      return try ctx.withBudget(maxOperations) { try body(schedule) }
    } catch let e as ISLError where e.isQuota {
      let plain = try withoutBuildOptions(schedule)
      if try !plain.isEqual(schedule) {
        do {
          return try ctx.withBudget(maxOperations) { try body(plain) }
        } catch let e as ISLError where e.isQuota {}
      }
      throw ISLError(kind: .quota, message: "AST generation exceeded its budget of \(maxOperations) isl operations "
        + "(budget.astOperations), also without per-band AST options")
    }
  }

  /// `schedule` with every band member's AST loop type the default and no AST build options.
  package static func withoutBuildOptions(_ schedule: Schedule) throws -> Schedule {
    let ctx = schedule.ctx
    return Schedule(ctx, try ctx.check(isl_schedule_map_schedule_node_bottom_up(schedule.copy(), plainBand, nil),
                                       "isl_schedule_map_schedule_node_bottom_up"))
  }

  private static let plainBand: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> OpaquePointer? = { node, _ in
    guard var node else { return nil }
    guard isl_schedule_node_get_type(node) == isl_schedule_node_band else { return node }
    let members = isl_schedule_node_band_n_member(node)
    for i in 0..<max(0, members) {
      node = isl_schedule_node_band_member_set_ast_loop_type(node, i, isl_ast_loop_default)
      node = isl_schedule_node_band_member_set_isolate_ast_loop_type(node, i, isl_ast_loop_default)
    }
    let none = isl_union_set_read_from_str(isl_schedule_node_get_ctx(node), "{ }")
    return isl_schedule_node_band_set_ast_build_options(node, none)
  }

  static func generateOnce(_ schedule: Schedule, context: Set, reserved: Swift.Set<String>) throws -> ASTNode {
    let ctx = schedule.ctx
    let prefix = iteratorPrefix(avoiding: reserved)
    let build = try makeBuild(context, prefix: prefix)
    defer { isl_ast_build_free(build) }
    let tagged = try ctx.check(isl_schedule_map_schedule_node_bottom_up(schedule.copy(), tagMarkDepth, nil),
                               "isl_schedule_map_schedule_node_bottom_up")
    let node = try ctx.check(isl_ast_build_node_from_schedule(build, tagged), "isl_ast_build_node_from_schedule")
    defer { isl_ast_node_free(node) }
    return try convert(node: node, ctx, prefix: prefix)
  }

  /// Separates a mark's name from the schedule depth appended to it.
  static let markDepthSeparator: Character = "@"

  /// Renames every mark `m` of the schedule tree `m@d`, where `d` is its
  /// schedule depth: the number of schedule dimensions above it, which is
  /// the dimension of the loop the mark belongs to (the first member of the
  /// band below it). isl's AST build numbers its iterators the same way.
  /// A mark already tagged (moved above a joint band, see `joiningBands`)
  /// keeps its tag.
  private static let tagMarkDepth: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> OpaquePointer? = { node, _ in
    guard let node else { return nil }
    guard isl_schedule_node_get_type(node) == isl_schedule_node_mark else { return node }
    let depth = isl_schedule_node_get_schedule_depth(node)
    guard depth >= 0, let id = isl_schedule_node_mark_get_id(node) else { return isl_schedule_node_free(node) }
    let name = isl_id_get_name(id).map { String(cString: $0) } ?? ""
    let ctx = isl_id_get_ctx(id)
    isl_id_free(id)
    if name.contains(markDepthSeparator) { return node }
    let tagged = isl_id_alloc(ctx, name + String(markDepthSeparator) + String(depth), nil)
    return isl_schedule_node_insert_mark(isl_schedule_node_delete(node), tagged)
  }

  /// The loops a mark applies to: the `for` nodes of schedule dimension
  /// `depth` below it, reached through blocks, guards, other marks and the
  /// loops of outer dimensions (a mark moved above a joint band). isl
  /// drops a loop that runs once (or every piece of it): on such a path the
  /// mark applies to nothing, never to a deeper loop. Each marked loop gets
  /// its own copy of the mark right above it.
  static func pushDown(_ name: String, depth: Int, prefix: String, into node: ASTNode) -> ASTNode {
    switch node {
    case .forLoop(let it, let initial, let cond, let inc, let body, let degenerate):
      if it == prefix + String(depth) { return .mark(name, node) }
      guard it.hasPrefix(prefix), let d = Int(it.dropFirst(prefix.count)), d < depth else { return node }
      return .forLoop(iterator: it, initial: initial, condition: cond, increment: inc,
                      body: pushDown(name, depth: depth, prefix: prefix, into: body), degenerate: degenerate)
    case .block(let children):
      return .block(children.map { pushDown(name, depth: depth, prefix: prefix, into: $0) })
    case .ifStmt(let cond, let then, let otherwise):
      return .ifStmt(condition: cond, then: pushDown(name, depth: depth, prefix: prefix, into: then),
                     else: otherwise.map { pushDown(name, depth: depth, prefix: prefix, into: $0) })
    case .mark(let inner, let child):
      return .mark(inner, pushDown(name, depth: depth, prefix: prefix, into: child))
    case .user:
      return node
    }
  }

  /// isl's own C-like text of the AST of `schedule` (statements as calls
  /// `S0(c0, c1)`, marks as comments), iterators named as `generate` names them.
  package static func text(_ schedule: Schedule, context: Set, reserved: Swift.Set<String> = [],
                          maxOperations: UInt = 0) throws -> String {
    try withinBudget(try joiningBands(schedule, context: context), maxOperations) { try textOnce($0, context: context, reserved: reserved) }
  }

  static func textOnce(_ schedule: Schedule, context: Set, reserved: Swift.Set<String>) throws -> String {
    let ctx = schedule.ctx
    let build = try makeBuild(context, prefix: iteratorPrefix(avoiding: reserved))
    defer { isl_ast_build_free(build) }
    let node = try ctx.check(isl_ast_build_node_from_schedule(build, schedule.copy()), "isl_ast_build_node_from_schedule")
    defer { isl_ast_node_free(node) }
    return ctx.takeString(isl_ast_node_to_C_str(node))
  }

  /// An AST build over `context` whose loop at schedule depth i is named `<prefix>i` (the caller frees it).
  static func makeBuild(_ context: Set, prefix: String) throws -> OpaquePointer {
    let ctx = context.ctx
    var build = try ctx.check(isl_ast_build_from_context(context.copy()), "isl_ast_build_from_context")
    var ids = try ctx.check(isl_id_list_alloc(ctx.raw, 64), "isl_id_list_alloc")
    for i in 0..<64 { ids = try ctx.check(isl_id_list_add(ids, isl_id_alloc(ctx.raw, "\(prefix)\(i)", nil)), "isl_id_list_add") }
    build = try ctx.check(isl_ast_build_set_iterators(build, ids), "isl_ast_build_set_iterators")
    return build
  }

  static func iteratorPrefix(avoiding reserved: Swift.Set<String>) -> String {
    var prefix = "c"
    while reserved.contains(where: { $0.hasPrefix(prefix) && $0.dropFirst(prefix.count).allSatisfy(\.isNumber) && $0.count > prefix.count }) {
      prefix += "c"
    }
    return prefix
  }

  static func convert(node: OpaquePointer, _ ctx: Context, prefix: String) throws -> ASTNode {
    switch isl_ast_node_get_type(node) {
    case isl_ast_node_for:
      let it = try takeExpr(isl_ast_node_for_get_iterator(node), ctx)
      guard case .id(let name) = it else { throw ISLError(kind: .internal, message: "for iterator is not an id") }
      let initial = try takeExpr(isl_ast_node_for_get_init(node), ctx)
      let cond = try takeExpr(isl_ast_node_for_get_cond(node), ctx)
      let inc = try takeExpr(isl_ast_node_for_get_inc(node), ctx)
      let body = try takeNode(isl_ast_node_for_get_body(node), ctx, prefix: prefix)
      let degenerate = try ctx.checkBool(isl_ast_node_for_is_degenerate(node), "isl_ast_node_for_is_degenerate")
      return .forLoop(iterator: name, initial: initial, condition: cond, increment: inc, body: body, degenerate: degenerate)
    case isl_ast_node_if:
      let cond = try takeExpr(isl_ast_node_if_get_cond(node), ctx)
      let then = try takeNode(isl_ast_node_if_get_then_node(node), ctx, prefix: prefix)
      var elseNode: ASTNode?
      if try ctx.checkBool(isl_ast_node_if_has_else_node(node), "isl_ast_node_if_has_else_node") {
        elseNode = try takeNode(isl_ast_node_if_get_else_node(node), ctx, prefix: prefix)
      }
      return .ifStmt(condition: cond, then: then, else: elseNode)
    case isl_ast_node_block:
      let list = try ctx.check(isl_ast_node_block_get_children(node), "isl_ast_node_block_get_children")
      defer { isl_ast_node_list_free(list) }
      let n = try ctx.checkSize(isl_ast_node_list_n_ast_node(list), "isl_ast_node_list_n_ast_node")
      return .block(try (0..<n).map { try takeNode(isl_ast_node_list_get_at(list, Int32($0)), ctx, prefix: prefix) })
    case isl_ast_node_mark:
      let id = Id(ctx, try ctx.check(isl_ast_node_mark_get_id(node), "isl_ast_node_mark_get_id"))
      let child = try takeNode(isl_ast_node_mark_get_node(node), ctx, prefix: prefix)
      guard let at = id.name.lastIndex(of: markDepthSeparator), let depth = Int(id.name[id.name.index(after: at)...]) else {
        throw ISLError(kind: .internal, message: "mark '\(id.name)' carries no schedule depth")
      }
      return pushDown(String(id.name[..<at]), depth: depth, prefix: prefix, into: child)
    case isl_ast_node_user:
      return .user(try takeExpr(isl_ast_node_user_get_expr(node), ctx))
    default:
      throw ctx.takeError("isl_ast_node_get_type")
    }
  }

  static func takeNode(_ p: OpaquePointer?, _ ctx: Context, prefix: String) throws -> ASTNode {
    let n = try ctx.check(p, "ast node")
    defer { isl_ast_node_free(n) }
    return try convert(node: n, ctx, prefix: prefix)
  }


  static func takeExpr(_ p: OpaquePointer?, _ ctx: Context) throws -> ASTExpr {
    let e = try ctx.check(p, "ast expr")
    defer { isl_ast_expr_free(e) }
    return try convert(expr: e, ctx)
  }

  static let opTable: [Int32: ASTOp] = [
    isl_ast_expr_op_and.rawValue: .and, isl_ast_expr_op_and_then.rawValue: .andThen,
    isl_ast_expr_op_or.rawValue: .or, isl_ast_expr_op_or_else.rawValue: .orElse,
    isl_ast_expr_op_max.rawValue: .max, isl_ast_expr_op_min.rawValue: .min,
    isl_ast_expr_op_minus.rawValue: .minus, isl_ast_expr_op_add.rawValue: .add,
    isl_ast_expr_op_sub.rawValue: .sub, isl_ast_expr_op_mul.rawValue: .mul,
    isl_ast_expr_op_div.rawValue: .div, isl_ast_expr_op_fdiv_q.rawValue: .fdivQ,
    isl_ast_expr_op_pdiv_q.rawValue: .pdivQ, isl_ast_expr_op_pdiv_r.rawValue: .pdivR,
    isl_ast_expr_op_zdiv_r.rawValue: .zdivR, isl_ast_expr_op_cond.rawValue: .cond,
    isl_ast_expr_op_select.rawValue: .select, isl_ast_expr_op_eq.rawValue: .eq,
    isl_ast_expr_op_le.rawValue: .le, isl_ast_expr_op_lt.rawValue: .lt,
    isl_ast_expr_op_ge.rawValue: .ge, isl_ast_expr_op_gt.rawValue: .gt,
    isl_ast_expr_op_call.rawValue: .call, isl_ast_expr_op_access.rawValue: .access,
    isl_ast_expr_op_member.rawValue: .member, isl_ast_expr_op_address_of.rawValue: .addressOf,
  ]

  static func convert(expr e: OpaquePointer, _ ctx: Context) throws -> ASTExpr {
    switch isl_ast_expr_get_type(e) {
    case isl_ast_expr_int:
      let v = Val(ctx, try ctx.check(isl_ast_expr_int_get_val(e), "isl_ast_expr_int_get_val"))
      guard let i = v.intValue else { throw ISLError(kind: .unsupported, message: "AST constant \(v) does not fit in Int") }
      return .int(i)
    case isl_ast_expr_id:
      let id = Id(ctx, try ctx.check(isl_ast_expr_id_get_id(e), "isl_ast_expr_id_get_id"))
      return .id(id.name)
    case isl_ast_expr_op:
      let t = isl_ast_expr_op_get_type(e)
      guard let op = opTable[t.rawValue] else { throw ctx.takeError("isl_ast_expr_op_get_type") }
      let n = try ctx.checkSize(isl_ast_expr_op_get_n_arg(e), "isl_ast_expr_op_get_n_arg")
      return .op(op, try (0..<n).map { try takeExpr(isl_ast_expr_op_get_arg(e, Int32($0)), ctx) })
    default:
      throw ctx.takeError("isl_ast_expr_get_type")
    }
  }
}
