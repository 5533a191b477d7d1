// Quantized workloads the NPU runs: matmul (GEMM), conv2d as implicit GEMM, fully connected.
//
// Quantization scheme (TFLite int8 / gemmlowp): activations int8 with a zero point, weights int8
// symmetric per output channel (zero point 0), bias int32 in units of in_scale * w_scale[c],
// accumulation in int32, requantization per output channel by a Q0.31 multiplier and a shift
// (TFLite convention, shift > 0 shifts left), output zero point, clamp to
// [activationMin, activationMax] (ReLU raises the lower bound to the output zero point).
//
// Logical layouts (what callers pass and get back):
//   GEMM: A[M][K] row-major, W[K][N] row-major, C[M][N] row-major.
//   Conv: input NHWC [batch][H][W][C], weights OHWI [OC][KH][KW][C], output NHWC [batch][OH][OW][OC].
//   FC:   input [batch][in], weights [out][in] (TFLite), output [batch][out].
// The DRAM layouts the NPU uses are documented on `NPUProgram` and in docs/npu-isa.md.

import Foundation

/// A workload that is not well formed (sizes, array lengths, parameter ranges).
package struct WorkloadError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The offending field, e.g. `requant.shifts[3]`.
  package let field: String
  package let message: String

  package init(field: String, message: String) {
    self.field = field
    self.message = message
  }

  package var description: String { "workload \(field): \(message)" }
  package var errorDescription: String? { description }
}

/// Per-output-channel requantization of int32 accumulators to int8.
package struct Requantization: Equatable, Sendable, Codable {
  /// Q0.31 multipliers from `FixedPoint.quantizeMultiplier`, one per output channel (>= 0).
  package var multipliers: [Int32]
  /// TFLite shifts (> 0 left, < 0 right), one per output channel, in -31...30.
  package var shifts: [Int32]
  /// Output zero point, -128...127.
  package var outputZeroPoint: Int32
  /// Lower clamp, -128...127.
  package var activationMin: Int32
  /// Upper clamp, activationMin...127.
  package var activationMax: Int32

  package init(multipliers: [Int32], shifts: [Int32], outputZeroPoint: Int32, activationMin: Int32 = -128, activationMax: Int32 = 127) {
    self.multipliers = multipliers
    self.shifts = shifts
    self.outputZeroPoint = outputZeroPoint
    self.activationMin = activationMin
    self.activationMax = activationMax
  }

  /// Derives per-channel multipliers from real scales `inScale * wScale[c] / outScale`.
  package init(effectiveScales: [Double], outputZeroPoint: Int32, activationMin: Int32 = -128, activationMax: Int32 = 127) {
    let q = effectiveScales.map(FixedPoint.quantizeMultiplier)
    self.init(multipliers: q.map(\.multiplier), shifts: q.map(\.shift), outputZeroPoint: outputZeroPoint,
              activationMin: activationMin, activationMax: activationMax)
  }

  /// The clamp interval after fusing an optional ReLU.
  package func clampRange(relu: Bool) -> (lo: Int32, hi: Int32) {
    (relu ? max(activationMin, outputZeroPoint) : activationMin, activationMax)
  }

  /// Requantizes one accumulator of output channel `c` (bias already added).
  @inline(__always)
  package func apply(_ acc: Int32, channel c: Int, relu: Bool) -> Int8 {
    let r = clampRange(relu: relu)
    return FixedPoint.requantize(acc, multiplier: multipliers[c], shift: shifts[c], outputZeroPoint: outputZeroPoint, min: r.lo, max: r.hi)
  }

  func validate(channels: Int) throws {
    if multipliers.count != channels { throw WorkloadError(field: "requant.multipliers", message: "has \(multipliers.count) entries, expected \(channels)") }
    if shifts.count != channels { throw WorkloadError(field: "requant.shifts", message: "has \(shifts.count) entries, expected \(channels)") }
    for (c, m) in multipliers.enumerated() where m < 0 {
      throw WorkloadError(field: "requant.multipliers[\(c)]", message: "must be >= 0 (got \(m))")
    }
    for (c, s) in shifts.enumerated() where s < -31 || s > 30 {
      throw WorkloadError(field: "requant.shifts[\(c)]", message: "must be in -31...30 (got \(s))")
    }
    for (name, v) in [("outputZeroPoint", outputZeroPoint), ("activationMin", activationMin), ("activationMax", activationMax)] where v < -128 || v > 127 {
      throw WorkloadError(field: "requant.\(name)", message: "must be in -128...127 (got \(v))")
    }
    if activationMin > activationMax {
      throw WorkloadError(field: "requant.activationMin", message: "must be <= activationMax")
    }
  }
}

