//===- Elementwise.swift - Kernels without a GEMM: ALU expressions over taps ===//
//
// A kernel whose one statement computes an int8 output element from int8
// input elements at the same channel (a residual add with requantization, a
// max pool, a rescale) runs on the NPU's ALU alone:
//
//   Out[.., c] = i8(E(In_a[.., c], ...))
//
// The channel `c` (the accumulator lanes) is the output iterator every read
// uses alone in one subscript; the other output iterators are pixels (a
// batch, rows, columns) and every read indexes each pixel as `s*y + d`
// (stride s, offset d: a pooling window). These are read from the isl
// access relations. The expression E is translated to ALU operations:
// `+` ADD, `max`/`min`/`clamp` MAX/MIN, `sat_rdhm` MULH, `rdiv_pot` SHR,
// `shl` SHL; a subexpression that reads no tensor (zero points,
// multipliers, shifts, per-channel parameter arrays) is computed by the host
// per channel and becomes a constant row (or an immediate for a literal).
// Anything else (a product of tensors, a subtraction of tensors, a
// conditional) is an error naming the statement and the subexpression.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel
import PolycNPU

/// One read of an input tensor at shifted pixels.
package struct ElementwiseRead: Sendable, Equatable {
  package var array: String
  /// The subscripts of this read in the source (to tell reads of one array apart).
  package var subscripts: [Expr]
  /// For each array dimension, the canonical axis: `n`, `h`, `w` or `c`.
  package var layout: [String]
  package var tap: ElementwiseTap
}

/// A kernel mapped onto the NPU's ALU.
package struct NPUElementwiseKernel: NPUMappedKernel {
  package var name: String
  package var sizes: [String: Int]
  package var statement: String
  package var output: String
  /// For each dimension of the output, the canonical axis: `n`, `y`, `x` or `c`.
  package var outputLayout: [String]
  package var batch: Int
  package var outHeight: Int
  package var outWidth: Int
  package var channels: Int
  /// Input arrays (their index is `ElementwiseTap.input`) and their extents (`n`, `h`, `w`, `c`).
  package var inputs: [(array: String, layout: [String], extents: [String: Int])]
  package var reads: [ElementwiseRead]
  /// The expression; `.constant(k)` is `parameters[k]`, computed per channel by the host.
  package var expression: AluExpr
  package var parameters: [Expr]
  /// The lane iterator (for parameter arrays indexed by it).
  package var channelIterator: String
  /// The statement's value (for the roles of its parameters when making data).
  package var value: Expr
  /// Non-tensor parameters: scalars, and 1-D arrays (length).
  package var scalarParameters: [String]
  package var arrayParameters: [String: Int]
  package var hardware: HardwareConfig
  package var notes: [String]
  package var isFloat: Bool { false }
  package var usefulMACs: Int { 0 }

  package var summary: String {
    "ALU kernel \(batch > 1 ? "\(batch)x" : "")\(outHeight)x\(outWidth)x\(channels): \(expression) (statement \(statement))"
  }

  package func outputInKernelLayout(_ out: [Int8]) -> [Int8] {
    let extents = ["n": batch, "y": outHeight, "x": outWidth, "c": channels]
    let perm = Layout.permutation(canonical: ["n", "y", "x", "c"], layout: outputLayout, extents: extents)
    var result = [Int8](repeating: 0, count: out.count)
    for (i, p) in perm.enumerated() { result[p] = out[i] }
    return result
  }

  package func outputInKernelLayout(_ out: [Double]) -> [Double] { out }
}

/// Why a kernel has no GEMM (or no ALU form), for the error messages.
extension Tensorizer {
  /// The ALU form of a kernel with one assignment and no multiply-accumulate, or nil when the
  /// kernel has a multiply-accumulate statement (the GEMM path applies).
  package func elementwise(hardware: HardwareConfig) throws -> NPUElementwiseKernel? {
    guard candidates().isEmpty, !scop.statements.contains(where: { $0.op != .assign }) else { return nil }
    guard scop.statements.count == 1, let s = scop.statements.first else {
      throw fail("statements", scop.statements.dropFirst().first?.name,
                 "a kernel without a multiply-accumulate runs on the ALU as one statement 'Out[...] = i8(E(In[...], ...))'; this one has \(scop.statements.count) statements")
    }
    return try ElementwiseRecognizer(tz: self, s: s, hardware: hardware).run()
  }
}

