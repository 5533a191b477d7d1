//===- NPUMapping.swift - A scheduled .loop kernel as an NPU workload -----===//
//
// Recognises, in the polyhedral model of a kernel, the three statements of a
// quantized GEMM or convolution (docs/npu.md):
//
//   bias init    acc[o...] = bias[c]
//   reduction    acc[o...] += (X[...] - zx) * Wt[...]        (int8 operands, int32 acc)
//   requant      Out[o...] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[o...], max(shift[c], 0)),
//                                                            mult[c]), max(-shift[c], 0)), lo, 127))
//
// (`lo` is -128, or `zo` for a fused ReLU), or the two statements of a float
// convolution (`Out = bias`, `Out += X * Wt`), which polyc quantizes itself.
// The operand roles and the access *shapes* come from the statements'
// subscripts; the iteration domains are then checked with isl to be exactly
// the GEMM / convolution domains for the concrete sizes (so padding may be
// written as a guard or as loop bounds, and anything else is rejected), and
// the input access is checked with isl to stay inside the input array.
// A kernel that does not match is an `NPUMappingError` naming the part.
//
//===----------------------------------------------------------------------===//

import Foundation
import Frontend
import ISL
import Model
import NPU

/// A kernel that does not map onto the NPU (exit status 1).
public struct NPUMappingError: Error, CustomStringConvertible, Sendable {
  public var kernel: String
  /// Which part did not match: `sizes`, `reduction`, `bias init`, `requantization`, ...
  public var part: String
  public var message: String
  public init(kernel: String, part: String, message: String) {
    self.kernel = kernel
    self.part = part
    self.message = message
  }
  public var description: String { "error: kernel '\(kernel)' does not map to the NPU: \(part): \(message)" }
}

/// What a kernel computes on the NPU and which of its parameters play which role.
public struct NPUKernelMapping: Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// C[M][N] = requant(A[M][K] x W[K][N] + bias): `GemmWorkload`.
    case gemm
    /// y[B][O] = requant(x[B][I] x Wt[O][I]^T + bias): `FullyConnectedWorkload`.
    case fullyConnected = "fully-connected"
    /// NHWC / OHWI convolution: `Conv2DWorkload`.
    case conv2d
    /// A float NHWC convolution that polyc quantizes (`FloatConv2D`).
    case floatConv2d = "float-conv2d"
  }

  public var kernel: String
  public var kind: Kind
  /// The concrete value of every size parameter.
  public var sizes: [String: Int]
  /// GEMM view of the work: M x N x K (for a convolution its implicit GEMM).
  public var m: Int
  public var n: Int
  public var k: Int
  /// The convolution geometry (conv kinds only).
  public var shape: ConvShape?
  public var relu: Bool
  // Parameter names.
  public var input: String
  public var weights: String
  public var bias: String
  public var output: String
  public var multipliers: String?
  public var shifts: String?
  public var inputZeroPoint: String?
  public var outputZeroPoint: String?
  /// Statement names: bias init, reduction, requantization (nil for the float kernel).
  public var biasStatement: String
  public var reductionStatement: String
  public var requantStatement: String?

  public var isQuantized: Bool { kind != .floatConv2d }

  public var description: String {
    let sizeText = sizes.keys.sorted().map { "\($0)=\(sizes[$0]!)" }.joined(separator: ",")
    var s = "\(kind.rawValue) \(sizeText)"
    if let sh = shape {
      s += " (\(sh.height)x\(sh.width)x\(sh.inChannels) -> \(sh.outputHeight)x\(sh.outputWidth)x\(sh.outChannels), "
        + "\(sh.kernelHeight)x\(sh.kernelWidth) stride \(sh.strideH) pad \(sh.padTop))"
    } else {
      s += " (M=\(m) N=\(n) K=\(k))"
    }
    return s + (relu ? " relu" : "")
  }
}

