//===- Epilogue.swift - The statements around the GEMM, as ALU work -------===//
//
// Besides the multiply-accumulate, an NPU kernel has an accumulator
// initialisation and (int8 kernels) a requantization; both run on the ALU
// over accumulator tiles:
//
//   bias init    acc[...] = bias[c]            (or = 0)            ALU MOV of the folded bias
//   requant      Out[...] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[...], max(S, 0)), M),
//                                                  max(-S, 0)), lo, 127))
//                                          ALU SHL, MULH, SHR, ADD zo, MAX lo, MIN 127
//
// M and S are per output channel (`mult[c]`, `shift[c]`) or per tensor
// (scalar parameters); `lo` is -128, or `zo` for a fused ReLU. The output
// may have any layout (each subscript one output iterator). The accesses
// are read from the isl relations, the arithmetic from the statement's
// expression; each statement's domain is checked with isl to cover the
// whole output. A statement of any other form is an error that names it.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel

/// A requantization parameter: one value per output channel or one for the tensor.
package enum ChannelParameter: Sendable, Equatable, CustomStringConvertible {
  case perChannel(String)
  case perTensor(String)
  package var name: String {
    switch self {
    case .perChannel(let n), .perTensor(let n): return n
    }
  }
  package var description: String {
    switch self {
    case .perChannel(let n): return "\(n)[c]"
    case .perTensor(let n): return n
    }
  }
}

/// The accumulator initialisation and the requantization of a tensorized kernel.
package struct GemmEpilogue: Sendable {
  package var biasStatement: String
  /// nil: the accumulator starts at 0.
  package var bias: String?
  /// Int8 kernels; nil for a float kernel (its output is the accumulator).
  package var requant: Requant?

  package struct Requant: Sendable {
    package var statement: String
    package var output: String
    /// For each dimension of the output, the canonical axis (`n`, `y`, `x`, `o`).
    package var outputLayout: [String]
    package var multiplier: ChannelParameter
    package var shift: ChannelParameter
    package var outputZeroPoint: String
    package var relu: Bool
  }
}

extension Tensorizer {
  /// Recognises the bias and requantization statements; every other statement is an error.
  package func epilogue(_ t: TensorizedReduction) throws -> GemmEpilogue {
    let bias = try findBias(t)
    var used: Swift.Set<String> = [t.statement, bias.statement]
    var requant: GemmEpilogue.Requant?
    if !t.isFloat {
      let r = try findRequant(t)
      used.insert(r.statement)
      requant = r
    } else if kernel.arrays[t.accumulator]?.isParameter != true {
      throw fail("gemm", t.statement, "a float kernel must accumulate into its output parameter")
    }
    if let extra = scop.statements.first(where: { !used.contains($0.name) }) {
      let what = "\(ASTPrinter.text(of: extra.target)) \(extra.op.rawValue) \(ASTPrinter.text(of: extra.value))"
      throw fail("statements", extra.name, "'\(what)' (line \(extra.location.line)) cannot run on the NPU: supported statements are the accumulator initialisation 'acc[...] = bias[c]' (or 0), the multiply-accumulate, and the requantization 'Out[...] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[...], max(S, 0)), M), max(-S, 0)), lo, 127))' with M, S per channel or per tensor and lo = -128 or zo (ReLU)")
    }
    let e = GemmEpilogue(biasStatement: bias.statement, bias: bias.bias, requant: requant)
    try checkParameterRoles(t, e)
    return e
  }

  /// The iterator positions of a single-iterator access, or nil.
  func iteratorAccess(_ s: StatementInfo, _ access: AccessInfo) throws -> [Int]? {
    guard let f = try PolycISL.Map(scop.ctx, access.relation).affineFunctions() else { return nil }
    var out: [Int] = []
    for g in f {
      guard g.support.count == 1, g.inputs[g.support[0]] == 1, g.constant == 0, !g.hasParameters else { return nil }
      out.append(g.support[0])
    }
    return out
  }

  /// The canonical output axes of `s`'s iterators: those at the accumulator write's positions.
  func outputAxes(_ s: StatementInfo, accAccess: [Int], _ t: TensorizedReduction) -> [Int: String] {
    var axes: [Int: String] = [:]
    for (d, i) in accAccess.enumerated() { axes[i] = t.outputLayout[d] }
    return axes
  }

