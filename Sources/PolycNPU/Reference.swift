// CPU reference implementations: plain loops, the same quantization math as the NPU
// (int32 wrapping accumulation, `Requantization.apply`). Used by tests and by the driver to
// check the simulator bit for bit. Each is a direct transcription of the C in docs/npu-isa.md.

import Foundation

package enum NPUReference {
  /// C[m][n] = requant(bias[n] + sum_k (A[m][k] - za) * W[k][n]).
  package static func gemm(_ g: GemmWorkload) -> [Int8] {
    var out = [Int8](repeating: 0, count: g.m * g.n)
    for m in 0..<g.m {
      for n in 0..<g.n {
        var acc = g.bias[n]
        for k in 0..<g.k {
          acc &+= (Int32(g.a[m * g.k + k]) - g.aZeroPoint) &* Int32(g.w[k * g.n + n])
        }
        out[m * g.n + n] = g.requant.apply(acc, channel: n, relu: g.relu)
      }
    }
    return out
  }

  /// NHWC convolution; padded positions hold the input zero point (they contribute 0).
  package static func conv2d(_ c: Conv2DWorkload) -> [Int8] {
    let s = c.shape
    let oh = s.outputHeight, ow = s.outputWidth
    var out = [Int8](repeating: 0, count: s.outputCount)
    for b in 0..<s.batch {
      for y in 0..<oh {
        for x in 0..<ow {
          for oc in 0..<s.outChannels {
            let set = s.weightSets == 1 ? 0 : b
            let ch = set * s.outChannels + oc
            var acc = c.bias[ch]
            for kh in 0..<s.kernelHeight {
              let ih = y * s.strideH - s.padTop + kh * s.dilationH
              if ih < 0 || ih >= s.height { continue }
              for kw in 0..<s.kernelWidth {
                let iw = x * s.strideW - s.padLeft + kw * s.dilationW
                if iw < 0 || iw >= s.width { continue }
                for ic in 0..<s.inChannels {
                  let xv = Int32(c.input[((b * s.height + ih) * s.width + iw) * s.inChannels + ic]) - c.inputZeroPoint
                  let wv = Int32(c.weights[(((set * s.outChannels + oc) * s.kernelHeight + kh) * s.kernelWidth + kw) * s.inChannels + ic])
                  acc &+= xv &* wv
                }
              }
            }
            out[((b * oh + y) * ow + x) * s.outChannels + oc] = c.requant.apply(acc, channel: ch, relu: c.relu)
          }
        }
      }
    }
    return out
  }

  /// out[b][o] = requant(bias[o] + sum_i (x[b][i] - zp) * W[o][i]).
  package static func fullyConnected(_ f: FullyConnectedWorkload) -> [Int8] {
    var out = [Int8](repeating: 0, count: f.batch * f.outFeatures)
    for b in 0..<f.batch {
      for o in 0..<f.outFeatures {
        var acc = f.bias[o]
        for i in 0..<f.inFeatures {
          acc &+= (Int32(f.input[b * f.inFeatures + i]) - f.inputZeroPoint) &* Int32(f.weights[o * f.inFeatures + i])
        }
        out[b * f.outFeatures + o] = f.requant.apply(acc, channel: o, relu: f.relu)
      }
    }
    return out
  }
}
