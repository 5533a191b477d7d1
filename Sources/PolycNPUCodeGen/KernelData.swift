//===- KernelData.swift - A kernel's parameters and the NPU's canonical tensors ===//
//
// The NPU program works on canonical tensors: an NHWC input, OHWI weights,
// per-channel requantization, an NHWC output (`Conv2DWorkload`), packed into
// its DRAM layouts by `NPULowering`. A kernel's own arrays may have any
// layout the tensorizer accepted; `KernelData` holds the values of every
// kernel parameter in the kernel's layout and converts between the two with
// the layouts found on the access relations (a dimension permutation).
//
// A zero point on the weights is handled by a correction term: the input
// channels are doubled, `X' = [X, X]`, `W' = [W, -zw]`, so that
// `sum (X - zx) * W' = sum (X - zx) * (W - zw)` on the unchanged GEMM core.
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycNPU

/// Values of a kernel's parameters, in the kernel's own layouts (row-major).
package struct KernelData: Sendable {
  package enum Values: Sendable, Equatable {
    case ints([Int])
    case floats([Float])
  }
  package var values: [String: Values]
  /// For a float kernel: the float model, its evaluation input and its quantized form.
  package var floatModel: FloatConv2D?
  package var floatInput: [Float]?
  package var quantized: QuantizedConv2D?
}

/// The canonical tensors of one run and the maps between them and the kernel's arrays.
package struct CanonicalData: Sendable {
  /// What the NPU computes (with the weight zero-point correction folded in).
  package var workload: Conv2DWorkload
  package var kernel: KernelData
}

enum Layout {
  /// Extents of canonical axes.
  static func inputExtents(_ s: ConvShape) -> [String: Int] { ["n": s.batch, "h": s.height, "w": s.width, "c": s.inChannels] }
  static func weightExtents(_ s: ConvShape) -> [String: Int] {
    ["s": s.weightSets, "o": s.outChannels, "kh": s.kernelHeight, "kw": s.kernelWidth, "c": s.inChannels]
  }
  static func outputExtents(_ s: ConvShape) -> [String: Int] { ["n": s.batch, "y": s.outputHeight, "x": s.outputWidth, "o": s.outChannels] }

  /// For every canonical index (row-major over `canonical`), the flat index in an array of layout `layout`.
  static func permutation(canonical: [String], layout: [String], extents: [String: Int]) -> [Int] {
    let sizes = canonical.map { extents[$0]! }
    let total = sizes.reduce(1, *)
    let layoutSizes = layout.map { extents[$0]! }
    var strides = [Int](repeating: 1, count: layout.count)
    for d in stride(from: layout.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * layoutSizes[d + 1] }
    let stride = Dictionary(uniqueKeysWithValues: zip(layout, strides))
    var out = [Int](repeating: 0, count: total)
    var index = [Int](repeating: 0, count: canonical.count)
    for flat in 0..<total {
      var off = 0
      for (d, name) in canonical.enumerated() { off += index[d] * (stride[name] ?? 0) }
      out[flat] = off
      var d = canonical.count - 1
      while d >= 0 {
        index[d] += 1
        if index[d] < sizes[d] { break }
        index[d] = 0
        d -= 1
      }
    }
    return out
  }
}

extension Conv2DWorkload {
  /// With one weight set per image, the kernel's bias and requantization are
  /// still per output channel only: every set gets set 0's values.
  mutating func sharePerChannelParameters() {
    let n = shape.outChannels
    guard shape.weightSets > 1 else { return }
    bias = (0..<shape.channelParameterCount).map { bias[$0 % n] }
    requant.multipliers = (0..<shape.channelParameterCount).map { requant.multipliers[$0 % n] }
    requant.shifts = (0..<shape.channelParameterCount).map { requant.shifts[$0 % n] }
  }
}

