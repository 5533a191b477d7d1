// Float -> int8 quantization (TFLite post-training scheme) as a reference library:
// activation parameters from calibration min/max (asymmetric, nudged zero point), weights
// symmetric per output channel, bias in int32 with scale in_scale * w_scale[c], per-channel
// requantization multipliers, and SQNR of a quantized result against the float result.

import Foundation

/// Affine quantization parameters: real = scale * (q - zeroPoint).
package struct QuantParams: Equatable, Codable, Sendable {
  package var scale: Double
  package var zeroPoint: Int32

  package init(scale: Double, zeroPoint: Int32) {
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  /// clamp(round_half_away(x / scale) + zeroPoint, -128, 127).
  package func quantize(_ x: Double) -> Int8 {
    let q = (x / scale).rounded(.toNearestOrAwayFromZero) + Double(zeroPoint)
    return Int8(Swift.min(Swift.max(q, -128), 127))
  }

  package func dequantize(_ q: Int8) -> Double { scale * Double(Int32(q) - zeroPoint) }

  /// TFLite `ChooseQuantizationParams` for int8: the range is extended to contain 0 and the
  /// zero point is nudged to an integer so that 0.0 is exactly representable.
  package static func asymmetric(min rmin0: Double, max rmax0: Double) -> QuantParams {
    let qmin = -128.0, qmax = 127.0
    let rmin = Swift.min(rmin0, 0), rmax = Swift.max(rmax0, 0)
    if rmax - rmin <= 0 { return QuantParams(scale: 1, zeroPoint: 0) }
    let scale = (rmax - rmin) / (qmax - qmin)
    let zpFromMin = qmin - rmin / scale
    let zpFromMax = qmax - rmax / scale
    let errMin = abs(qmin) + abs(rmin / scale)
    let errMax = abs(qmax) + abs(rmax / scale)
    let zpReal = errMin < errMax ? zpFromMin : zpFromMax
    let zp = zpReal < qmin ? qmin : (zpReal > qmax ? qmax : zpReal.rounded(.toNearestOrAwayFromZero))
    return QuantParams(scale: scale, zeroPoint: Int32(zp))
  }

  /// Symmetric int8 (zero point 0, range [-127, 127] * scale).
  package static func symmetric(maxAbs: Double) -> QuantParams {
    QuantParams(scale: maxAbs > 0 ? maxAbs / 127 : 1, zeroPoint: 0)
  }
}

package enum Quantization {
  /// Signal-to-quantization-noise ratio in dB: 10 log10(sum ref^2 / sum (ref - test)^2);
  /// +infinity when the two are identical.
  package static func sqnr(reference: [Double], test: [Double]) -> Double {
    precondition(reference.count == test.count)
    var signal = 0.0, noise = 0.0
    for (r, t) in zip(reference, test) {
      signal += r * r
      noise += (r - t) * (r - t)
    }
    if noise == 0 { return .infinity }
    return 10 * log10(signal / noise)
  }

  /// Per-output-channel symmetric quantization of weights whose outermost dimension is the
  /// output channel (OHWI or [out][in]).
  package static func quantizeWeightsPerChannel(_ weights: [Float], channels: Int) -> (values: [Int8], scales: [Double]) {
    let per = weights.count / channels
    var values = [Int8](repeating: 0, count: weights.count)
    var scales = [Double](repeating: 1, count: channels)
    for c in 0..<channels {
      let slice = weights[(c * per)..<((c + 1) * per)]
      let p = QuantParams.symmetric(maxAbs: Double(slice.map { abs($0) }.max() ?? 0))
      scales[c] = p.scale
      for i in 0..<per { values[c * per + i] = p.quantize(Double(weights[c * per + i])) }
    }
    return (values, scales)
  }

  /// Min and max over calibration tensors.
  package static func range(_ tensors: [[Float]]) -> (min: Double, max: Double) {
    var lo = Double.infinity, hi = -Double.infinity
    for t in tensors {
      for v in t {
        lo = Swift.min(lo, Double(v))
        hi = Swift.max(hi, Double(v))
      }
    }
    return lo <= hi ? (lo, hi) : (0, 0)
  }
}

/// A float NHWC convolution (OHWI weights) with optional fused ReLU.
package struct FloatConv2D: Sendable {
  package var shape: ConvShape
  package var weights: [Float]
  package var bias: [Float]
  package var relu: Bool

  package init(shape: ConvShape, weights: [Float], bias: [Float], relu: Bool = false) {
    self.shape = shape
    self.weights = weights
    self.bias = bias
    self.relu = relu
  }

  /// Float reference (double accumulation).
  package func run(_ input: [Float]) -> [Double] {
    let s = shape
    let oh = s.outputHeight, ow = s.outputWidth
    var out = [Double](repeating: 0, count: s.outputCount)
    for b in 0..<s.batch {
      for y in 0..<oh {
        for x in 0..<ow {
          for oc in 0..<s.outChannels {
            var acc = Double(bias[oc])
            for kh in 0..<s.kernelHeight {
              let ih = y * s.strideH - s.padTop + kh * s.dilationH
              if ih < 0 || ih >= s.height { continue }
              for kw in 0..<s.kernelWidth {
                let iw = x * s.strideW - s.padLeft + kw * s.dilationW
                if iw < 0 || iw >= s.width { continue }
                for ic in 0..<s.inChannels {
                  acc += Double(input[((b * s.height + ih) * s.width + iw) * s.inChannels + ic])
                    * Double(weights[((oc * s.kernelHeight + kh) * s.kernelWidth + kw) * s.inChannels + ic])
                }
              }
            }
            out[((b * oh + y) * ow + x) * s.outChannels + oc] = relu ? Swift.max(acc, 0) : acc
          }
        }
      }
    }
    return out
  }

  /// Post-training quantization from calibration inputs: input and output parameters from
  /// their min/max, weights per output channel, bias at scale in_scale * w_scale[c].
  package func quantized(calibration: [[Float]]) -> QuantizedConv2D {
    let inRange = Quantization.range(calibration)
    let inParams = QuantParams.asymmetric(min: inRange.min, max: inRange.max)
    let outputs = calibration.map { run($0).map { Float($0) } }
    let outRange = Quantization.range(outputs)
    let outParams = QuantParams.asymmetric(min: outRange.min, max: outRange.max)
    let (qw, wScales) = Quantization.quantizeWeightsPerChannel(weights, channels: shape.outChannels)
    let qBias = (0..<shape.outChannels).map { c -> Int32 in
      let v = (Double(bias[c]) / (inParams.scale * wScales[c])).rounded(.toNearestOrAwayFromZero)
      return Int32(Swift.max(Swift.min(v, Double(Int32.max)), Double(Int32.min)))
    }
    let effective = wScales.map { inParams.scale * $0 / outParams.scale }
    let requant = Requantization(effectiveScales: effective, outputZeroPoint: outParams.zeroPoint)
    return QuantizedConv2D(shape: shape, inputParams: inParams, outputParams: outParams, weightScales: wScales,
                           weights: qw, bias: qBias, requant: requant, relu: relu)
  }

  /// Deterministic weights (Gaussian, std 1/sqrt(fan-in)) and small biases.
  package static func random(shape: ConvShape, seed: UInt64 = 7, relu: Bool = false) -> FloatConv2D {
    var rng = DeterministicRandom(seed: seed)
    let std = 1 / Double(shape.kernelHeight * shape.kernelWidth * shape.inChannels).squareRoot()
    let w = (0..<shape.weightCount).map { _ in Float(rng.gaussian() * std) }
    let b = (0..<shape.outChannels).map { _ in Float(rng.gaussian() * 0.1) }
    return FloatConv2D(shape: shape, weights: w, bias: b, relu: relu)
  }

  /// Deterministic calibration/evaluation inputs (Gaussian, mean 0.2, std 1).
  package static func inputs(shape: ConvShape, count: Int, seed: UInt64 = 11) -> [[Float]] {
    var rng = DeterministicRandom(seed: seed)
    return (0..<count).map { _ in (0..<shape.inputCount).map { _ in Float(0.2 + rng.gaussian()) } }
  }
}

/// A convolution quantized from a `FloatConv2D`.
package struct QuantizedConv2D: Sendable {
  package var shape: ConvShape
  package var inputParams: QuantParams
  package var outputParams: QuantParams
  package var weightScales: [Double]
  package var weights: [Int8]
  package var bias: [Int32]
  package var requant: Requantization
  package var relu: Bool

  /// The quantized workload for one float input.
  package func workload(input: [Float]) -> Conv2DWorkload {
    Conv2DWorkload(shape: shape, input: input.map { inputParams.quantize(Double($0)) }, inputZeroPoint: inputParams.zeroPoint,
                   weights: weights, bias: bias, requant: requant, relu: relu)
  }

  package func dequantize(_ output: [Int8]) -> [Double] { output.map(outputParams.dequantize) }
}
