//===- QuantHelpers.swift - C helpers of the quantization intrinsics ------===//
//
// `sat_rdhm`, `rdiv_pot`, `shl` and `clamp` (docs/language.md, "Quantization
// intrinsics") print as calls of `static inline` helpers whose bodies are the
// exact gemmlowp/TFLite formulas of docs/npu-isa.md §4. The helpers are
// printed (guarded, like `polyc_floord`) in front of the kernel function only
// when the kernel uses one of the intrinsics, so other kernels' C is unchanged.
//
//===----------------------------------------------------------------------===//

import PolycFrontend

extension CEmitter {
  /// The names of the quantization intrinsics.
  static let quantIntrinsics: Swift.Set<String> = ["sat_rdhm", "rdiv_pot", "shl", "clamp"]

  static let quantHelpers = """
    #ifndef POLYC_QUANT_HELPERS
    #define POLYC_QUANT_HELPERS
    #include <stdint.h>
    /* gemmlowp SaturatingRoundingDoublingHighMul */
    static inline int polyc_sat_rdhm(int a, int b)
    {
      if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
      int64_t ab = (int64_t)a * (int64_t)b;
      int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
      return (int32_t)((ab + nudge) / (1LL << 31));
    }
    /* gemmlowp RoundingDivideByPOT, 0 <= e <= 31 */
    static inline int polyc_rdiv_pot(int x, int e)
    {
      int32_t mask = (int32_t)((1LL << e) - 1);
      int32_t remainder = x & mask;
      int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
      return (x >> e) + (remainder > threshold ? 1 : 0);
    }
    /* wrapping left shift on the bit pattern, 0 <= s <= 31 */
    static inline int polyc_shl(int x, int s) { return (int32_t)((uint32_t)x << s); }
    static inline int polyc_clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }
    #endif

    """

  /// `quantHelpers` when the kernel (body, `init` or `dump`) calls an intrinsic, else "".
  static func intrinsicHelpers(_ k: CheckedKernel) -> String {
    usesQuantIntrinsics(k.file.body + k.file.initBody + k.file.dumpBody) ? quantHelpers : ""
  }

  static func usesQuantIntrinsics(_ stmts: [Stmt]) -> Bool {
    func expr(_ e: Expr) -> Bool {
      switch e.kind {
      case .intLiteral, .floatLiteral, .name: return false
      case .access(_, let subs): return subs.contains(where: expr)
      case .unary(_, let a), .cast(_, let a): return expr(a)
      case .binary(_, let a, let b): return expr(a) || expr(b)
      case .ternary(let c, let a, let b): return expr(c) || expr(a) || expr(b)
      case .call(let f, let args): return quantIntrinsics.contains(f) || args.contains(where: expr)
      }
    }
    return stmts.contains { s in
      switch s.kind {
      case .assign(_, let t, _, let v): return expr(t) || expr(v)
      case .forLoop(let l): return expr(l.lower) || expr(l.upper) || usesQuantIntrinsics(l.body)
      case .ifStmt(let c, let t, let e): return expr(c) || usesQuantIntrinsics(t) || usesQuantIntrinsics(e ?? [])
      case .varDecl(_, _, let dims, let initial): return dims.contains(where: expr) || (initial.map(expr) ?? false)
      case .dumpPrint(let e): return expr(e)
      default: return false
      }
    }
  }
}