struct ElementwiseRecognizer {
  let tz: Tensorizer
  let s: StatementInfo
  let hardware: HardwareConfig
  var kernel: CheckedKernel { tz.scop.kernel }

  /// 1-D parameter arrays other than the tensors, with their lengths.
  func parameterArrays(except tensors: Swift.Set<String>) throws -> [String: Int] {
    var out: [String: Int] = [:]
    for p in kernel.file.parameters {
      guard case .array = p.kind, !tensors.contains(p.name) else { continue }
      let dims = try tz.arrayDimensions(p.name)
      guard dims.count == 1 else { throw fail("parameter array '\(p.name)' must be 1-D (per channel) or an input tensor") }
      out[p.name] = dims[0]
    }
    return out
  }

  func fail(_ message: String) -> NPUCodeGenError { tz.fail("elementwise", s.name, message) }

  func run() throws -> NPUElementwiseKernel {
    guard let write = s.writes.first, kernel.arrays[write.array]?.isParameter == true, kernel.arrays[write.array]?.type == .i8,
          let outPositions = try tz.iteratorAccess(s, write), outPositions.count == s.iterators.count else {
      throw fail("the target must be an element of an i8 array parameter indexed by every loop iterator once")
    }
    let reads = s.reads
    guard !reads.isEmpty else { throw fail("reads no tensor") }
    var functions: [[AffineFunction]] = []
    for r in reads {
      guard kernel.arrays[r.array] != nil, let f = try PolycISL.Map(tz.scop.ctx, r.relation).affineFunctions(), !f.contains(where: \.hasParameters) else {
        throw fail("the access to '\(r.array)' is not an affine function of the loop iterators")
      }
      functions.append(f)
    }
    let tensorReads = reads.indices.filter { i in kernel.arrays[reads[i].array]?.type == .i8 && kernel.arrays[reads[i].array]?.dimensions.count ?? 0 > 1 }
    guard !tensorReads.isEmpty else { throw fail("reads no int8 tensor") }
    let lane = outPositions.reversed().first { o in
      tensorReads.allSatisfy { i in functions[i].contains { $0.support == [o] && $0.inputs[o] == 1 && $0.constant == 0 } }
    }
    guard let c = lane else {
      throw fail("no output iterator indexes every input tensor alone (the channel, on the accumulator lanes)")
    }
    let pixels = outPositions.filter { $0 != c }
    guard pixels.count <= 3 else { throw fail("\(pixels.count) pixel dimensions; at most a batch, rows and columns") }
    let roles: [String] = pixels.count == 3 ? ["n", "y", "x"] : pixels.count == 2 ? ["y", "x"] : pixels.count == 1 ? ["x"] : []
    var pixelRole: [Int: String] = [:]
    for (p, r) in zip(pixels, roles) { pixelRole[p] = r }
    guard let box = try tz.concreteDomain(s).fixedBox(), box.allSatisfy({ $0.offset == 0 }) else {
      throw fail("the iteration domain must be a box starting at 0 for \(tz.sizeText)")
    }
    let ext: (Int?) -> Int = { i in i.map { box[$0].size } ?? 1 }
    let batch = ext(pixels.count == 3 ? pixels[0] : nil)
    let outHeight = ext(pixels.count >= 2 ? pixels[pixels.count - 2] : nil)
    let outWidth = ext(pixels.last)
    let channels = box[c].size
    let outputLayout = outPositions.map { $0 == c ? "c" : pixelRole[$0]! }
    var inputs: [(array: String, layout: [String], extents: [String: Int])] = []
    var parsed: [ElementwiseRead] = []
    for i in tensorReads {
      let r = reads[i]
      var layout: [String] = []
      var tap = ElementwiseTap(input: 0)
      for (d, f) in functions[i].enumerated() {
        if f.support == [c] && f.inputs[c] == 1 && f.constant == 0 { layout.append("c"); continue }
        guard f.support.count == 1, let role = pixelRole[f.support[0]], f.inputs[f.support[0]] >= 1, f.constant >= 0 else {
          throw fail("subscript \(d) of '\(r.array)' must be 'c' or 's*p + d' of one pixel iterator")
        }
        let stride = f.inputs[f.support[0]]
        switch role {
        case "n":
          guard stride == 1, f.constant == 0 else { throw fail("the batch subscript of '\(r.array)' must be the batch iterator") }
          layout.append("n")
        case "y": layout.append("h"); tap.strideY = stride; tap.offsetY = f.constant
        default: layout.append("w"); tap.strideX = stride; tap.offsetX = f.constant
        }
      }
      let dims = try tz.arrayDimensions(r.array)
      let extents = Dictionary(zip(layout, dims), uniquingKeysWith: { a, _ in a })
      guard extents["c"] == channels, (extents["n"] ?? 1) == batch, Swift.Set(layout).count == layout.count else {
        throw fail("'\(r.array)' must have the output's \(channels) channels and \(batch) images, each axis once")
      }
      if let k = inputs.firstIndex(where: { $0.array == r.array }) {
        guard inputs[k].layout == layout else { throw fail("'\(r.array)' is read with two layouts") }
        tap.input = k
      } else {
        inputs.append((r.array, layout, extents))
        tap.input = inputs.count - 1
      }
      parsed.append(ElementwiseRead(array: r.array, subscripts: r.subscripts, layout: layout, tap: tap))
    }
    try tz.checkReadsInBounds(s, part: "elementwise")
    var translator = Translator(r: self, reads: parsed, channel: s.iterators[c])
    let expression = try translator.tensor(s.value, outermost: true)
    return NPUElementwiseKernel(
      name: kernel.name, sizes: tz.sizes, statement: s.name, output: write.array, outputLayout: outputLayout, batch: batch,
      outHeight: outHeight, outWidth: outWidth, channels: channels, inputs: inputs, reads: parsed, expression: expression,
      parameters: translator.parameters, channelIterator: s.iterators[c], value: s.value,
      scalarParameters: kernel.file.parameters.compactMap { if case .scalar = $0.kind { return $0.name } else { return nil } },
      arrayParameters: try parameterArrays(except: Swift.Set(inputs.map(\.array) + [write.array])), hardware: hardware,
      notes: ["npu: no multiply-accumulate: statement '\(s.name)' runs on the ALU as \(expression)"])
  }
}