public enum NPUMapping {
  /// The sizes of a run: the data set's values (`dataset`, else SMALL, else the first one),
  /// overridden by `overrides` (`--set`). Every size parameter needs a value >= 1.
  public static func sizes(of k: CheckedKernel, dataset: String?, overrides: [String: Int]) throws -> [String: Int] {
    var sizes: [String: Int] = [:]
    let names = k.file.datasets.map(\.name)
    if let d = dataset {
      guard let decl = k.file.datasets.first(where: { $0.name == d }) else {
        throw PolycError.usage("unknown dataset '\(d)' (available: \(names.joined(separator: ", ")))")
      }
      sizes = decl.values
    } else if let decl = k.file.datasets.first(where: { $0.name == "SMALL" }) ?? k.file.datasets.first {
      sizes = decl.values
    }
    for (name, v) in overrides {
      guard k.sizeParameters.contains(name) else {
        throw PolycError.usage("--set \(name)=\(v): '\(name)' is not a size parameter of kernel '\(k.name)' (size parameters: \(k.sizeParameters.joined(separator: ", ")))")
      }
      sizes[name] = v
    }
    for p in k.sizeParameters {
      guard let v = sizes[p] else { throw PolycError.usage("size parameter '\(p)' has no value; give it with --set \(p)=N") }
      guard v >= 1 else { throw PolycError.usage("size parameter '\(p)' must be >= 1 (got \(v))") }
    }
    return sizes.filter { k.sizeParameters.contains($0.key) }
  }

  /// Parses `--set` text: `M=37,N=50` (several `--set` options may be given).
  public static func parseSet(_ items: [String]) throws -> [String: Int] {
    var out: [String: Int] = [:]
    for item in items {
      for part in item.split(separator: ",") {
        let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count == 2, !kv[0].isEmpty, let v = Int(kv[1]) else {
          throw PolycError.usage("--set expects NAME=INTEGER[,NAME=INTEGER...], got '\(part)'")
        }
        out[kv[0]] = v
      }
    }
    return out
  }

  /// Maps the kernel of `scop` onto an NPU workload for the given sizes.
  public static func map(scop: Scop, sizes: [String: Int]) throws -> NPUKernelMapping {
    try Matcher(scop: scop, sizes: sizes).run()
  }
}

// MARK: - The matcher

private struct Matcher {
  let scop: Scop
  let sizes: [String: Int]
  var k: CheckedKernel { scop.kernel }

  func fail(_ part: String, _ message: String) -> NPUMappingError {
    NPUMappingError(kernel: k.name, part: part, message: message)
  }

  func text(_ e: Expr) -> String { ASTPrinter.text(of: e) }

  // MARK: Expression helpers

  /// `e` without integer casts to `int`/`i32` (and, for the float kernel, `f32`).
  func stripCasts(_ e: Expr) -> Expr {
    if case .cast(let t, let inner) = e.kind, t == .i32 || t == .f32 { return stripCasts(inner) }
    return e
  }

  /// The value of an affine size expression for the concrete sizes.
  func evaluate(_ e: Expr) -> Int? {
    switch e.kind {
    case .intLiteral(let v): return v
    case .name(let n): return sizes[n]
    case .unary(.neg, let a): return evaluate(a).map { -$0 }
    case .binary(let op, let a, let b):
      guard let x = evaluate(a), let y = evaluate(b) else { return nil }
      switch op {
      case .add: return x + y
      case .sub: return x - y
      case .mul: return x * y
      default: return nil
      }
    case .call(let f, let args) where args.count == 2:
      guard let x = evaluate(args[0]), let y = evaluate(args[1]) else { return nil }
      switch f {
      case "min": return Swift.min(x, y)
      case "max": return Swift.max(x, y)
      case "floordiv" where y > 0: return Int((Double(x) / Double(y)).rounded(.down))
      case "ceildiv" where y > 0: return Int((Double(x) / Double(y)).rounded(.up))
      default: return nil
      }
    default: return nil
    }
  }

