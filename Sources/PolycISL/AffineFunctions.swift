//===- AffineFunctions.swift - Access relations as affine functions -------===//
//
// An access relation `{ S[i, k, j] -> A[i, k] }` that is a single affine
// function of the statement's iterators (and the parameters) is read back
// as integer coefficients, one `AffineFunction` per output dimension. This is
// how the NPU code generator recognises operand roles on isl relations, as
// Polly's MatmulOptimizer does (`isMatMulOperandAcc`), instead of matching
// the shape of source expressions.
//
//===----------------------------------------------------------------------===//

import PolycCIsl

/// `sum(inputs[d] * x_d) + sum(parameters[p] * n_p) + constant`.
package struct AffineFunction: Sendable, Hashable, CustomStringConvertible {
  /// One coefficient per input dimension of the relation.
  package var inputs: [Int]
  /// One coefficient per parameter of the relation's space.
  package var parameters: [Int]
  package var constant: Int

  package init(inputs: [Int], parameters: [Int], constant: Int) {
    self.inputs = inputs
    self.parameters = parameters
    self.constant = constant
  }

  /// The input dimensions with a non-zero coefficient.
  package var support: [Int] { inputs.indices.filter { inputs[$0] != 0 } }
  package var hasParameters: Bool { parameters.contains { $0 != 0 } }

  package var description: String {
    var terms = inputs.enumerated().filter { $0.element != 0 }.map { "\($0.element)*x\($0.offset)" }
    terms += parameters.enumerated().filter { $0.element != 0 }.map { "\($0.element)*p\($0.offset)" }
    if constant != 0 || terms.isEmpty { terms.append("\(constant)") }
    return terms.joined(separator: " + ")
  }
}

extension Map {
  /// The output dimensions as affine functions of the inputs, or nil when the
  /// relation is not one affine function on its whole domain (several pieces,
  /// integer divisions, or not single-valued).
  package func affineFunctions() throws -> [AffineFunction]? {
    guard try isSingleValued() else { return nil }
    let unconstrained = try ctx.check(isl_map_gist_domain(copy(), isl_map_domain(copy())), "isl_map_gist_domain")
    let pma = try ctx.check(isl_pw_multi_aff_from_map(unconstrained), "isl_pw_multi_aff_from_map")
    guard isl_pw_multi_aff_isa_multi_aff(pma) == isl_bool_true else {
      isl_pw_multi_aff_free(pma)
      return nil
    }
    let ma = try ctx.check(isl_pw_multi_aff_as_multi_aff(pma), "isl_pw_multi_aff_as_multi_aff")
    defer { isl_multi_aff_free(ma) }
    let n = try ctx.checkSize(isl_multi_aff_dim(ma, isl_dim_out), "isl_multi_aff_dim")
    var out: [AffineFunction] = []
    for i in 0..<n {
      let aff = try ctx.check(isl_multi_aff_get_at(ma, Int32(i)), "isl_multi_aff_get_at")
      defer { isl_aff_free(aff) }
      guard let f = try Self.function(aff, ctx) else { return nil }
      out.append(f)
    }
    return out
  }

  private static func function(_ aff: OpaquePointer, _ ctx: Context) throws -> AffineFunction? {
    let divs = try ctx.checkSize(isl_aff_dim(aff, isl_dim_div), "isl_aff_dim")
    guard divs == 0 else { return nil }
    func value(_ p: OpaquePointer?) throws -> Int? {
      let v = Val(ctx, try ctx.check(p, "isl_aff coefficient"))
      return v.intValue
    }
    let nIn = try ctx.checkSize(isl_aff_dim(aff, isl_dim_in), "isl_aff_dim")
    let nParam = try ctx.checkSize(isl_aff_dim(aff, isl_dim_param), "isl_aff_dim")
    var inputs: [Int] = []
    for d in 0..<nIn {
      guard let c = try value(isl_aff_get_coefficient_val(aff, isl_dim_in, Int32(d))) else { return nil }
      inputs.append(c)
    }
    var parameters: [Int] = []
    for d in 0..<nParam {
      guard let c = try value(isl_aff_get_coefficient_val(aff, isl_dim_param, Int32(d))) else { return nil }
      parameters.append(c)
    }
    guard let constant = try value(isl_aff_get_constant_val(aff)) else { return nil }
    return AffineFunction(inputs: inputs, parameters: parameters, constant: constant)
  }
}

extension Set {
  /// The lower bound and size of each dimension of the smallest box with
  /// constant sizes that isl finds around the set (`isl_set_get_simple_fixed_box_hull`),
  /// or nil when some dimension has no constant size. Offsets must be constants too.
  package func fixedBox() throws -> [(offset: Int, size: Int)]? {
    guard let sizes = try fixedBoxSizes() else { return nil }
    let box = try ctx.check(isl_set_get_simple_fixed_box_hull(raw), "isl_set_get_simple_fixed_box_hull")
    defer { isl_fixed_box_free(box) }
    let offsets = try ctx.check(isl_fixed_box_get_offset(box), "isl_fixed_box_get_offset")
    defer { isl_multi_aff_free(offsets) }
    var out: [(Int, Int)] = []
    for (i, size) in sizes.enumerated() {
      let aff = try ctx.check(isl_multi_aff_get_at(offsets, Int32(i)), "isl_multi_aff_get_at")
      defer { isl_aff_free(aff) }
      guard isl_aff_is_cst(aff) == isl_bool_true,
            let offset = Val(ctx, try ctx.check(isl_aff_get_constant_val(aff), "isl_aff_get_constant_val")).intValue else { return nil }
      out.append((offset, size))
    }
    return out
  }
}

extension Set {
  /// The set without its existentially quantified variables (a superset with
  /// the same extent along each dimension: strides' holes are filled).
  package func removingDivs() throws -> Set {
    Set(ctx, try ctx.check(isl_set_remove_divs(copy()), "isl_set_remove_divs"))
  }

  /// The constant sizes of the smallest box isl finds around the set; its
  /// offsets may depend on the parameters (a tile's origin). Nil when some
  /// dimension has no constant size.
  package func fixedBoxSizes() throws -> [Int]? {
    let box = try ctx.check(isl_set_get_simple_fixed_box_hull(raw), "isl_set_get_simple_fixed_box_hull")
    defer { isl_fixed_box_free(box) }
    guard isl_fixed_box_is_valid(box) == isl_bool_true else { return nil }
    let sizes = try ctx.check(isl_fixed_box_get_size(box), "isl_fixed_box_get_size")
    defer { isl_multi_val_free(sizes) }
    let n = try ctx.checkSize(isl_multi_val_size(sizes), "isl_multi_val_size")
    var out: [Int] = []
    for i in 0..<n {
      guard let size = Val(ctx, try ctx.check(isl_multi_val_get_at(sizes, Int32(i)), "isl_multi_val_get_at")).intValue else { return nil }
      out.append(size)
    }
    return out
  }
}
