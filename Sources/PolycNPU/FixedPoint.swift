// gemmlowp / TFLite fixed-point primitives, bit-exact and written so that each one is a
// direct transcription of a C expression on int32_t / int64_t (see docs/npu-isa.md,
// "Requantization"). The ALU of the NPU and the CPU reference both call these functions.

import Foundation

package enum FixedPoint {
  /// gemmlowp `SaturatingRoundingDoublingHighMul`:
  ///
  ///     if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ///     int64_t ab = (int64_t)a * (int64_t)b;
  ///     int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  ///     return (int32_t)((ab + nudge) / (1LL << 31));          // C division truncates toward 0
  @inline(__always)
  package static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == Int32.min && b == Int32.min { return Int32.max }
    let ab = Int64(a) * Int64(b)
    let nudge: Int64 = ab >= 0 ? (1 << 30) : (1 - (1 << 30))
    return Int32(truncatingIfNeeded: (ab + nudge) / (1 << 31))
  }

  /// gemmlowp `RoundingDivideByPOT` (arithmetic right shift rounding half away from zero),
  /// exponent in 0...31:
  ///
  ///     int32_t mask = (int32_t)((1LL << e) - 1);
  ///     int32_t remainder = x & mask;
  ///     int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  ///     return (x >> e) + (remainder > threshold ? 1 : 0);
  @inline(__always)
  package static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
    let e = Int64(exponent)
    let mask = Int32(truncatingIfNeeded: (Int64(1) << e) - 1)
    let remainder = x & mask
    let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
    return (x >> Int32(e)) &+ (remainder > threshold ? 1 : 0)
  }

  /// Left shift on the bit pattern (wrapping), shift in 0...31:
  /// `(int32_t)((uint32_t)x << s)`.
  @inline(__always)
  package static func wrappingShiftLeft(_ x: Int32, _ shift: Int32) -> Int32 {
    Int32(bitPattern: UInt32(bitPattern: x) << UInt32(shift))
  }

  /// TFLite `MultiplyByQuantizedMultiplier(x, multiplier, shift)` with TFLite's sign convention
  /// (shift > 0 is a left shift):
  ///
  ///     left = shift > 0 ? shift : 0; right = shift > 0 ? 0 : -shift;
  ///     RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, multiplier), right)
  @inline(__always)
  package static func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
    let left = shift > 0 ? shift : 0
    let right = shift > 0 ? 0 : -shift
    return roundingDivideByPOT(saturatingRoundingDoublingHighMul(wrappingShiftLeft(x, left), multiplier), right)
  }

  /// TFLite `QuantizeMultiplier`: represents a positive real multiplier as
  /// `multiplier * 2^(shift - 31)` with `multiplier` in [2^30, 2^31) (a Q0.31 value in [0.5, 1)).
  /// Returns (0, 0) for 0. Shifts are clamped as TFLite does: below -31 the multiplier flushes to
  /// zero, above 30 it saturates.
  package static func quantizeMultiplier(_ realMultiplier: Double) -> (multiplier: Int32, shift: Int32) {
    guard realMultiplier > 0, realMultiplier.isFinite else { return (0, 0) }
    let fr = frexp(realMultiplier)
    var shift = fr.1
    var qFixed = Int64((fr.0 * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero))
    if qFixed == (Int64(1) << 31) {
      qFixed /= 2
      shift += 1
    }
    if shift < -31 {
      return (0, 0)
    }
    if shift > 30 {
      return (Int32.max, 30)
    }
    return (Int32(qFixed), Int32(shift))
  }

  /// The full TFLite int8 requantization of one accumulator:
  /// `clamp(zp + MultiplyByQuantizedMultiplier(acc, multiplier, shift), lo, hi)`
  /// (the zero-point add wraps like the NPU's int32 ALU).
  @inline(__always)
  package static func requantize(_ acc: Int32, multiplier: Int32, shift: Int32, outputZeroPoint: Int32,
                                min lo: Int32, max hi: Int32) -> Int8 {
    let scaled = multiplyByQuantizedMultiplier(acc, multiplier, shift) &+ outputZeroPoint
    return Int8(Swift.min(Swift.max(scaled, lo), hi))
  }
}