/// Expression -> AluExpr; parameter subexpressions become host-computed constant rows.
struct Translator {
  let r: ElementwiseRecognizer
  let reads: [ElementwiseRead]
  let channel: String
  var parameters: [Expr] = []

  func fail(_ e: Expr, _ why: String) -> NPUCodeGenError {
    r.fail("'\(ASTPrinter.text(of: e))' \(why); the ALU runs +, - (of a parameter), max, min, clamp, sat_rdhm, rdiv_pot and shl over tensors, with parameters per tensor or per channel")
  }

  /// Whether `e` reads an int8 tensor.
  func readsTensor(_ e: Expr) -> Bool {
    switch e.kind {
    case .access(let a, _): return reads.contains { $0.array == a }
    case .unary(_, let x), .cast(_, let x): return readsTensor(x)
    case .binary(_, let x, let y): return readsTensor(x) || readsTensor(y)
    case .ternary(let a, let b, let c): return readsTensor(a) || readsTensor(b) || readsTensor(c)
    case .call(_, let args): return args.contains(where: readsTensor)
    default: return false
    }
  }

  /// A parameter operand: an immediate for a literal that fits 16 bits, else a constant row.
  mutating func parameter(_ e: Expr) -> AluExpr {
    if let v = Tensorizer.constant(e), v >= -32768, v <= 32767 { return .immediate(v) }
    if let k = parameters.firstIndex(of: e) { return .constant(k) }
    parameters.append(e)
    return .constant(parameters.count - 1)
  }

  mutating func negated(_ e: Expr) -> AluExpr {
    if let v = Tensorizer.constant(e), v > -32768, v <= 32768 { return .immediate(-v) }
    return parameter(Expr(.unary(.neg, e), at: e.location))
  }