/// Quantized matmul C[M][N] = requant(A[M][K] x W[K][N] + bias).
package struct GemmWorkload: Equatable, Sendable {
  package var m: Int
  package var n: Int
  package var k: Int
  /// A[M][K] row-major int8 activations.
  package var a: [Int8]
  /// Zero point of A.
  package var aZeroPoint: Int32
  /// W[K][N] row-major int8 weights, symmetric per output column n.
  package var w: [Int8]
  /// Bias per output column (int32, scale in_scale * w_scale[n]); the zero-point correction
  /// is not included (the lowering folds it in).
  package var bias: [Int32]
  package var requant: Requantization
  /// Fused ReLU.
  package var relu: Bool

  package init(m: Int, n: Int, k: Int, a: [Int8], aZeroPoint: Int32, w: [Int8], bias: [Int32], requant: Requantization, relu: Bool = false) {
    self.m = m
    self.n = n
    self.k = k
    self.a = a
    self.aZeroPoint = aZeroPoint
    self.w = w
    self.bias = bias
    self.requant = requant
    self.relu = relu
  }

  package var usefulMACs: Int { m * n * k }

  package func validate() throws {
    for (name, v) in [("m", m), ("n", n), ("k", k)] where v < 1 {
      throw WorkloadError(field: name, message: "must be >= 1 (got \(v))")
    }
    if a.count != m * k { throw WorkloadError(field: "a", message: "has \(a.count) elements, expected M*K = \(m * k)") }
    if w.count != k * n { throw WorkloadError(field: "w", message: "has \(w.count) elements, expected K*N = \(k * n)") }
    if bias.count != n { throw WorkloadError(field: "bias", message: "has \(bias.count) elements, expected N = \(n)") }
    if aZeroPoint < -128 || aZeroPoint > 127 { throw WorkloadError(field: "aZeroPoint", message: "must be in -128...127") }
    try requant.validate(channels: n)
  }

  /// The same computation as a 1x1 convolution over a 1 x M image with K channels
  /// (A is exactly that image in NHWC, the weights transposed are OHWI).
  package func asConv2D() -> Conv2DWorkload {
    var wt = [Int8](repeating: 0, count: k * n)
    for kk in 0..<k {
      for nn in 0..<n { wt[nn * k + kk] = w[kk * n + nn] }
    }
    return Conv2DWorkload(shape: ConvShape(height: 1, width: m, inChannels: k, outChannels: n, kernelHeight: 1, kernelWidth: 1),
                          input: a, inputZeroPoint: aZeroPoint, weights: wt, bias: bias, requant: requant, relu: relu)
  }

  /// Deterministic pseudo-random workload (test and benchmark data).
  package static func random(m: Int, n: Int, k: Int, seed: UInt64 = 1, relu: Bool = false) -> GemmWorkload {
    var rng = DeterministicRandom(seed: seed)
    let a = (0..<(m * k)).map { _ in rng.int8() }
    let w = (0..<(k * n)).map { _ in rng.int8(min: -127) }
    let za = Int32(rng.int(in: -20...20))
    let bias = (0..<n).map { _ in Int32(rng.int(in: -20000...20000)) }
    let requant = Requantization.random(channels: n, reduction: k, rng: &rng)
    return GemmWorkload(m: m, n: n, k: k, a: a, aZeroPoint: za, w: w, bias: bias, requant: requant, relu: relu)
  }
}

