//===- DumpComparison.swift - Comparing PolyBench array dumps -------------===//
//
// PolyBench prints values with two decimals. A legal reordering of
// floating-point operations may move a value across a rounding boundary, so
// numbers are compared with a tolerance of one unit in the last printed digit
// (plus a relative term for large values); every other token must be equal.
//
//===----------------------------------------------------------------------===//

package struct DumpMismatch: Sendable, CustomStringConvertible {
  package var index: Int
  package var expected: String
  package var actual: String
  package var description: String { "token \(index): expected '\(expected)', got '\(actual)'" }
}

package enum DumpComparison {
  static func tokens(_ s: String) -> [Substring] { s.split(whereSeparator: { $0 == " " || $0 == "\n" }) }

  /// nil when the dumps agree, else the first difference.
  package static func compare(expected: String, actual: String, relativeTolerance: Double = 1e-9) -> DumpMismatch? {
    let e = tokens(expected), a = tokens(actual)
    for i in 0..<max(e.count, a.count) {
      guard i < e.count, i < a.count else {
        return DumpMismatch(index: i, expected: i < e.count ? String(e[i]) : "<end>", actual: i < a.count ? String(a[i]) : "<end>")
      }
      if e[i] == a[i] { continue }
      if let x = Double(e[i]), let y = Double(a[i]), e[i].contains(".") || a[i].contains(".") {
        let ulp = 0.01 + 1e-12
        if abs(x - y) <= ulp + relativeTolerance * max(abs(x), abs(y)) { continue }
      }
      return DumpMismatch(index: i, expected: String(e[i]), actual: String(a[i]))
    }
    return nil
  }
}