  mutating func tensor(_ e: Expr, outermost: Bool = false) throws -> AluExpr {
    switch e.kind {
    case .access(let a, let subs):
      let matching = reads.indices.filter { reads[$0].array == a }
      guard let i = matching.first(where: { reads[$0].subscripts == subs }) ?? matching.first(where: { !used.contains($0) }) else {
        throw fail(e, "is not a tensor read")
      }
      used.insert(i)
      return .tap(i)
    case .cast(let t, let x):
      if t == .i8 && !outermost { throw fail(e, "narrows to i8 inside the expression") }
      guard t == .i8 || t == .i32 else { throw fail(e, "casts to \(t.rawValue)") }
      return try tensor(x, outermost: outermost)
    case .binary(.add, let x, let y):
      return try commutative(.add, x, y, e)
    case .binary(.sub, let x, let y):
      guard readsTensor(x), !readsTensor(y) else { throw fail(e, "subtracts a tensor") }
      return .op(.add, try tensor(x), negated(y))
    case .call("max", let args) where args.count == 2: return try commutative(.max, args[0], args[1], e)
    case .call("min", let args) where args.count == 2: return try commutative(.min, args[0], args[1], e)
    case .call("clamp", let args) where args.count == 3:
      guard !readsTensor(args[1]), !readsTensor(args[2]) else { throw fail(e, "clamps to tensor bounds") }
      return .op(.min, .op(.max, try tensor(args[0]), parameter(args[1])), parameter(args[2]))
    case .call("sat_rdhm", let args) where args.count == 2: return try commutative(.mulh, args[0], args[1], e)
    case .call("rdiv_pot", let args) where args.count == 2:
      guard readsTensor(args[0]), !readsTensor(args[1]) else { throw fail(e, "shifts by a tensor") }
      return .op(.shr, try tensor(args[0]), parameter(args[1]))
    case .call("shl", let args) where args.count == 2:
      guard readsTensor(args[0]), !readsTensor(args[1]) else { throw fail(e, "shifts by a tensor") }
      return .op(.shl, try tensor(args[0]), parameter(args[1]))
    default:
      throw fail(e, "has no ALU form")
    }
  }

  var used: Swift.Set<Int> = []

  mutating func commutative(_ op: AluOpcode, _ x: Expr, _ y: Expr, _ e: Expr) throws -> AluExpr {
    switch (readsTensor(x), readsTensor(y)) {
    case (true, true): return .op(op, try tensor(x), try tensor(y))
    case (true, false): return .op(op, try tensor(x), parameter(y))
    case (false, true): return .op(op, try tensor(y), parameter(x))
    case (false, false): throw fail(e, "reads no tensor")
    }
  }
}


extension NPUElementwiseKernel {
  /// How a parameter is used, for realistic values: multipliers, shifts, zero points.
  enum Role { case multiplier, shift, offset }

  func roles() -> [String: Role] {
    var out: [String: Role] = [:]
    func names(_ e: Expr) -> [String] {
      switch e.kind {
      case .name(let n): return [n]
      case .access(let a, let subs): return [a] + subs.flatMap(names)
      case .unary(_, let x), .cast(_, let x): return names(x)
      case .binary(_, let x, let y): return names(x) + names(y)
      case .ternary(let a, let b, let c): return names(a) + names(b) + names(c)
      case .call(_, let args): return args.flatMap(names)
      default: return []
      }
    }
    func walk(_ e: Expr) {
      switch e.kind {
      case .call("sat_rdhm", let args) where args.count == 2:
        for n in names(args[1]) where out[n] == nil { out[n] = .multiplier }
        walk(args[0])
      case .call(let f, let args) where (f == "rdiv_pot" || f == "shl") && args.count == 2:
        for n in names(args[1]) where out[n] == nil { out[n] = .shift }
        walk(args[0])
      case .unary(_, let x), .cast(_, let x): walk(x)
      case .binary(_, let x, let y): walk(x); walk(y)
      case .call(_, let args): args.forEach(walk)
      default: break
      }
    }
    walk(value)
    return out
  }

  /// Deterministic data in the kernel's layouts, and the workload the NPU runs.
  /// Parameters are drawn by role (multipliers in [2^30, 2^31), shifts, zero
  /// points); of a few draws, the one whose output has the most distinct
  /// values is kept, so that the check is not on saturated outputs.
  package func data(seed: UInt64) throws -> (ElementwiseWorkload, KernelData) {
    var best: (ElementwiseWorkload, KernelData)?
    var bestDistinct = -1
    for attempt in 0..<8 {
      let candidate = try draw(seed: seed &+ UInt64(attempt) &* 1_000_003)
      let distinct = Swift.Set(candidate.0.referenceOutput()).count
      if distinct > bestDistinct { best = candidate; bestDistinct = distinct }
      if distinct >= 64 { break }
    }
    return best!
  }

