//===- Tensorize.swift - The GEMM intrinsic, found on isl access relations -===//
//
// Finds the statement whose instances form the NPU's GEMM intrinsic, an
// int8 x int8 -> int32 multiply-accumulate, and gives every one of its loop
// iterators a role in the implicit GEMM, from the isl access relations of
// its operands (as Polly's MatmulOptimizer recognises matmul operands), not
// from the spelling of its subscripts:
//
//   acc[f(x)] += (X[g(x)] - zx) * (W[h(x)] - zw)
//
//   * output iterators: those the write `f` depends on (each subscript of
//     `acc` is one iterator);
//   * the output channel (BLOCK_OUT lanes): the output iterator that W uses
//     and X does not;
//   * pixels (the GEMM's rows: batch, rows, columns): output iterators that
//     X uses and W does not;
//   * the input channel (BLOCK_IN): the reduction iterator that is alone in
//     one subscript of X and also in W;
//   * taps (micro-op loops): reduction iterators that X combines with a pixel
//     iterator, `s*y + d*kh - p` (stride s, dilation d, padding p).
//
// Any loop order and any operand layout (dimension permutation) is accepted:
// transposed operands, NCHW or NHWC, OIHW or OHWI, 2-D weights of a 1x1
// convolution. The operands may come in either order in the product; the one
// without the output channel is the input. The concrete iteration domain is
// then checked with isl to be exactly the convolution's (every output
// position, every tap inside the input: padding may be a guard or loop
// bounds).
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel
import PolycNPU

/// The role of a loop iterator of the tensorized statement.
package enum GemmAxis: String, Sendable, Hashable, CaseIterable {
  case batch, row, column, outChannel, inChannel, tapRow, tapColumn
}

/// An operand of the multiply-accumulate: an array and its zero point.
package struct GemmOperand: Sendable, Equatable {
  package var array: String
  /// A scalar parameter or an integer literal subtracted from every element, or nil.
  package var zeroPoint: ZeroPoint?
  /// For each dimension of the array, the canonical axis it indexes: input
  /// `n`, `h`, `w`, `c`; weights `o`, `kh`, `kw`, `c`.
  package var layout: [String]
}

package enum ZeroPoint: Sendable, Equatable, CustomStringConvertible {
  case parameter(String)
  case constant(Int)
  package var description: String {
    switch self {
    case .parameter(let p): return p
    case .constant(let c): return "\(c)"
    }
  }
}

/// The GEMM intrinsic of a kernel: the statement, the roles of its iterators
/// and the convolution it computes for concrete sizes (a GEMM is a 1x1
/// convolution over a 1 x M image).
package struct TensorizedReduction: Sendable {
  package var statement: String
  package var accumulator: String
  package var input: GemmOperand
  package var weights: GemmOperand
  /// Iterator -> role.
  package var axes: [String: GemmAxis]
  /// For each dimension of the accumulator, the canonical output axis (`n`, `y`, `x`, `o`).
  package var outputLayout: [String]
  package var shape: ConvShape
  /// Float kernels (`f32` operands) are quantized by polyc before they run.
  package var isFloat: Bool
  /// A depthwise convolution: the output channel is also the input channel
  /// (`shape` has inChannels == outChannels); it runs on the GEMM core as
  /// channel groups with diagonal weight blocks.
  package var isDepthwise: Bool = false

  /// The iterator with a role, if any.
  package func iterator(_ axis: GemmAxis) -> String? { axes.first { $0.value == axis }?.key }
}

/// A kernel (or one of its statements) that cannot run on the NPU: exit status 1.
public struct NPUCodeGenError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The kernel's name.
  public var kernel: String
  /// The statement at fault, when one is.
  public var statement: String?
  /// Which part failed: `gemm`, `bias`, `requantization`, `statements`, `sizes`, `tiling`, `hardware`, ...
  public var part: String
  /// Why it does not map.
  public var message: String

  /// An error of `kernel` (and `statement`, when one is at fault) in `part`.
  public init(kernel: String, statement: String? = nil, part: String, message: String) {
    self.kernel = kernel
    self.statement = statement
    self.part = part
    self.message = message
  }

  /// `kernel 'K' does not map to the NPU: part: statement 'S': message`.
  public var description: String {
    let where_ = statement.map { "statement '\($0)': " } ?? ""
    return "kernel '\(kernel)' does not map to the NPU: \(part): \(where_)\(message)"
  }
}