  /// With isl: `s` runs once for every element of the output.
  func checkWholeOutput(_ s: StatementInfo, positions: [Int], _ t: TensorizedReduction, part: String) throws {
    let sh = t.shape
    let extent = ["n": sh.batch, "y": sh.outputHeight, "x": sh.outputWidth, "o": sh.outChannels]
    let vars = s.iterators.indices.map { "v\($0)" }
    let constraints = zip(positions, t.outputLayout).map { "0 <= \(vars[$0]) < \(extent[$1]!)" }
    let fixed = try PolycISL.Set(scop.ctx, fixedParams)
    let expected = try PolycISL.Set(scop.ctx, scop.parameterPrefix + "{ \(s.name)[\(vars.joined(separator: ", "))] : \(constraints.joined(separator: " and ")) }")
      .intersectParams(fixed)
    guard s.iterators.count == positions.count, try concreteDomain(s).isEqual(expected) else {
      throw fail(part, s.name, "must run once for every output element (domain \(try concreteDomain(s)), expected \(expected))")
    }
  }

  func findBias(_ t: TensorizedReduction) throws -> (statement: String, bias: String?) {
    let writers = scop.statements.filter { $0.op == .assign && $0.writes.contains { $0.array == t.accumulator } }
    guard writers.count == 1, let s = writers.first else {
      throw fail("bias", nil, "expected exactly one statement '\(t.accumulator)[...] = bias[c]' (or 0) initialising the accumulator, found \(writers.count)")
    }
    guard let write = s.writes.first, let positions = try iteratorAccess(s, write), positions.count == t.outputLayout.count else {
      throw fail("bias", s.name, "the accumulator must be indexed by distinct loop iterators")
    }
    try checkWholeOutput(s, positions: positions, t, part: "bias")
    if case .intLiteral(0) = Tensorizer.stripCasts(s.value).kind { return (s.name, nil) }
    if case .floatLiteral(let text, _) = s.value.kind, Double(text) == 0 { return (s.name, nil) }
    let channelPosition = t.outputLayout.firstIndex(of: "o")!
    guard case .access(let b, _) = Tensorizer.stripCasts(s.value).kind, let read = s.reads.first(where: { $0.array == b }),
          let r = try iteratorAccess(s, read), r == [positions[channelPosition]], kernel.arrays[b]?.isParameter == true else {
      throw fail("bias", s.name, "must be '\(t.accumulator)[...] = bias[c]' with c the output channel (or 0), got '\(ASTPrinter.text(of: s.value))'")
    }
    let want: ScalarType = t.isFloat ? .f32 : .i32
    guard kernel.arrays[b]?.type == want else { throw fail("bias", s.name, "the bias '\(b)' must be an \(want.rawValue) array") }
    return (s.name, b)
  }