  func draw(seed: UInt64) throws -> (ElementwiseWorkload, KernelData) {
    var rng = DeterministicRandom(seed: seed &+ 77)
    var values: [String: KernelData.Values] = [:]
    var workloadInputs: [ElementwiseInput] = []
    for input in inputs {
      let count = input.extents.values.reduce(1, *)
      let logical = (0..<count).map { _ in Int(rng.int8()) }
      values[input.array] = .ints(logical)
      var extents = input.extents
      for axis in ["n", "h", "w"] where extents[axis] == nil { extents[axis] = 1 }
      let perm = Layout.permutation(canonical: ["n", "h", "w", "c"], layout: input.layout, extents: extents)
      workloadInputs.append(ElementwiseInput(height: extents["h"]!, width: extents["w"]!, values: perm.map { Int32(logical[$0]) }))
    }
    let roles = roles()
    func random(_ name: String) -> Int {
      switch roles[name] {
      case .multiplier?: return rng.int(in: (1 << 30)...(Int(Int32.max)))
      case .shift?: return rng.int(in: 0...24)
      default: return rng.int(in: -20...20)
      }
    }
    var scalars: [String: Int] = sizes
    for p in scalarParameters {
      let v = random(p)
      scalars[p] = v
      values[p] = .ints([v])
    }
    var arrays: [String: [Int]] = [:]
    for (a, n) in arrayParameters {
      arrays[a] = (0..<n).map { _ in random(a) }
      values[a] = .ints(arrays[a]!)
    }
    var constants: [[Int32]] = []
    for e in parameters {
      var row: [Int32] = []
      for c in 0..<channels {
        guard let v = Self.evaluate(e, channel: c, channelIterator: channelIterator, scalars: scalars, arrays: arrays) else {
          throw NPUCodeGenError(kernel: name, statement: statement, part: "elementwise",
                                message: "cannot compute the parameter '\(ASTPrinter.text(of: e))' on the host")
        }
        row.append(v)
      }
      constants.append(row)
    }
    let w = ElementwiseWorkload(batch: batch, outHeight: outHeight, outWidth: outWidth, channels: channels, inputs: workloadInputs,
                                taps: reads.map(\.tap), constants: constants, expression: expression)
    return (w, KernelData(values: values))
  }

  /// A parameter expression for channel `c`, with C's int32 semantics.
  static func evaluate(_ e: Expr, channel c: Int, channelIterator: String, scalars: [String: Int], arrays: [String: [Int]]) -> Int32? {
    func ev(_ e: Expr) -> Int32? {
      switch e.kind {
      case .intLiteral(let v): return Int32(truncatingIfNeeded: v)
      case .name(let n): return n == channelIterator ? Int32(c) : scalars[n].map { Int32(truncatingIfNeeded: $0) }
      case .access(let a, let subs) where subs.count == 1:
        guard let i = ev(subs[0]), let xs = arrays[a], i >= 0, Int(i) < xs.count else { return nil }
        return Int32(truncatingIfNeeded: xs[Int(i)])
      case .unary(.neg, let x): return ev(x).map { 0 &- $0 }
      case .cast(let t, let x) where t == .i32: return ev(x)
      case .binary(let op, let x, let y):
        guard let a = ev(x), let b = ev(y) else { return nil }
        switch op {
        case .add: return a &+ b
        case .sub: return a &- b
        case .mul: return a &* b
        default: return nil
        }
      case .call(let f, let args):
        let xs = args.compactMap(ev)
        guard xs.count == args.count else { return nil }
        switch (f, xs.count) {
        case ("max", 2): return Swift.max(xs[0], xs[1])
        case ("min", 2): return Swift.min(xs[0], xs[1])
        case ("clamp", 3): return Swift.min(Swift.max(xs[0], xs[1]), xs[2])
        case ("sat_rdhm", 2): return FixedPoint.saturatingRoundingDoublingHighMul(xs[0], xs[1])
        case ("rdiv_pot", 2) where (0...31).contains(xs[1]): return FixedPoint.roundingDivideByPOT(xs[0], xs[1])
        case ("shl", 2) where (0...31).contains(xs[1]): return FixedPoint.wrappingShiftLeft(xs[0], xs[1])
        default: return nil
        }
      default: return nil
      }
    }
    return ev(e)
  }
}