  /// An affine subscript as coefficients of names plus a constant.
  func linear(_ e: Expr) -> (coefficients: [String: Int], constant: Int)? {
    switch e.kind {
    case .intLiteral(let v): return ([:], v)
    case .name(let n): return ([n: 1], 0)
    case .unary(.neg, let a):
      guard let l = linear(a) else { return nil }
      return (l.coefficients.mapValues { -$0 }, -l.constant)
    case .binary(let op, let a, let b) where op == .add || op == .sub:
      guard let x = linear(a), let y = linear(b) else { return nil }
      let sign = op == .add ? 1 : -1
      return (x.coefficients.merging(y.coefficients.mapValues { sign * $0 }) { $0 + $1 }.filter { $0.value != 0 },
              x.constant + sign * y.constant)
    case .binary(.mul, let a, let b):
      guard let x = linear(a), let y = linear(b) else { return nil }
      if x.coefficients.isEmpty { return (y.coefficients.mapValues { x.constant * $0 }.filter { $0.value != 0 }, x.constant * y.constant) }
      if y.coefficients.isEmpty { return (x.coefficients.mapValues { y.constant * $0 }.filter { $0.value != 0 }, x.constant * y.constant) }
      return nil
    default: return nil
    }
  }

  /// The subscripts of `e` if it is an access of `array` whose subscripts are plain names.
  func plainAccess(_ e: Expr) -> (array: String, names: [String])? {
    guard case .access(let a, let subs) = stripCasts(e).kind else { return nil }
    var names: [String] = []
    for s in subs {
      guard case .name(let n) = s.kind else { return nil }
      names.append(n)
    }
    return (a, names)
  }

  func arrayType(_ name: String) -> ScalarType? { k.arrays[name]?.type }
  func isScalarParameter(_ name: String) -> Bool { k.scalars[name]?.isParameter ?? false }

  func dims(_ array: String) throws -> [Int] {
    guard let a = k.arrays[array] else { throw fail("arrays", "'\(array)' is not an array") }
    return try a.dimensions.map { d in
      guard let v = evaluate(d) else { throw fail("arrays", "cannot evaluate dimension '\(text(d))' of '\(array)'") }
      return v
    }
  }

  // MARK: isl checks

  var fixedParams: String {
    scop.parameterPrefix + "{ : " + k.sizeParameters.map { "\($0) = \(sizes[$0]!)" }.joined(separator: " and ") + " }"
  }

  /// The statement's domain for the concrete sizes.
  func concreteDomain(_ s: StatementInfo) throws -> ISL.Set {
    let fixed = try ISL.Set(scop.ctx, fixedParams)
    return try ISL.Set(scop.ctx, s.domain).intersectParams(scop.context).intersectParams(fixed)
  }

  /// Checks with isl that `s`'s domain is exactly `{ s[iterators] : constraints }`.
  func expectDomain(_ s: StatementInfo, part: String, constraints: [String], what: String) throws {
    let vars = s.iterators.indices.map { "v\($0)" }
    let body = constraints.isEmpty ? "" : " : " + constraints.joined(separator: " and ")
    let fixed = try ISL.Set(scop.ctx, fixedParams)
    let expected = try ISL.Set(scop.ctx, scop.parameterPrefix + "{ \(s.name)[\(vars.joined(separator: ", "))]\(body) }").intersectParams(fixed)
    let actual = try concreteDomain(s)
    guard try actual.isEqual(expected) else {
      throw fail(part, "the iteration domain of statement '\(s.name)' is not \(what) for \(sizeText): \(actual) (expected \(expected))")
    }
  }

  var sizeText: String { k.sizeParameters.map { "\($0)=\(sizes[$0]!)" }.joined(separator: ",") }

  /// `v_i` of the iterator `name` of `s`.
  func variable(_ s: StatementInfo, _ name: String) -> String {
    "v\(s.iterators.firstIndex(of: name)!)"
  }