/// Geometry of a 2-D convolution (NHWC).
package struct ConvShape: Equatable, Sendable, Codable {
  package var batch: Int
  package var height: Int
  package var width: Int
  package var inChannels: Int
  package var outChannels: Int
  package var kernelHeight: Int
  package var kernelWidth: Int
  package var strideH: Int
  package var strideW: Int
  package var padTop: Int
  package var padBottom: Int
  package var padLeft: Int
  package var padRight: Int
  /// Distance between consecutive taps of the kernel (1: dense).
  package var dilationH: Int = 1
  package var dilationW: Int = 1
  /// 1: all images share the weights, bias and requantization. `batch`: every
  /// image has its own (a batched matmul, or the channel groups of a depthwise
  /// convolution); the arrays then hold one set per image, image-major.
  package var weightSets: Int = 1

  package init(batch: Int = 1, height: Int, width: Int, inChannels: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
              strideH: Int = 1, strideW: Int = 1, padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0,
              dilationH: Int = 1, dilationW: Int = 1) {
    self.dilationH = dilationH
    self.dilationW = dilationW
    self.batch = batch
    self.height = height
    self.width = width
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.strideH = strideH
    self.strideW = strideW
    self.padTop = padTop
    self.padBottom = padBottom
    self.padLeft = padLeft
    self.padRight = padRight
  }

  /// A square KxK convolution with the same stride and padding on every side.
  package init(batch: Int = 1, height: Int, width: Int, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, pad: Int = 0) {
    self.init(batch: batch, height: height, width: width, inChannels: inChannels, outChannels: outChannels,
              kernelHeight: kernel, kernelWidth: kernel, strideH: stride, strideW: stride,
              padTop: pad, padBottom: pad, padLeft: pad, padRight: pad)
  }

  /// Rows and columns of the input one output pixel reads (the dilated kernel).
  package var effectiveKernelHeight: Int { (kernelHeight - 1) * dilationH + 1 }
  package var effectiveKernelWidth: Int { (kernelWidth - 1) * dilationW + 1 }
  package var outputHeight: Int { (height + padTop + padBottom - effectiveKernelHeight) / strideH + 1 }
  package var outputWidth: Int { (width + padLeft + padRight - effectiveKernelWidth) / strideW + 1 }
  /// Implicit-GEMM sizes: M = batch*OH*OW, N = OC, K = KH*KW*C.
  package var gemmM: Int { batch * outputHeight * outputWidth }
  package var gemmN: Int { outChannels }
  package var gemmK: Int { kernelHeight * kernelWidth * inChannels }
  package var usefulMACs: Int { gemmM * gemmN * gemmK }
  package var inputCount: Int { batch * height * width * inChannels }
  package var weightCount: Int { weightSets * outChannels * kernelHeight * kernelWidth * inChannels }
  /// Entries of the bias and of each requantization array.
  package var channelParameterCount: Int { weightSets * outChannels }
  package var outputCount: Int { gemmM * outChannels }

  package func validate() throws {
    let positive: [(String, Int)] = [
      ("batch", batch), ("height", height), ("width", width), ("inChannels", inChannels), ("outChannels", outChannels),
      ("kernelHeight", kernelHeight), ("kernelWidth", kernelWidth), ("strideH", strideH), ("strideW", strideW),
      ("dilationH", dilationH), ("dilationW", dilationW), ("weightSets", weightSets),
    ]
    if weightSets != 1 && weightSets != batch {
      throw WorkloadError(field: "shape.weightSets", message: "must be 1 or the batch \(batch) (got \(weightSets))")
    }
    for (name, v) in positive where v < 1 { throw WorkloadError(field: "shape.\(name)", message: "must be >= 1 (got \(v))") }
    for (name, v) in [("padTop", padTop), ("padBottom", padBottom), ("padLeft", padLeft), ("padRight", padRight)] where v < 0 {
      throw WorkloadError(field: "shape.\(name)", message: "must be >= 0 (got \(v))")
    }
    if height + padTop + padBottom < effectiveKernelHeight || width + padLeft + padRight < effectiveKernelWidth {
      throw WorkloadError(field: "shape", message: "the padded input is smaller than the kernel")
    }
  }
}

