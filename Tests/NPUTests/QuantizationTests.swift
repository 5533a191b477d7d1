import Foundation
import Testing
@testable import PolycNPU

/// The TFLite/gemmlowp fixed-point math and the float -> int8 quantization library.
@Suite struct QuantizationTests {
  @Test func saturatingRoundingDoublingHighMulMatchesGemmlowp() {
    typealias F = FixedPoint
    #expect(F.saturatingRoundingDoublingHighMul(Int32.min, Int32.min) == Int32.max)
    #expect(F.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) == 1 << 29)
    #expect(F.saturatingRoundingDoublingHighMul(3, 1 << 30) == 2)  // 1.5 rounds away from zero
    #expect(F.saturatingRoundingDoublingHighMul(-3, 1 << 30) == -1)  // nudge 1-2^30, truncating division
    #expect(F.saturatingRoundingDoublingHighMul(Int32.max, Int32.max) == Int32.max - 1)
  }

  @Test func roundingDivideByPowerOfTwoRoundsHalfAwayFromZero() {
    typealias F = FixedPoint
    #expect([5, 6, 7, -5, -6, -7].map { F.roundingDivideByPOT(Int32($0), 1) } == [3, 3, 4, -3, -3, -4])
    #expect(F.roundingDivideByPOT(Int32.min, 31) == -1)
    #expect(F.roundingDivideByPOT(Int32.max, 31) == 1)
    #expect(F.roundingDivideByPOT(12345, 0) == 12345)
  }

  @Test func quantizeMultiplierMatchesTFLite() {
    #expect(FixedPoint.quantizeMultiplier(0.5) == (1 << 30, 0))
    #expect(FixedPoint.quantizeMultiplier(0.25) == (1 << 30, -1))
    #expect(FixedPoint.quantizeMultiplier(1.0) == (1 << 30, 1))
    #expect(FixedPoint.quantizeMultiplier(0.75) == (1_610_612_736, 0))
    #expect(FixedPoint.quantizeMultiplier(0) == (0, 0))
    #expect(FixedPoint.quantizeMultiplier(1e-12) == (0, 0))
  }

  @Test func multiplyByQuantizedMultiplierApproximatesTheRealProduct() {
    var rng = DeterministicRandom(seed: 3)
    for _ in 0..<2000 {
      let m = pow(10, -4 + 5 * rng.unit())
      let x = Int32(rng.int(in: -1_000_000...1_000_000))
      let (q, s) = FixedPoint.quantizeMultiplier(m)
      let exact = Double(x) * m
      guard abs(exact) < 1e9 else { continue }
      #expect(abs(Double(FixedPoint.multiplyByQuantizedMultiplier(x, q, s)) - exact) <= 1.0 + abs(exact) * 1e-8)
    }
  }

  @Test func requantizationClampsAndFusesRelu() {
    let r = Requantization(effectiveScales: [0.5], outputZeroPoint: -10)
    #expect(r.apply(100, channel: 0, relu: false) == 40)
    #expect(r.apply(-100, channel: 0, relu: false) == -60)
    #expect(r.apply(-100, channel: 0, relu: true) == -10)
    #expect(r.apply(10_000, channel: 0, relu: false) == 127)
    #expect(r.apply(-10_000, channel: 0, relu: false) == -128)
  }

  @Test func asymmetricParametersRepresentZeroExactly() {
    for (lo, hi) in [(-1.0, 3.0), (0.5, 2.0), (-4.0, -1.0), (-0.3, 0.3)] {
      let p = QuantParams.asymmetric(min: lo, max: hi)
      #expect(p.dequantize(p.quantize(0)) == 0)
      #expect(p.zeroPoint >= -128 && p.zeroPoint <= 127)
      #expect(abs(p.dequantize(p.quantize(hi)) - hi) <= p.scale / 2 + 1e-12)
    }
    #expect(QuantParams.symmetric(maxAbs: 2.54).quantize(-2.54) == -127)
  }

  @Test func sqnrIsInfiniteForIdenticalAndTwentyDecibelsForTenPercentNoise() {
    #expect(Quantization.sqnr(reference: [1, 2, 3], test: [1, 2, 3]) == .infinity)
    #expect(abs(Quantization.sqnr(reference: [1, -1, 1, -1], test: [1.1, -1.1, 1.1, -1.1]) - 20) < 1e-9)
  }

  @Test func quantizedFloatConvolutionOnTheNPUHasSQNRAboveThirtyDecibels() throws {
    let shape = ConvShape(height: 8, width: 8, inChannels: 8, outChannels: 16, kernel: 3, stride: 1, pad: 1)
    for relu in [false, true] {
      let float = FloatConv2D.random(shape: shape, seed: 21, relu: relu)
      let calibration = FloatConv2D.inputs(shape: shape, count: 4, seed: 5)
      let q = float.quantized(calibration: calibration)
      for input in calibration.prefix(2) + FloatConv2D.inputs(shape: shape, count: 1, seed: 99) {
        let run = try NPUDriver.run(conv: q.workload(input: input))
        #expect(run.bitExact)
        let sqnr = Quantization.sqnr(reference: float.run(input), test: q.dequantize(run.output))
        #expect(sqnr > 30, "SQNR \(sqnr) dB (relu \(relu))")
      }
    }
  }

  @Test func weightsAreSymmetricPerOutputChannel() {
    let (values, scales) = Quantization.quantizeWeightsPerChannel([1, -2, 0.5, 0.25, -0.1, 0], channels: 2)
    #expect(scales == [2.0 / 127, 0.25 / 127])
    #expect(values == [64, -127, 32, 127, -51, 0])
  }
}