  // MARK: Matching

  struct Reduction {
    var statement: StatementInfo
    var acc: String
    var outIterators: [String]
    var input: Expr
    var inputZeroPoint: String?
    var weights: Expr
  }

  /// `acc[...] += (X[...] - zx) * Wt[...]` (either operand order), or `X * Wt` for floats.
  func reductionOperands(_ value: Expr) -> (input: Expr, zp: String?, weights: Expr)? {
    guard case .binary(.mul, let l, let r) = stripCasts(value).kind else { return nil }
    for (a, b) in [(l, r), (r, l)] {
      if case .binary(.sub, let x, let z) = stripCasts(a).kind, case .name(let zp) = stripCasts(z).kind,
         case .access = stripCasts(x).kind, case .access = stripCasts(b).kind {
        return (stripCasts(x), zp, stripCasts(b))
      }
    }
    if case .access = stripCasts(l).kind, case .access = stripCasts(r).kind { return (stripCasts(l), nil, stripCasts(r)) }
    return nil
  }

  func findReduction() throws -> Reduction {
    let candidates = scop.statements.filter { $0.op == .add && reductionOperands($0.value) != nil }
    guard let s = candidates.first else {
      throw fail("reduction", "no statement of the form 'acc[...] += (X[...] - zp) * W[...]' (or 'Out[...] += X[...] * W[...]' for a float kernel)")
    }
    guard candidates.count == 1 else {
      throw fail("reduction", "more than one reduction statement (\(candidates.map(\.name).joined(separator: ", "))); the NPU runs one GEMM or convolution")
    }
    guard let target = plainAccess(s.target), Swift.Set(target.names).count == target.names.count,
          target.names.allSatisfy(s.iterators.contains) else {
      throw fail("reduction", "the accumulator of '\(s.name)' must be an array indexed by distinct loop iterators, got '\(text(s.target))'")
    }
    var (input, zp, weights) = reductionOperands(s.value)!
    if let z = zp, !isScalarParameter(z) {
      throw fail("reduction", "the zero point '\(z)' in '\(s.name)' must be a scalar parameter")
    }
    // For a float product, the operand indexed by all output spatial iterators is the input.
    if zp == nil, case .access(let a, _) = input.kind, case .access(let b, _) = weights.kind,
       (k.arrays[a]?.dimensions.count ?? 0) > (k.arrays[b]?.dimensions.count ?? 0) {
      swap(&input, &weights)
    }
    return Reduction(statement: s, acc: target.array, outIterators: target.names, input: input, inputZeroPoint: zp, weights: weights)
  }