/// The supported forms, quoted by errors.
enum SupportedForms {
  static let gemm = """
    the NPU runs one multiply-accumulate 'acc[...] += (X[...] - zx) * (W[...] - zw)' (zero points optional; int8 X and W, \
    int32 acc; or f32 X, W and acc for a float kernel that polyc quantizes), where every subscript of acc is one loop \
    iterator, W uses exactly one of them (the output channel) that X does not use, X is indexed by the pixels (iterators \
    alone or 's*y + d*kh - p' with a tap iterator) and one input-channel iterator shared with W
    """
}

/// Finds the GEMM intrinsic of a kernel (see the file comment).
package struct Tensorizer {
  let scop: Scop
  let sizes: [String: Int]
  var kernel: CheckedKernel { scop.kernel }

  package init(scop: Scop, sizes: [String: Int]) {
    self.scop = scop
    self.sizes = sizes
  }

  func fail(_ part: String, _ statement: String?, _ message: String) -> NPUCodeGenError {
    NPUCodeGenError(kernel: kernel.name, statement: statement, part: part, message: message)
  }

  /// The factors of `value` if it is a product of two (optionally shifted) array elements.
  static func productFactors(_ value: Expr) -> [(Expr, ZeroPoint?)]? {
    guard case .binary(.mul, let l, let r) = stripCasts(value).kind else { return nil }
    var out: [(Expr, ZeroPoint?)] = []
    for f in [l, r] {
      let e = stripCasts(f)
      if case .access = e.kind { out.append((e, nil)); continue }
      guard case .binary(.sub, let x, let z) = e.kind, case .access = stripCasts(x).kind else { return nil }
      switch stripCasts(z).kind {
      case .name(let n): out.append((stripCasts(x), .parameter(n)))
      case .intLiteral(let v): out.append((stripCasts(x), .constant(v)))
      default: return nil
      }
    }
    return out
  }

  /// `e` without integer and float widening casts.
  static func stripCasts(_ e: Expr) -> Expr {
    if case .cast(let t, let inner) = e.kind, t == .i32 || t == .f32 || t == .i64 { return stripCasts(inner) }
    return e
  }

  /// The multiply-accumulate statements of the kernel.
  func candidates() -> [StatementInfo] {
    scop.statements.filter { $0.op == .add && Self.productFactors($0.value) != nil }
  }

  package func run() throws -> TensorizedReduction {
    let found = candidates()
    guard let s = found.first else {
      if let other = scop.statements.first(where: { $0.op == .add }) {
        let text = "\(ASTPrinter.text(of: other.target)) += \(ASTPrinter.text(of: other.value))"
        throw fail("gemm", other.name, "'\(text)' is not a product of two array elements; \(SupportedForms.gemm)")
      }
      throw fail("gemm", nil, "no multiply-accumulate statement; \(SupportedForms.gemm)")
    }
    guard found.count == 1 else {
      throw fail("gemm", found[1].name, "a second multiply-accumulate (after '\(s.name)'); the NPU runs one GEMM or convolution per kernel")
    }
    return try tensorize(s)
  }

  /// The access functions of `access` over `s`'s iterators.
  func functions(_ s: StatementInfo, _ access: AccessInfo) throws -> [AffineFunction] {
    guard let f = try PolycISL.Map(scop.ctx, access.relation).affineFunctions() else {
      throw fail("gemm", s.name, "the access to '\(access.array)' is not an affine function of the loop iterators")
    }
    if f.contains(where: \.hasParameters) {
      throw fail("gemm", s.name, "a subscript of '\(access.array)' depends on a size parameter; only iterators and constants are supported")
    }
    return f
  }

  func tensorize(_ s: StatementInfo) throws -> TensorizedReduction {
    let factors = Self.productFactors(s.value)!
    guard let write = s.writes.first, s.writes.count == 1 else { throw fail("gemm", s.name, "expected one written array") }
    let accF = try functions(s, write)
    var outputIterators: [Int] = []
    for f in accF {
      guard f.support.count == 1, f.inputs[f.support[0]] == 1, f.constant == 0, !outputIterators.contains(f.support[0]) else {
        throw fail("gemm", s.name, "every subscript of the accumulator '\(write.array)' must be a distinct loop iterator")
      }
      outputIterators.append(f.support[0])
    }
    var operands: [(array: String, zp: ZeroPoint?, f: [AffineFunction])] = []
    for (e, zp) in factors {
      guard case .access(let a, _) = e.kind else { throw fail("gemm", s.name, "operands must be array elements") }
      let reads = s.reads.filter { $0.array == a }
      guard reads.count == 1 || (factors.allSatisfy { if case .access(a, _) = $0.0.kind { return true }; return false }) else {
        throw fail("gemm", s.name, "'\(a)' is read more than once")
      }
      guard let access = reads.first else { throw fail("gemm", s.name, "no access relation for '\(a)'") }
      if case .parameter(let p)? = zp, kernel.scalars[p]?.isParameter != true {
        throw fail("gemm", s.name, "the zero point '\(p)' must be a scalar parameter or an integer literal")
      }
      operands.append((a, zp, try functions(s, access)))
    }
    if operands[0].array == operands[1].array { throw fail("gemm", s.name, "both operands read '\(operands[0].array)'") }
    let isFloat = try checkTypes(s, accumulator: write.array, operands: operands.map(\.array))
    var lastError: NPUCodeGenError?
    var found: [TensorizedReduction] = []
    for (x, w) in [(0, 1), (1, 0)] {
      do {
        found.append(try assign(s, accumulator: write.array, accF: accF, outputIterators: outputIterators,
                                input: operands[x], weights: operands[w], isFloat: isFloat))
      } catch let e as NPUCodeGenError {
        lastError = lastError ?? e
      }
    }
    guard !found.isEmpty else { throw lastError! }
    let preferred = found.sorted { score($0) > score($1) }[0]
    try checkDomain(s, preferred)
    try checkReadsInBounds(s, arrays: [preferred.input.array], part: "gemm",
                           hint: " (padding must be a guard or loop bounds that skip padded positions)")
    return preferred
  }

  /// Prefers convolutions read through the input, then the output channel in the accumulator's last dimension.
  func score(_ t: TensorizedReduction) -> Int {
    var v = 0
    if t.axes.values.contains(.tapRow) || t.axes.values.contains(.tapColumn) { v += 2 }
    if t.outputLayout.last == "o" { v += 1 }
    return v
  }

  func checkTypes(_ s: StatementInfo, accumulator: String, operands: [String]) throws -> Bool {
    let types = operands.map { kernel.arrays[$0]?.type }
    let acc = kernel.arrays[accumulator]?.type
    if types.allSatisfy({ $0 == .i8 }) {
      guard acc == .i32 else { throw fail("gemm", s.name, "the accumulator '\(accumulator)' of an int8 product must be an int (i32) array") }
      return false
    }
    if types.allSatisfy({ $0 == .f32 }) && acc == .f32 { return true }
    throw fail("gemm", s.name, "the operands must be i8 arrays with an i32 accumulator (or all f32), found \(operands.map { "\($0): \(kernel.arrays[$0]?.type.rawValue ?? "?")" }.joined(separator: ", ")) and \(accumulator): \(acc?.rawValue ?? "?")")
  }

  /// Roles with operand `input` as X and `weights` as W.
  func assign(_ s: StatementInfo, accumulator: String, accF: [AffineFunction], outputIterators: [Int],
              input: (array: String, zp: ZeroPoint?, f: [AffineFunction]), weights: (array: String, zp: ZeroPoint?, f: [AffineFunction]),
              isFloat: Bool) throws -> TensorizedReduction {
    let its = s.iterators
    let inX = Swift.Set(input.f.flatMap(\.support)), inW = Swift.Set(weights.f.flatMap(\.support))
    var axes: [Int: GemmAxis] = [:]
    var pixels: [Int] = []
    var shared: [Int] = []
    var outChannel: Int?
    for o in outputIterators {
      switch (inX.contains(o), inW.contains(o)) {
      case (true, false): pixels.append(o)
      case (false, true):
        guard outChannel == nil else {
          throw fail("gemm", s.name, "two output iterators ('\(its[outChannel!])', '\(its[o])') index '\(weights.array)' and not '\(input.array)'; one output channel maps onto BLOCK_OUT")
        }
        outChannel = o
      case (true, true):
        shared.append(o)
      case (false, false):
        throw fail("gemm", s.name, "output iterator '\(its[o])' indexes neither operand (a broadcast); not a GEMM")
      }
    }
    guard shared.count <= 1 else {
      throw fail("gemm", s.name, "output iterators \(shared.map { "'\(its[$0])'" }.joined(separator: ", ")) index both '\(input.array)' and '\(weights.array)'; at most one (a batch with its own weights, or a depthwise channel) is supported")
    }
    let depthwise = outChannel == nil ? shared.first : nil
    let ownWeightsBatch = outChannel == nil ? nil : shared.first
    guard let oc = outChannel ?? depthwise else {
      throw fail("gemm", s.name, "no output iterator indexes '\(weights.array)' without '\(input.array)': no output channel for BLOCK_OUT")
    }
    axes[oc] = .outChannel
    if let b = ownWeightsBatch { axes[b] = .batch }
    let reduction = its.indices.filter { !outputIterators.contains($0) }
    var channel: Int?
    var taps: [Int] = []
    for r in reduction where depthwise == nil || input.f.contains(where: { $0.support.contains(r) && $0.support.count > 1 }) {
      guard inX.contains(r), inW.contains(r) else {
        throw fail("gemm", s.name, "reduction iterator '\(its[r])' must index both operands")
      }
      let alone = input.f.contains { $0.support == [r] && $0.inputs[r] == 1 && $0.constant == 0 }
      if alone {
        guard channel == nil else {
          throw fail("gemm", s.name, "two reduction iterators ('\(its[channel!])', '\(its[r])') index '\(input.array)' alone; one input channel maps onto BLOCK_IN (write the other as a tap)")
        }
        channel = r
      } else {
        taps.append(r)
      }
    }
    if let d = depthwise, let r = reduction.first(where: { r in !input.f.contains { $0.support.contains(r) && $0.support.count > 1 } }) {
      throw fail("gemm", s.name, "depthwise channel '\(its[d])' with a reduction iterator '\(its[r])' that is not a tap; not a depthwise convolution")
    }
    guard let ic = channel ?? depthwise else {
      throw fail("gemm", s.name, "no reduction iterator indexes '\(input.array)' alone: no input channel for BLOCK_IN")
    }
    if depthwise == nil { axes[ic] = .inChannel }
    // The input's subscripts: channel, or a spatial dimension (pixel, pixel with tap, or pixel alone for a batch).
    struct Spatial { var pixel: Int; var tap: Int?; var stride: Int; var dilation: Int; var pad: Int; var arrayDim: Int }
    var spatial: [Spatial] = []
    var inputLayout = [String](repeating: "", count: input.f.count)
    for (d, f) in input.f.enumerated() {
      if f.support == [ic] { inputLayout[d] = "c"; continue }
      if let b = ownWeightsBatch, f.support == [b], f.inputs[b] == 1, f.constant == 0 { inputLayout[d] = "n"; continue }
      let px = f.support.filter { pixels.contains($0) }, tp = f.support.filter { taps.contains($0) }
      guard px.count == 1, tp.count <= 1, f.support.count == px.count + tp.count, f.inputs[px[0]] >= 1,
            tp.isEmpty || f.inputs[tp[0]] >= 1, f.constant <= 0 else {
        throw fail("gemm", s.name, "subscript \(d) of '\(input.array)' (\(render(f, its))) is not 'iterator', 'channel' or 's*y + d*kh - p'")
      }
      spatial.append(Spatial(pixel: px[0], tap: tp.first, stride: f.inputs[px[0]], dilation: tp.first.map { f.inputs[$0] } ?? 1,
                             pad: -f.constant, arrayDim: d))
    }
    guard spatial.count == pixels.count, Swift.Set(spatial.map(\.pixel)).count == pixels.count,
          Swift.Set(spatial.compactMap(\.tap)).count == taps.count, spatial.compactMap(\.tap).count == taps.count else {
      throw fail("gemm", s.name, "each pixel iterator must appear in exactly one subscript of '\(input.array)', each tap with one pixel")
    }
    guard spatial.count >= 1, spatial.count <= 3 else {
      throw fail("gemm", s.name, "\(spatial.count) pixel dimensions; the NPU supports a batch and two spatial dimensions")
    }
    if spatial.count == 3, spatial[0].tap != nil || spatial[0].stride != 1 || spatial[0].pad != 0 {
      throw fail("gemm", s.name, "the outermost of three pixel dimensions of '\(input.array)' must be a plain batch index")
    }
    let roles: [(GemmAxis, String, GemmAxis?)]
    switch spatial.count {
    case 1: roles = [(.column, "w", .tapColumn)]
    case 2: roles = [(.row, "h", .tapRow), (.column, "w", .tapColumn)]
    default: roles = [(.batch, "n", nil), (.row, "h", .tapRow), (.column, "w", .tapColumn)]
    }
    for (sp, role) in zip(spatial, roles) {
      axes[sp.pixel] = role.0
      inputLayout[sp.arrayDim] = role.1
      if let t = sp.tap { axes[t] = role.2 }
    }
    // Weights: each subscript one iterator (output channel, a tap or the input channel).
    var weightLayout: [String] = []
    let weightName: [GemmAxis: String] = [.outChannel: "o", .tapRow: "kh", .tapColumn: "kw", .inChannel: "c", .batch: "s"]
    for (d, f) in weights.f.enumerated() {
      guard f.support.count == 1, f.inputs[f.support[0]] == 1, f.constant == 0, let role = axes[f.support[0]],
            let n = weightName[role], !weightLayout.contains(n) else {
        throw fail("gemm", s.name, "subscript \(d) of '\(weights.array)' (\(render(f, its))) must be one of the output channel, tap and input channel iterators")
      }
      weightLayout.append(n)
    }
    let needed = Swift.Set(axes.values.compactMap { $0 == .batch && ownWeightsBatch == nil ? nil : weightName[$0] })
    guard Swift.Set(weightLayout) == needed else {
      throw fail("gemm", s.name, "'\(weights.array)' must be indexed by the output channel, every tap and the input channel")
    }
    let outputName: [GemmAxis: String] = [.batch: "n", .row: "y", .column: "x", .outChannel: "o"]
    let outputLayout = accF.map { outputName[axes[$0.support[0]]!]! }
    var shape = try convShape(s, spatial: spatial.map { ($0.pixel, $0.tap, $0.stride, $0.dilation, $0.pad, $0.arrayDim) },
                              roles: roles.map(\.0), input: (input.array, inputLayout), weights: (weights.array, weightLayout),
                              accumulator: (accumulator, outputLayout), depthwise: depthwise != nil)
    if ownWeightsBatch != nil { shape.weightSets = shape.batch }
    var named: [String: GemmAxis] = [:]
    for (i, a) in axes { named[its[i]] = a }
    return TensorizedReduction(
      statement: s.name, accumulator: accumulator,
      input: GemmOperand(array: input.array, zeroPoint: input.zp, layout: inputLayout),
      weights: GemmOperand(array: weights.array, zeroPoint: weights.zp, layout: weightLayout),
      axes: named, outputLayout: outputLayout, shape: shape, isFloat: isFloat, isDepthwise: depthwise != nil)
  }

  func render(_ f: AffineFunction, _ its: [String]) -> String {
    var terms = f.support.map { f.inputs[$0] == 1 ? its[$0] : "\(f.inputs[$0])*\(its[$0])" }
    if f.constant != 0 || terms.isEmpty { terms.append("\(f.constant)") }
    return terms.joined(separator: " + ")
  }

  /// The convolution's geometry: extents from the arrays (kernel size and
  /// channels from the weights, output size from the accumulator, input size
  /// from the input), strides, dilations and paddings from the subscripts.
  func convShape(_ s: StatementInfo, spatial: [(pixel: Int, tap: Int?, stride: Int, dilation: Int, pad: Int, arrayDim: Int)],
                 roles: [GemmAxis], input: (String, [String]), weights: (String, [String]), accumulator: (String, [String]),
                 depthwise: Bool) throws -> ConvShape {
    func extents(_ a: (String, [String])) throws -> [String: Int] {
      let dims = try arrayDimensions(a.0)
      return Dictionary(zip(a.1, dims), uniquingKeysWith: { x, _ in x })
    }
    let inE = try extents(input), wE = try extents(weights), outE = try extents(accumulator)
    var pads = (top: 0, left: 0), strides = (h: 1, w: 1), dilations = (h: 1, w: 1)
    for (sp, role) in zip(spatial, roles) {
      switch role {
      case .row: (pads.top, strides.h, dilations.h) = (sp.pad, sp.stride, sp.dilation)
      case .column: (pads.left, strides.w, dilations.w) = (sp.pad, sp.stride, sp.dilation)
      default: break
      }
    }
    let (h, w, c) = (inE["h"] ?? 1, inE["w"] ?? 1, depthwise ? (wE["o"] ?? 1) : (wE["c"] ?? 1))
    let (kh, kw, oc) = (wE["kh"] ?? 1, wE["kw"] ?? 1, wE["o"] ?? 1)
    let (n, oh, ow) = (outE["n"] ?? 1, outE["y"] ?? 1, outE["x"] ?? 1)
    guard inE["c"] == c, (inE["n"] ?? 1) == n else {
      throw fail("sizes", s.name, "'\(input.0)' has \(inE["c"] ?? 0) channels and \(inE["n"] ?? 1) images; '\(weights.0)' has \(c) channels and '\(accumulator.0)' \(n) images")
    }
    let pb = Swift.max(0, (oh - 1) * strides.h + (kh - 1) * dilations.h + 1 - h - pads.top)
    let pr = Swift.max(0, (ow - 1) * strides.w + (kw - 1) * dilations.w + 1 - w - pads.left)
    let shape = ConvShape(batch: n, height: h, width: w, inChannels: c, outChannels: oc, kernelHeight: kh, kernelWidth: kw,
                          strideH: strides.h, strideW: strides.w, padTop: pads.top, padBottom: pb, padLeft: pads.left, padRight: pr,
                          dilationH: dilations.h, dilationW: dilations.w)
    guard shape.outputHeight == oh, shape.outputWidth == ow else {
      throw fail("sizes", s.name, "the output is \(oh)x\(ow) but a \(kh)x\(kw) convolution of a \(h)x\(w) input with stride \(strides.h)x\(strides.w), dilation \(dilations.h)x\(dilations.w) and padding \(pads.top),\(pads.left) gives \(shape.outputHeight)x\(shape.outputWidth)")
    }
    return shape
  }

  var sizeText: String { kernel.sizeParameters.map { "\($0)=\(sizes[$0] ?? 0)" }.joined(separator: ",") }

  var fixedParams: String {
    scop.parameterPrefix + "{ : " + kernel.sizeParameters.map { "\($0) = \(sizes[$0] ?? 0)" }.joined(separator: " and ") + " }"
  }

  /// `s`'s domain for the concrete sizes.
  func concreteDomain(_ s: StatementInfo) throws -> PolycISL.Set {
    let fixed = try PolycISL.Set(scop.ctx, fixedParams)
    return try PolycISL.Set(scop.ctx, s.domain).intersectParams(scop.context).intersectParams(fixed)
  }

  /// The dimensions of an array for the concrete sizes.
  func arrayDimensions(_ array: String) throws -> [Int] {
    guard let info = scop.arrays.first(where: { $0.name == array }) else {
      throw fail("sizes", nil, "'\(array)' is not an array")
    }
    let fixed = try PolycISL.Set(scop.ctx, fixedParams)
    guard let box = try PolycISL.Set(scop.ctx, info.extent).intersectParams(fixed).fixedBox() else {
      throw fail("sizes", nil, "the extent of '\(array)' is not constant for \(sizeText)")
    }
    return box.map(\.size)
  }

  /// With isl: the concrete domain is exactly the convolution's.
  func checkDomain(_ s: StatementInfo, _ t: TensorizedReduction) throws {
    let sh = t.shape
    var constraints: [String] = []
    let vars = s.iterators.indices.map { "v\($0)" }
    func v(_ a: GemmAxis) -> String? { t.iterator(a).flatMap { s.iterators.firstIndex(of: $0) }.map { vars[$0] } }
    let extents: [(GemmAxis, Int)] = [(.batch, sh.batch), (.row, sh.outputHeight), (.column, sh.outputWidth), (.outChannel, sh.outChannels),
                                      (.inChannel, sh.inChannels), (.tapRow, sh.kernelHeight), (.tapColumn, sh.kernelWidth)]
    for (a, n) in extents { if let x = v(a) { constraints.append("0 <= \(x) < \(n)") } }
    if let y = v(.row) {
      let tap = v(.tapRow).map { " + \(sh.dilationH)*\($0)" } ?? ""
      constraints.append("0 <= \(sh.strideH)*\(y)\(tap) - \(sh.padTop) < \(sh.height)")
    }
    if let x = v(.column) {
      let tap = v(.tapColumn).map { " + \(sh.dilationW)*\($0)" } ?? ""
      constraints.append("0 <= \(sh.strideW)*\(x)\(tap) - \(sh.padLeft) < \(sh.width)")
    }
    let fixed = try PolycISL.Set(scop.ctx, fixedParams)
    let expected = try PolycISL.Set(scop.ctx, scop.parameterPrefix + "{ \(s.name)[\(vars.joined(separator: ", "))] : \(constraints.joined(separator: " and ")) }")
      .intersectParams(fixed)
    guard try concreteDomain(s).isEqual(expected) else {
      throw fail("gemm", s.name, "the iteration domain is not the whole convolution for \(sizeText) (every output position and channel, every tap that falls inside the input): \(try concreteDomain(s)) (expected \(expected))")
    }
  }

  /// With isl: every element `s` reads of `arrays` (all its reads when nil) lies inside its array.
  func checkReadsInBounds(_ s: StatementInfo, arrays: Swift.Set<String>? = nil, part: String, hint: String = "") throws {
    let fixed = try PolycISL.Set(scop.ctx, fixedParams)
    for access in s.reads where arrays?.contains(access.array) ?? true {
      guard let info = scop.arrays.first(where: { $0.name == access.array }), !info.extent.isEmpty else { continue }
      let touched = try concreteDomain(s).apply(try PolycISL.Map(scop.ctx, access.relation))
      let extent = try PolycISL.Set(scop.ctx, info.extent).intersectParams(fixed)
      guard try touched.isSubset(of: extent) else {
        throw fail(part, s.name, "reads '\(access.array)' outside its bounds for \(sizeText)\(hint)")
      }
    }
  }

}
