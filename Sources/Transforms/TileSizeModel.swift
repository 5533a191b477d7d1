//===- TileSizeModel.swift - Tile sizes from a simple cache model ---------===//
//
// A tile of a band with n >= 2 members touches, for a typical access that
// depends on r of the tiled loops, about T^r elements of each array, where
// r = min(rank of the arrays, n - 1) (2 for gemm's band, 3 for heat-3d's
// time-tiled band). With A distinct arrays of e bytes, the tile's working set
// A * T^r * e should fill about half of the per-core second-level cache (the
// rest holds the neighbouring tiles' reuse):
//
//   T = clamp(floor((L2 / 2 / (A * e))^(1/r)) rounded down to 2 * vector width, 16, 128)
//
// The member that ends up innermost (stride-1) keeps T; this is a model in
// the spirit of Pluto's default sizes, not an autotuner.
//
//===----------------------------------------------------------------------===//

import Foundation
import Frontend
import ISL
import Model

public enum TileSizeModel {
  /// Sizes for each member of `band` under `options`.
  static func sizes(for band: ScheduleNode, _ cx: TransformContext) throws -> [Int] {
    let n = try band.bandMemberCount()
    switch cx.options.tileSizes {
    case .fixed(let s):
      guard let last = s.last else { return Array(repeating: 32, count: n) }
      return (0..<n).map { $0 < s.count ? s[$0] : last }
    case .auto:
      let (arrays, bytes, rank) = try footprintInputs(band, cx.scop)
      let r = max(2, min(rank, n - 1))
      return Array(repeating: size(arrays: arrays, elementBytes: bytes, footprintRank: r, options: cx.options), count: n)
    }
  }

  /// The automatic tile size for `arrays` arrays of `elementBytes` bytes.
  public static func size(arrays: Int, elementBytes: Int, footprintRank: Int = 2, options: TransformOptions) -> Int {
    let budget = Double(options.cache.l2Bytes) / 2
    let t = pow(budget / Double(max(1, arrays) * max(1, elementBytes)), 1 / Double(max(1, footprintRank)))
    let quantum = max(1, 2 * options.vectorWidth)
    let rounded = (Int(t) / quantum) * quantum
    return min(128, max(16, rounded))
  }

  /// Distinct arrays accessed below the band, their largest element size and largest rank.
  static func footprintInputs(_ band: ScheduleNode, _ scop: Scop) throws -> (Int, Int, Int) {
    let names = Swift.Set(try band.domain().sets().compactMap(\.tupleName))
    var arrays = Swift.Set<String>()
    for st in scop.statements where names.contains(st.name) {
      for a in st.accesses { arrays.insert(a.array) }
    }
    let bytes = scop.arrays.filter { arrays.contains($0.name) && !$0.dimensions.isEmpty }.map { elementBytes($0.type) }.max() ?? 8
    let count = scop.arrays.filter { arrays.contains($0.name) && !$0.dimensions.isEmpty }.count
    let rank = scop.arrays.filter { arrays.contains($0.name) }.map(\.dimensions.count).max() ?? 2
    return (max(1, count), bytes, rank)
  }

  static func elementBytes(_ t: ScalarType) -> Int {
    switch t {
    case .char, .i8: return 1
    case .i16: return 2
    case .i32, .f32: return 4
    case .i64, .f64: return 8
    }
  }
}
