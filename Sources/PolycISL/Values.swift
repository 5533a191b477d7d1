//===- Values.swift - isl_val, isl_pw_aff, isl_multi_union_pw_aff, isl_id --===//

import PolycCIsl

/// An integer or rational value (`isl_val`).
package final class Val: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_val_free(raw) }
  func copy() -> OpaquePointer { isl_val_copy(raw) }
  package convenience init(_ ctx: Context, int v: Int) throws {
    self.init(ctx, try ctx.check(isl_val_int_from_si(ctx.raw, v), "isl_val_int_from_si"))
  }
  package var description: String { ctx.takeString(isl_val_to_str(raw)) }
  package var isInteger: Bool { isl_val_is_int(raw) == isl_bool_true }
  /// The value as an Int, when it is an integer that fits.
  package var intValue: Int? {
    guard isInteger else { return nil }
    let v = isl_val_get_num_si(raw)
    return Int(v)
  }
}

/// A piecewise quasi-affine expression (`isl_pw_aff`).
package final class PwAff: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_pw_aff_free(raw) }
  func copy() -> OpaquePointer { isl_pw_aff_copy(raw) }
  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_pw_aff_read_from_str(ctx.raw, text), "isl_pw_aff_read_from_str(\(text))"))
  }
  package var description: String { ctx.takeString(isl_pw_aff_to_str(raw)) }
  /// The constant value when this expression is a single integer constant.
  package var constantValue: Int? {
    guard isl_pw_aff_n_piece(raw) == 1, isl_pw_aff_is_cst(raw) == isl_bool_true else { return nil }
    var result: Int?
    let box = CallbackBox<OpaquePointer> { aff in
      if let v = isl_aff_get_constant_val(aff) { result = Val(self.ctx, v).intValue }
    }
    let u = Unmanaged.passRetained(box)
    defer { u.release() }
    _ = isl_pw_aff_foreach_piece(raw, { set, aff, user in
      isl_set_free(set)
      let b = Unmanaged<CallbackBox<OpaquePointer>>.fromOpaque(user!).takeUnretainedValue()
      try? b.body(aff!)
      isl_aff_free(aff)
      return isl_stat_ok
    }, u.toOpaque())
    return result
  }
}

/// A tuple of union piecewise affine expressions: a partial schedule (`isl_multi_union_pw_aff`).
package final class MultiUnionPwAff: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_multi_union_pw_aff_free(raw) }
  func copy() -> OpaquePointer { isl_multi_union_pw_aff_copy(raw) }
  /// Parses e.g. `[{ S0[i, j] -> [(i)]; S1[i] -> [(i)] }]`.
  package convenience init(_ ctx: Context, _ text: String) throws {
    self.init(ctx, try ctx.checkParsed(isl_multi_union_pw_aff_read_from_str(ctx.raw, text), "isl_multi_union_pw_aff_read_from_str(\(text))"))
  }
  package var description: String { ctx.takeString(isl_multi_union_pw_aff_to_str(raw)) }
  package func size() throws -> Int { try ctx.checkSize(isl_multi_union_pw_aff_size(raw), "isl_multi_union_pw_aff_size") }
  package func toUnionMap() throws -> UnionMap {
    UnionMap(ctx, try ctx.check(isl_union_map_from_multi_union_pw_aff(copy()), "isl_union_map_from_multi_union_pw_aff"))
  }
  /// Every member negated.
  package func negated() throws -> MultiUnionPwAff {
    MultiUnionPwAff(ctx, try ctx.check(isl_multi_union_pw_aff_neg(copy()), "isl_multi_union_pw_aff_neg"))
  }
}

/// An identifier (`isl_id`), used for marks.
package final class Id: CustomStringConvertible {
  package let ctx: Context
  let raw: OpaquePointer
  init(_ ctx: Context, _ raw: OpaquePointer) { self.ctx = ctx; self.raw = raw }
  deinit { isl_id_free(raw) }
  func copy() -> OpaquePointer { isl_id_copy(raw) }
  package convenience init(_ ctx: Context, name: String) throws {
    self.init(ctx, try ctx.check(isl_id_alloc(ctx.raw, name, nil), "isl_id_alloc"))
  }
  package var name: String { isl_id_get_name(raw).map { String(cString: $0) } ?? "" }
  package var description: String { name }
}