  func run() throws -> NPUKernelMapping {
    let red = try findReduction()
    let s = red.statement
    let reductionIterators = s.iterators.filter { !red.outIterators.contains($0) }
    guard case .access(let xName, let xSubs) = red.input.kind, case .access(let wName, _) = red.weights.kind else {
      throw fail("reduction", "operands of '\(s.name)' must be array elements")
    }
    let quantized = red.inputZeroPoint != nil
    if quantized {
      for (role, a) in [("input", xName), ("weights", wName)] where arrayType(a) != .i8 {
        throw fail("reduction", "the \(role) '\(a)' must be an i8 array (found \(arrayType(a)?.rawValue ?? "?"))")
      }
      if arrayType(red.acc) != .i32 { throw fail("reduction", "the accumulator '\(red.acc)' must be an int (i32) array") }
    } else {
      for a in [xName, wName, red.acc] where arrayType(a) != .f32 {
        throw fail("reduction", "a float kernel needs f32 arrays ('\(a)' is \(arrayType(a)?.rawValue ?? "?"))")
      }
    }
    guard let w = plainAccess(red.weights) else {
      throw fail("reduction", "the weights '\(text(red.weights))' must be indexed by plain loop iterators")
    }

    var mapping: NPUKernelMapping
    let channel: String
    switch (red.outIterators.count, reductionIterators.count) {
    case (2, 1):
      // GEMM or fully connected.
      guard quantized else { throw fail("reduction", "a float kernel must be a convolution (acc[y][x][o], taps kh, kw, c)") }
      let (i, j, kk) = (red.outIterators[0], red.outIterators[1], reductionIterators[0])
      guard let x = plainAccess(red.input), x.names == [i, kk] else {
        throw fail("reduction", "the input must be indexed [\(i)][\(kk)] (row-major A[M][K]), got '\(text(red.input))'")
      }
      let kind: NPUKernelMapping.Kind
      if w.names == [kk, j] { kind = .gemm } else if w.names == [j, kk] { kind = .fullyConnected } else {
        throw fail("reduction", "the weights must be indexed [\(kk)][\(j)] (W[K][N]) or [\(j)][\(kk)] (Wt[N][K]), got '\(text(red.weights))'")
      }
      let xd = try dims(x.array), wd = try dims(w.array), ad = try dims(red.acc)
      let (m, kSize) = (xd[0], xd[1])
      let n = kind == .gemm ? wd[1] : wd[0]
      guard (kind == .gemm ? wd[0] : wd[1]) == kSize, ad == [m, n] else {
        throw fail("sizes", "array shapes disagree: \(x.array)\(xd), \(w.array)\(wd), \(red.acc)\(ad)")
      }
      try expectDomain(s, part: "reduction", constraints: [
        "0 <= \(variable(s, i)) < \(m)", "0 <= \(variable(s, j)) < \(n)", "0 <= \(variable(s, kk)) < \(kSize)",
      ], what: "the GEMM box 0 <= \(i) < \(m), 0 <= \(j) < \(n), 0 <= \(kk) < \(kSize)")
      channel = j
      mapping = NPUKernelMapping(kernel: k.name, kind: kind, sizes: sizes, m: m, n: n, k: kSize, shape: nil, relu: false,
                                 input: x.array, weights: w.array, bias: "", output: "", multipliers: nil, shifts: nil,
                                 inputZeroPoint: red.inputZeroPoint, outputZeroPoint: nil,
                                 biasStatement: "", reductionStatement: s.name, requantStatement: nil)
    case (3, 3):
      let (y, x, o) = (red.outIterators[0], red.outIterators[1], red.outIterators[2])
      guard w.names.count == 4, w.names[0] == o, Swift.Set(w.names[1...]) == Swift.Set(reductionIterators) else {
        throw fail("reduction", "the weights must be OHWI, indexed [\(o)][kh][kw][c] by the output channel and the three tap iterators, got '\(text(red.weights))'")
      }
      let (kh, kw, c) = (w.names[1], w.names[2], w.names[3])
      guard xSubs.count == 3, case .name(let cc) = xSubs[2].kind, cc == c,
            let ly = linear(xSubs[0]), let lx = linear(xSubs[1]),
            Swift.Set(ly.coefficients.keys) == [y, kh], ly.coefficients[kh] == 1, let sh = ly.coefficients[y], sh >= 1, ly.constant <= 0,
            Swift.Set(lx.coefficients.keys) == [x, kw], lx.coefficients[kw] == 1, let sw = lx.coefficients[x], sw >= 1, lx.constant <= 0
      else {
        throw fail("reduction", "the input must be NHWC, indexed [s*\(y) + \(kh) - pad][s*\(x) + \(kw) - pad][\(c)], got '\(text(red.input))'")
      }
      let xd = try dims(xName), wd = try dims(wName), ad = try dims(red.acc)
      guard xd.count == 3, wd.count == 4, ad.count == 3, wd[3] == xd[2], ad[2] == wd[0] else {
        throw fail("sizes", "array shapes disagree: \(xName)\(xd), \(wName)\(wd), \(red.acc)\(ad)")
      }
      let (padTop, padLeft) = (-ly.constant, -lx.constant)
      let (h, wi, cin, kH, kW, oc, oh, ow) = (xd[0], xd[1], xd[2], wd[1], wd[2], wd[0], ad[0], ad[1])
      let padBottom = Swift.max(0, (oh - 1) * sh + kH - h - padTop), padRight = Swift.max(0, (ow - 1) * sw + kW - wi - padLeft)
      let shape = ConvShape(height: h, width: wi, inChannels: cin, outChannels: oc, kernelHeight: kH, kernelWidth: kW,
                            strideH: sh, strideW: sw, padTop: padTop, padBottom: padBottom, padLeft: padLeft, padRight: padRight)
      guard shape.outputHeight == oh, shape.outputWidth == ow else {
        throw fail("sizes", "the output '\(red.acc)' is \(oh)x\(ow) but a \(kH)x\(kW) convolution of a \(h)x\(wi) input with stride \(sh)x\(sw) and padding \(padTop),\(padLeft) gives \(shape.outputHeight)x\(shape.outputWidth)")
      }
      let (vy, vx, vkh, vkw) = (variable(s, y), variable(s, x), variable(s, kh), variable(s, kw))
      try expectDomain(s, part: "reduction", constraints: [
        "0 <= \(vy) < \(oh)", "0 <= \(vx) < \(ow)", "0 <= \(variable(s, o)) < \(oc)",
        "0 <= \(vkh) < \(kH)", "0 <= \(vkw) < \(kW)", "0 <= \(variable(s, c)) < \(cin)",
        "0 <= \(sh)*\(vy) + \(vkh) - \(padTop) < \(h)", "0 <= \(sw)*\(vx) + \(vkw) - \(padLeft) < \(wi)",
      ], what: "the convolution domain (every output position and channel, every tap that falls inside the input)")
      channel = o
      let kind: NPUKernelMapping.Kind = quantized ? .conv2d : .floatConv2d
      mapping = NPUKernelMapping(kernel: k.name, kind: kind, sizes: sizes, m: shape.gemmM, n: shape.gemmN, k: shape.gemmK,
                                 shape: shape, relu: false, input: xName, weights: wName, bias: "", output: quantized ? "" : red.acc,
                                 multipliers: nil, shifts: nil, inputZeroPoint: red.inputZeroPoint, outputZeroPoint: nil,
                                 biasStatement: "", reductionStatement: s.name, requantStatement: nil)
    default:
      throw fail("reduction", "'\(s.name)' is neither a GEMM (acc[i][j] reduced over one iterator k) nor a convolution (acc[y][x][o] reduced over kh, kw, c): it writes \(red.outIterators.count) and reduces over \(reductionIterators.count) iterators")
    }
    try checkInputInBounds(s, xName)

    // Bias init: acc[same iterators] = bias[channel].
    let accDims = try dims(red.acc)
    let biasStmt = try findBias(red, channel: channel, accDims: accDims)
    mapping.biasStatement = biasStmt.statement
    mapping.bias = biasStmt.bias

    var used: Swift.Set<String> = [s.name, biasStmt.statement]
    if quantized {
      let rq = try findRequant(red, channel: channel, accDims: accDims)
      used.insert(rq.statement)
      mapping.requantStatement = rq.statement
      mapping.output = rq.output
      mapping.multipliers = rq.mult
      mapping.shifts = rq.shift
      mapping.outputZeroPoint = rq.zo
      mapping.relu = rq.relu
      if try self.dims(rq.output) != accDims { throw fail("requantization", "the output '\(rq.output)' must have the accumulator's shape \(accDims)") }
    } else {
      guard k.arrays[red.acc]?.isParameter == true else { throw fail("reduction", "the float kernel must accumulate into its output parameter") }
    }
    if let extra = scop.statements.first(where: { !used.contains($0.name) }) {
      throw fail("statements", "statement '\(extra.name)' (line \(extra.location.line): \(text(extra.target)) \(extra.op.rawValue) \(text(extra.value))) is not part of the \(quantized ? "bias / reduction / requantization" : "bias / reduction") pattern")
    }
    // Every parameter must have a role (the NPU run provides the data).
    let roles: Swift.Set<String> = Swift.Set([mapping.input, mapping.weights, mapping.bias, mapping.output]
      + [mapping.multipliers, mapping.shifts, mapping.inputZeroPoint, mapping.outputZeroPoint].compactMap { $0 })
    for p in k.file.parameters {
      if case .size = p.kind { continue }
      if !roles.contains(p.name) { throw fail("parameters", "parameter '\(p.name)' has no role in the NPU workload") }
    }
    return mapping
  }