extension NPUKernel {
  /// Deterministic data for every parameter (the NPU's generators, seeded),
  /// as the canonical workload and in the kernel's layouts.
  package func data(seed: UInt64) throws -> CanonicalData {
    let s = gemm.shape
    var values: [String: KernelData.Values] = [:]
    let inputPerm = Layout.permutation(canonical: ["n", "h", "w", "c"], layout: gemm.input.layout, extents: Layout.inputExtents(s))
    let weightPerm = Layout.permutation(canonical: ["s", "o", "kh", "kw", "c"], layout: gemm.weights.layout, extents: Layout.weightExtents(s))
    func scatter<T>(_ canonical: [T], _ perm: [Int], fill: T) -> [T] {
      var out = [T](repeating: fill, count: canonical.count)
      for (i, p) in perm.enumerated() { out[p] = canonical[i] }
      return out
    }
    if gemm.isFloat {
      let model = FloatConv2D.random(shape: s, seed: seed &+ 6)
      let calibration = FloatConv2D.inputs(shape: s, count: 4, seed: seed &+ 10)
      let input = FloatConv2D.inputs(shape: s, count: 1, seed: seed &+ 1000)[0]
      let q = model.quantized(calibration: calibration)
      values[gemm.input.array] = .floats(scatter(input, inputPerm, fill: 0))
      values[gemm.weights.array] = .floats(scatter(model.weights, weightPerm, fill: 0))
      if let b = epilogue.bias { values[b] = .floats(model.bias) }
      let kd = KernelData(values: values, floatModel: model, floatInput: input, quantized: q)
      return CanonicalData(workload: q.workload(input: input), kernel: kd)
    }
    let r = epilogue.requant!
    let oc = s.outChannels
    var w = Conv2DWorkload.random(shape: s, seed: seed, relu: r.relu)
    w.sharePerChannelParameters()
    values[gemm.input.array] = .ints(scatter(w.input.map(Int.init), inputPerm, fill: 0))
    if gemm.isDepthwise {
      let per = s.kernelHeight * s.kernelWidth
      var diagonal: [Int] = []
      for o in 0..<s.outChannels { for t in 0..<per { diagonal.append(Int(w.weights[(o * per + t) * s.inChannels + o])) } }
      let dwPerm = Layout.permutation(canonical: ["o", "kh", "kw"], layout: gemm.weights.layout, extents: Layout.weightExtents(s))
      values[gemm.weights.array] = .ints(scatter(diagonal, dwPerm, fill: 0))
      w.weights = w.weights.enumerated().map { i, v in (i % s.inChannels) == (i / (per * s.inChannels)) ? v : 0 }
    } else {
      values[gemm.weights.array] = .ints(scatter(w.weights.map(Int.init), weightPerm, fill: 0))
    }
    if case .parameter(let p)? = gemm.input.zeroPoint { values[p] = .ints([Int(w.inputZeroPoint)]) }
    let weightZeroPoint: Int
    switch gemm.weights.zeroPoint {
    case .parameter(let p)?:
      weightZeroPoint = Int(seed % 7) - 3 == 0 ? 2 : Int(seed % 7) - 3
      values[p] = .ints([weightZeroPoint])
    case .constant(let c)?: weightZeroPoint = c
    case nil: weightZeroPoint = 0
    }
    let inputZeroPoint: Int32
    switch gemm.input.zeroPoint {
    case .constant(let c)?: inputZeroPoint = Int32(c)
    case nil: inputZeroPoint = 0
    case .parameter?: inputZeroPoint = w.inputZeroPoint
    }
    var requant = w.requant
    if case .perTensor = r.multiplier { requant.multipliers = requant.multipliers.map { _ in requant.multipliers[0] } }
    if case .perTensor = r.shift { requant.shifts = requant.shifts.map { _ in requant.shifts[0] } }
    switch r.multiplier {
    case .perChannel(let a): values[a] = .ints(requant.multipliers.prefix(oc).map(Int.init))
    case .perTensor(let p): values[p] = .ints([Int(requant.multipliers[0])])
    }
    switch r.shift {
    case .perChannel(let a): values[a] = .ints(requant.shifts.prefix(oc).map(Int.init))
    case .perTensor(let p): values[p] = .ints([Int(requant.shifts[0])])
    }
    values[r.outputZeroPoint] = .ints([Int(requant.outputZeroPoint)])
    var bias = w.bias
    if let b = epilogue.bias { values[b] = .ints(bias.prefix(oc).map(Int.init)) } else { bias = bias.map { _ in 0 } }
    var npu = Conv2DWorkload(shape: s, input: w.input, inputZeroPoint: inputZeroPoint, weights: w.weights, bias: bias,
                             requant: requant, relu: r.relu)
    if weightZeroPoint != 0 { npu = try Self.correctWeightZeroPoint(npu, weightZeroPoint, kernel: name) }
    if gemm.isDepthwise { npu = Self.channelGroups(npu, group: Swift.min(hardware.blockOut, hardware.blockIn)) }
    return CanonicalData(workload: npu, kernel: KernelData(values: values))
  }