  func findRequant(_ t: TensorizedReduction) throws -> GemmEpilogue.Requant {
    let readers = scop.statements.filter { st in st.name != t.statement && st.reads.contains { $0.array == t.accumulator } }
    let expected = "Out[...] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[...], max(S, 0)), M), max(-S, 0)), lo, 127)) with M, S per channel (M[c], S[c]) or per tensor, lo = -128 or zo (ReLU)"
    guard readers.count == 1, let s = readers.first else {
      throw fail("requantization", readers.dropFirst().first?.name, "expected exactly one statement reading '\(t.accumulator)' of the form \(expected), found \(readers.count)")
    }
    func bad(_ what: String) -> NPUCodeGenError { fail("requantization", s.name, "\(what); expected \(expected)") }
    guard let write = s.writes.first, kernel.arrays[write.array]?.isParameter == true, kernel.arrays[write.array]?.type == .i8,
          let outPositions = try iteratorAccess(s, write) else {
      throw bad("the target must be an element of an i8 array parameter indexed by loop iterators")
    }
    guard let accRead = s.reads.first(where: { $0.array == t.accumulator }), let accPositions = try iteratorAccess(s, accRead),
          accPositions.count == t.outputLayout.count, Swift.Set(accPositions) == Swift.Set(outPositions), outPositions.count == accPositions.count else {
      throw bad("the accumulator element read must be the one at the output element's position")
    }
    try checkWholeOutput(s, positions: accPositions, t, part: "requantization")
    let axes = outputAxes(s, accAccess: accPositions, t)
    let outputLayout = outPositions.map { axes[$0]! }
    let channel = accPositions[t.outputLayout.firstIndex(of: "o")!]
    guard case .cast(.i8, let clampCall) = s.value.kind, case .call("clamp", let cargs) = clampCall.kind, cargs.count == 3 else {
      throw bad("the value must be i8(clamp(...))")
    }
    guard case .binary(.add, let l, let r) = cargs[0].kind else { throw bad("the clamped value must be 'zo + rdiv_pot(...)'") }
    let (zoExpr, rd): (Expr, Expr) = { if case .name = l.kind { return (l, r) } else { return (r, l) } }()
    guard case .name(let zo) = zoExpr.kind, kernel.scalars[zo]?.isParameter == true else { throw bad("the output zero point must be a scalar parameter") }
    guard case .call("rdiv_pot", let rargs) = rd.kind, case .call("sat_rdhm", let sargs) = rargs[0].kind,
          case .call("shl", let largs) = sargs[0].kind else {
      throw bad("expected rdiv_pot(sat_rdhm(shl(acc, ...), M), ...)")
    }
    guard case .access(t.accumulator, _) = largs[0].kind else { throw bad("shl must shift the accumulator element") }
    func parameter(_ e: Expr) throws -> ChannelParameter? {
      switch Tensorizer.stripCasts(e).kind {
      case .name(let n) where kernel.scalars[n]?.isParameter == true && kernel.scalars[n]?.type == .i32: return .perTensor(n)
      case .access(let a, _):
        guard kernel.arrays[a]?.type == .i32, let read = s.reads.first(where: { $0.array == a }),
              let p = try iteratorAccess(s, read), p == [channel] else { return nil }
        return .perChannel(a)
      default: return nil
      }
    }
    guard let multiplier = try parameter(sargs[1]) else { throw bad("the multiplier must be an i32 array indexed by the output channel or an i32 scalar parameter") }
    func shift(_ e: Expr, negated: Bool) throws -> ChannelParameter? {
      guard case .call("max", let args) = e.kind, args.count == 2 else { return nil }
      for (a, b) in [(args[0], args[1]), (args[1], args[0])] {
        guard case .intLiteral(0) = b.kind else { continue }
        var inner = a
        if negated {
          guard case .unary(.neg, let x) = a.kind else { continue }
          inner = x
        }
        if let p = try parameter(inner) { return p }
      }
      return nil
    }
    guard let left = try shift(largs[1], negated: false), let right = try shift(rargs[1], negated: true), left == right else {
      throw bad("the shifts must be 'max(S, 0)' (in shl) and 'max(-S, 0)' (in rdiv_pot) of the same S")
    }
    let relu: Bool
    switch cargs[1].kind {
    case .name(let n) where n == zo: relu = true
    default:
      guard Self.constant(cargs[1]) == -128 else { throw bad("the lower clamp bound must be -128, or the output zero point '\(zo)' for a fused ReLU") }
      relu = false
    }
    guard Self.constant(cargs[2]) == 127 else { throw bad("the upper clamp bound must be 127") }
    return GemmEpilogue.Requant(statement: s.name, output: write.array, outputLayout: outputLayout, multiplier: multiplier,
                                shift: left, outputZeroPoint: zo, relu: relu)
  }

  static func constant(_ e: Expr) -> Int? {
    switch e.kind {
    case .intLiteral(let v): return v
    case .unary(.neg, let a): return constant(a).map { -$0 }
    default: return nil
    }
  }

  /// Every non-size parameter has a role (the NPU run provides the data).
  func checkParameterRoles(_ t: TensorizedReduction, _ e: GemmEpilogue) throws {
    var roles: Swift.Set<String> = [t.input.array, t.weights.array]
    if case .parameter(let p)? = t.input.zeroPoint { roles.insert(p) }
    if case .parameter(let p)? = t.weights.zeroPoint { roles.insert(p) }
    if let b = e.bias { roles.insert(b) }
    if t.isFloat { roles.insert(t.accumulator) }
    if let r = e.requant { roles.formUnion([r.output, r.multiplier.name, r.shift.name, r.outputZeroPoint]) }
    for p in kernel.file.parameters {
      if case .size = p.kind { continue }
      if !roles.contains(p.name) { throw fail("parameters", nil, "parameter '\(p.name)' has no role in the NPU kernel") }
    }
  }
}