  /// With isl: every input element the reduction reads lies inside the input array.
  func checkInputInBounds(_ s: StatementInfo, _ array: String) throws {
    guard let access = s.reads.first(where: { $0.array == array }), let info = scop.arrays.first(where: { $0.name == array }) else { return }
    let fixed = try ISL.Set(scop.ctx, fixedParams)
    let touched = try concreteDomain(s).apply(try ISL.Map(scop.ctx, access.relation))
    let extent = try ISL.Set(scop.ctx, info.extent).intersectParams(fixed)
    guard try touched.isSubset(of: extent) else {
      throw fail("reduction", "statement '\(s.name)' reads '\(array)' outside its bounds for \(sizeText) (padding must be a guard or loop bounds that skip padded positions)")
    }
  }

  func outputBox(_ s: StatementInfo, iterators: [String], dims: [Int]) -> [String] {
    zip(iterators, dims).map { "0 <= \(variable(s, $0)) < \($1)" }
  }

  func findBias(_ red: Reduction, channel: String, accDims: [Int]) throws -> (statement: String, bias: String) {
    let candidates = scop.statements.filter { st in
      guard st.op == .assign, let t = plainAccess(st.target), t.array == red.acc else { return false }
      return true
    }
    guard candidates.count == 1, let st = candidates.first, let t = plainAccess(st.target) else {
      throw fail("bias init", "expected exactly one statement '\(red.acc)[...] = bias[c]' initialising the accumulator, found \(candidates.count)")
    }
    let pos = red.outIterators.firstIndex(of: channel)!
    guard t.names.count == accDims.count, Swift.Set(t.names).count == t.names.count,
          let b = plainAccess(st.value), b.names == [t.names[pos]], k.arrays[b.array]?.isParameter == true else {
      throw fail("bias init", "statement '\(st.name)' must be '\(red.acc)[...] = bias[c]' with c the output-channel iterator, got '\(text(st.target)) = \(text(st.value))'")
    }
    let want: ScalarType = red.inputZeroPoint != nil ? .i32 : .f32
    guard arrayType(b.array) == want else { throw fail("bias init", "the bias '\(b.array)' must be an \(want.rawValue) array") }
    try expectDomain(st, part: "bias init", constraints: outputBox(st, iterators: t.names, dims: accDims),
                     what: "the whole output \(accDims)")
    return (st.name, b.array)
  }