/// Quantized 2-D convolution, NHWC, computed on the NPU as an implicit GEMM.
package struct Conv2DWorkload: Equatable, Sendable {
  package var shape: ConvShape
  /// NHWC int8 input.
  package var input: [Int8]
  package var inputZeroPoint: Int32
  /// OHWI int8 weights, symmetric per output channel.
  package var weights: [Int8]
  /// Bias per output channel (zero-point correction not included).
  package var bias: [Int32]
  package var requant: Requantization
  package var relu: Bool

  package init(shape: ConvShape, input: [Int8], inputZeroPoint: Int32, weights: [Int8], bias: [Int32], requant: Requantization, relu: Bool = false) {
    self.shape = shape
    self.input = input
    self.inputZeroPoint = inputZeroPoint
    self.weights = weights
    self.bias = bias
    self.requant = requant
    self.relu = relu
  }

  package var usefulMACs: Int { shape.usefulMACs }

  package func validate() throws {
    try shape.validate()
    if input.count != shape.inputCount { throw WorkloadError(field: "input", message: "has \(input.count) elements, expected \(shape.inputCount)") }
    if weights.count != shape.weightCount { throw WorkloadError(field: "weights", message: "has \(weights.count) elements, expected \(shape.weightCount)") }
    if bias.count != shape.channelParameterCount { throw WorkloadError(field: "bias", message: "has \(bias.count) elements, expected \(shape.channelParameterCount)") }
    if inputZeroPoint < -128 || inputZeroPoint > 127 { throw WorkloadError(field: "inputZeroPoint", message: "must be in -128...127") }
    try requant.validate(channels: shape.channelParameterCount)
  }

  /// Deterministic pseudo-random workload (test and benchmark data).
  package static func random(shape: ConvShape, seed: UInt64 = 1, relu: Bool = false) -> Conv2DWorkload {
    var rng = DeterministicRandom(seed: seed)
    let input = (0..<shape.inputCount).map { _ in rng.int8() }
    let weights = (0..<shape.weightCount).map { _ in rng.int8(min: -127) }
    let zp = Int32(rng.int(in: -20...20))
    let bias = (0..<shape.channelParameterCount).map { _ in Int32(rng.int(in: -20000...20000)) }
    let requant = Requantization.random(channels: shape.channelParameterCount, reduction: shape.gemmK, rng: &rng)
    return Conv2DWorkload(shape: shape, input: input, inputZeroPoint: zp, weights: weights, bias: bias, requant: requant, relu: relu)
  }
}