  /// A depthwise convolution (diagonal weights `w[o][..][c] = 0` for `o != c`)
  /// as images of `group` channels each, one weight set per image: the GEMM
  /// core then multiplies one diagonal `group x group` block per tap.
  static func channelGroups(_ w: Conv2DWorkload, group: Int) -> Conv2DWorkload {
    let s = w.shape
    let c = s.inChannels, groups = (c + group - 1) / group, taps = s.kernelHeight * s.kernelWidth
    var g = s
    g.batch = s.batch * groups
    g.inChannels = group
    g.outChannels = group
    g.weightSets = g.batch
    var input = [Int8](repeating: 0, count: g.inputCount)
    for n in 0..<s.batch {
      for px in 0..<(s.height * s.width) {
        for ch in 0..<c {
          let image = n * groups + ch / group
          input[(image * s.height * s.width + px) * group + ch % group] = w.input[(n * s.height * s.width + px) * c + ch]
        }
      }
    }
    var weights = [Int8](repeating: 0, count: g.weightCount)
    var bias = [Int32](repeating: 0, count: g.channelParameterCount)
    var mult = [Int32](repeating: w.requant.multipliers[0], count: g.channelParameterCount)
    var shift = [Int32](repeating: w.requant.shifts[0], count: g.channelParameterCount)
    for image in 0..<g.batch {
      for o in 0..<group {
        let ch = (image % groups) * group + o
        guard ch < c else { continue }
        let set = image * group + o
        bias[set] = w.bias[ch]
        mult[set] = w.requant.multipliers[ch]
        shift[set] = w.requant.shifts[ch]
        for t in 0..<taps { weights[(set * taps + t) * group + o] = w.weights[(ch * taps + t) * c + ch] }
      }
    }
    var requant = w.requant
    requant.multipliers = mult
    requant.shifts = shift
    return Conv2DWorkload(shape: g, input: input, inputZeroPoint: w.inputZeroPoint, weights: weights, bias: bias, requant: requant, relu: w.relu)
  }

  /// The NPU's output of grouped channels back in NHWC over the kernel's channels.
  func ungroupedOutput(_ out: [Int8]) -> [Int8] {
    guard gemm.isDepthwise else { return out }
    let s = gemm.shape
    let group = Swift.min(hardware.blockOut, hardware.blockIn), groups = (s.outChannels + group - 1) / group
    let pixels = s.outputHeight * s.outputWidth
    var result = [Int8](repeating: 0, count: s.outputCount)
    for n in 0..<s.batch {
      for px in 0..<pixels {
        for ch in 0..<s.outChannels {
          let image = n * groups + ch / group
          result[(n * pixels + px) * s.outChannels + ch] = out[(image * pixels + px) * group + ch % group]
        }
      }
    }
    return result
  }

  /// `X' = [X, X]`, `W' = [W, -zw]` (see the file comment).
  static func correctWeightZeroPoint(_ w: Conv2DWorkload, _ zw: Int, kernel: String) throws -> Conv2DWorkload {
    guard (-127...128).contains(zw) else {
      throw NPUCodeGenError(kernel: kernel, part: "gemm", message: "the weight zero point \(zw) is outside -127...128: its correction -zw must be an int8 weight")
    }
    var s = w.shape
    let c = s.inChannels
    s.inChannels = 2 * c
    var input: [Int8] = []
    input.reserveCapacity(w.input.count * 2)
    for px in 0..<(w.input.count / c) {
      let row = w.input[(px * c)..<((px + 1) * c)]
      input.append(contentsOf: row)
      input.append(contentsOf: row)
    }
    var weights: [Int8] = []
    weights.reserveCapacity(w.weights.count * 2)
    for tap in 0..<(w.weights.count / c) {
      weights.append(contentsOf: w.weights[(tap * c)..<((tap + 1) * c)])
      weights.append(contentsOf: [Int8](repeating: Int8(-zw), count: c))
    }
    return Conv2DWorkload(shape: s, input: input, inputZeroPoint: w.inputZeroPoint, weights: weights, bias: w.bias,
                          requant: w.requant, relu: w.relu)
  }

  /// The NPU's NHWC output in the layout of the kernel's output array.
  package func outputInKernelLayout(_ npuOutput: [Int8]) -> [Int8] {
    let canonical = ungroupedOutput(npuOutput)
    let layout = epilogue.requant?.outputLayout ?? gemm.outputLayout
    let perm = Layout.permutation(canonical: ["n", "y", "x", "o"], layout: layout, extents: Layout.outputExtents(gemm.shape))
    var out = [Int8](repeating: 0, count: canonical.count)
    for (i, p) in perm.enumerated() { out[p] = canonical[i] }
    return out
  }

  /// A float output (NHWC doubles) in the layout of the kernel's output array.
  package func outputInKernelLayout(_ canonical: [Double]) -> [Double] {
    let perm = Layout.permutation(canonical: ["n", "y", "x", "o"], layout: gemm.outputLayout, extents: Layout.outputExtents(gemm.shape))
    var out = [Double](repeating: 0, count: canonical.count)
    for (i, p) in perm.enumerated() { out[p] = canonical[i] }
    return out
  }
}