  struct Requant {
    var statement: String
    var output: String
    var mult: String
    var shift: String
    var zo: String
    var relu: Bool
  }

  /// `Out[o...] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[o...], max(shift[c], 0)), mult[c]), max(-shift[c], 0)), lo, 127))`.
  func findRequant(_ red: Reduction, channel: String, accDims: [Int]) throws -> Requant {
    let candidates = scop.statements.filter { st in
      st.op == .assign && st.reads.contains { $0.array == red.acc } && plainAccess(st.target)?.array != red.acc
    }
    let expected = "Out[...] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[...], max(shift[c], 0)), mult[c]), max(-shift[c], 0)), -128 or zo, 127))"
    guard candidates.count == 1, let st = candidates.first else {
      throw fail("requantization", "expected exactly one statement reading '\(red.acc)' of the form \(expected), found \(candidates.count)")
    }
    func bad(_ what: String) -> NPUMappingError {
      fail("requantization", "statement '\(st.name)' does not match \(expected): \(what)")
    }
    guard let t = plainAccess(st.target), k.arrays[t.array]?.isParameter == true, arrayType(t.array) == .i8 else {
      throw bad("the target must be an element of an i8 array parameter")
    }
    let pos = red.outIterators.firstIndex(of: channel)!
    let c = t.names.count > pos ? t.names[pos] : ""
    guard case .cast(.i8, let clampCall) = st.value.kind else { throw bad("the value must be cast to i8") }
    guard case .call("clamp", let cargs) = clampCall.kind else { throw bad("expected clamp(...) inside the cast") }
    // zo + rdiv_pot(...)
    guard case .binary(.add, let l, let r) = cargs[0].kind else { throw bad("the clamped value must be 'zo + rdiv_pot(...)'") }
    let (zoExpr, rd): (Expr, Expr) = { if case .name = l.kind { return (l, r) } else { return (r, l) } }()
    guard case .name(let zo) = zoExpr.kind, isScalarParameter(zo) else { throw bad("the output zero point must be a scalar parameter") }
    guard case .call("rdiv_pot", let rargs) = rd.kind else { throw bad("expected rdiv_pot(...)") }
    guard case .call("sat_rdhm", let sargs) = rargs[0].kind else { throw bad("expected sat_rdhm(...) as the first argument of rdiv_pot") }
    guard case .call("shl", let largs) = sargs[0].kind else { throw bad("expected shl(acc, max(shift[c], 0)) as the first argument of sat_rdhm") }
    guard let accAccess = plainAccess(largs[0]), accAccess.array == red.acc, accAccess.names == t.names else {
      throw bad("shl must shift the accumulator element '\(red.acc)' at the target's position")
    }
    guard let m = plainAccess(sargs[1]), m.names == [c], arrayType(m.array) == .i32 else {
      throw bad("the multiplier must be an i32 array indexed by the output channel '\(c)'")
    }
    func shiftArray(_ e: Expr, negated: Bool) -> String? {
      guard case .call("max", let args) = e.kind, args.count == 2 else { return nil }
      for (a, b) in [(args[0], args[1]), (args[1], args[0])] {
        guard case .intLiteral(0) = b.kind else { continue }
        var inner = a
        if negated {
          guard case .unary(.neg, let x) = a.kind else { continue }
          inner = x
        }
        if let s = plainAccess(inner), s.names == [c], arrayType(s.array) == .i32 { return s.array }
      }
      return nil
    }
    guard let left = shiftArray(largs[1], negated: false), let right = shiftArray(rargs[1], negated: true), left == right else {
      throw bad("the shifts must be 'max(shift[c], 0)' (left, in shl) and 'max(-shift[c], 0)' (right, in rdiv_pot) of the same array")
    }
    let relu: Bool
    switch cargs[1].kind {
    case .name(let n) where n == zo: relu = true
    default:
      guard AffineValue.constant(cargs[1]) == -128 else { throw bad("the lower clamp bound must be -128, or the output zero point '\(zo)' for a fused ReLU") }
      relu = false
    }
    guard AffineValue.constant(cargs[2]) == 127 else { throw bad("the upper clamp bound must be 127") }
    try expectDomain(st, part: "requantization", constraints: outputBox(st, iterators: t.names, dims: accDims),
                     what: "the whole output \(accDims)")
    return Requant(statement: st.name, output: t.array, mult: m.array, shift: left, zo: zo, relu: relu)
  }
}

enum AffineValue {
  static func constant(_ e: Expr) -> Int? {
    switch e.kind {
    case .intLiteral(let v): return v
    case .unary(.neg, let a): return constant(a).map { -$0 }
    default: return nil
    }
  }
}