/// Quantized fully-connected layer (TFLite layout), by default with a fused ReLU.
package struct FullyConnectedWorkload: Equatable, Sendable {
  package var batch: Int
  package var inFeatures: Int
  package var outFeatures: Int
  /// [batch][inFeatures] int8.
  package var input: [Int8]
  package var inputZeroPoint: Int32
  /// [outFeatures][inFeatures] int8, symmetric per output feature.
  package var weights: [Int8]
  package var bias: [Int32]
  package var requant: Requantization
  package var relu: Bool

  package init(batch: Int, inFeatures: Int, outFeatures: Int, input: [Int8], inputZeroPoint: Int32, weights: [Int8],
              bias: [Int32], requant: Requantization, relu: Bool = true) {
    self.batch = batch
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.input = input
    self.inputZeroPoint = inputZeroPoint
    self.weights = weights
    self.bias = bias
    self.requant = requant
    self.relu = relu
  }

  package var usefulMACs: Int { batch * inFeatures * outFeatures }

  /// The equivalent GEMM: M = batch, K = inFeatures, N = outFeatures, W[k][n] = weights[n][k].
  package func asGemm() -> GemmWorkload {
    var w = [Int8](repeating: 0, count: inFeatures * outFeatures)
    if weights.count == inFeatures * outFeatures {
      for n in 0..<outFeatures {
        for k in 0..<inFeatures { w[k * outFeatures + n] = weights[n * inFeatures + k] }
      }
    }
    return GemmWorkload(m: batch, n: outFeatures, k: inFeatures, a: input, aZeroPoint: inputZeroPoint, w: w, bias: bias,
                        requant: requant, relu: relu)
  }

  package func validate() throws {
    for (name, v) in [("batch", batch), ("inFeatures", inFeatures), ("outFeatures", outFeatures)] where v < 1 {
      throw WorkloadError(field: name, message: "must be >= 1 (got \(v))")
    }
    if input.count != batch * inFeatures { throw WorkloadError(field: "input", message: "has \(input.count) elements, expected \(batch * inFeatures)") }
    if weights.count != inFeatures * outFeatures {
      throw WorkloadError(field: "weights", message: "has \(weights.count) elements, expected \(inFeatures * outFeatures)")
    }
    try asGemm().validate()
  }

  package static func random(batch: Int, inFeatures: Int, outFeatures: Int, seed: UInt64 = 1, relu: Bool = true) -> FullyConnectedWorkload {
    var rng = DeterministicRandom(seed: seed)
    let input = (0..<(batch * inFeatures)).map { _ in rng.int8() }
    let weights = (0..<(inFeatures * outFeatures)).map { _ in rng.int8(min: -127) }
    let zp = Int32(rng.int(in: -20...20))
    let bias = (0..<outFeatures).map { _ in Int32(rng.int(in: -20000...20000)) }
    let requant = Requantization.random(channels: outFeatures, reduction: inFeatures, rng: &rng)
    return FullyConnectedWorkload(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures, input: input, inputZeroPoint: zp,
                                  weights: weights, bias: bias, requant: requant, relu: relu)
  }
}

/// Any workload the driver accepts.
package enum NPUWorkload: Equatable, Sendable {
  case gemm(GemmWorkload)
  case conv2d(Conv2DWorkload)
  case fullyConnected(FullyConnectedWorkload)

  package var usefulMACs: Int {
    switch self {
    case .gemm(let g): return g.usefulMACs
    case .conv2d(let c): return c.usefulMACs
    case .fullyConnected(let f): return f.usefulMACs
    }
  }

  package func validate() throws {
    switch self {
    case .gemm(let g): try g.validate()
    case .conv2d(let c): try c.validate()
    case .fullyConnected(let f): try f.validate()
    }
  }

  /// The convolution the NPU actually computes (GEMM and FC are 1x1 convolutions).
  package func asConv2D() -> Conv2DWorkload {
    switch self {
    case .gemm(let g): return g.asConv2D()
    case .conv2d(let c): return c
    case .fullyConnected(let f): return f.asGemm().asConv2D()
    }
  }

  /// Bit-exact CPU reference output (logical layout).
  package func referenceOutput() -> [Int8] {
    switch self {
    case .gemm(let g): return NPUReference.gemm(g)
    case .conv2d(let c): return NPUReference.conv2d(c)
    case .fullyConnected(let f): return NPUReference.fullyConnected(f)
    }
  }
}

extension Requantization {
  /// Random per-channel scales that keep outputs spread over the int8 range for a reduction of
  /// `reduction` products of uniform int8 values.
  static func random(channels: Int, reduction: Int, rng: inout DeterministicRandom) -> Requantization {
    let base = 0.012 / Double(reduction).squareRoot()
    let scales = (0..<channels).map { _ in base * (0.5 + rng.unit()) }
    return Requantization(effectiveScales: scales, outputZeroPoint: Int32(rng.int(in: -10...10)))
  }
}

/// SplitMix64: deterministic pseudo-random numbers for test data and calibration sets.
package struct DeterministicRandom: Sendable {
  package private(set) var state: UInt64

  package init(seed: UInt64) { state = seed }

  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  package mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

  package mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
  }

  package mutating func int8(min: Int = -128, max: Int = 127) -> Int8 { Int8(int(in: min...max)) }

  /// Approximately standard normal (sum of 12 uniforms minus 6).
  package mutating func gaussian() -> Double {
    var s = 0.0
    for _ in 0..<12 { s += unit() }
    return s - 6
  }
}
