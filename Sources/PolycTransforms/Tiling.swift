//===- Tiling.swift - Rectangular tiling of permutable bands --------------===//
//
// A permutable band (every live dependence distance non-negative in every
// member, see BandAnalysis) is tiled with isl_schedule_node_band_tile:
//
//   for i, for j, for k: S              for ti (step Ti), for tj, for tk:
//                               ==>       for i in tile, for j, for k: S
//
// The tile band's loops step by the tile size (isl's tile_scale_tile_loops).
// An optional second level tiles the point band again with smaller sizes.
// A band that is not permutable or too shallow, or whose tiling would not
// improve locality (TileReuse), is left alone with a note.
// When the strategy asks for a wavefront and no tile loop is parallel, the
// tile band is handed to `Wavefront`. With `tiling.diamond`, a time-skewed
// stencil band first gets diamond hyperplanes (`DiamondTiling`), so that the
// wavefront starts with a full row of tiles.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum Tiling {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band else { return node }
      return try tile(node, cx)
    }
  }

  static func tile(_ band: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    let n = try band.bandMemberCount()
    guard n >= max(1, cx.options.minTileDepth) else {
      cx.note("tiling: \(cx.describe(band)): fewer than \(cx.options.minTileDepth) members, not tiled")
      return band
    }
    let props = try cx.oracle.properties(of: band)
    guard props.permutable else {
      cx.note("tiling: \(cx.describe(band)): not permutable, not tiled")
      return band
    }
    if cx.options.tileOnlyWithReuse {
      let (worth, why) = try TileReuse.worthTiling(band, cx)
      guard worth else {
        cx.note("tiling: \(cx.describe(band)): not tiled, \(why)")
        return band
      }
    }
    var band = band
    var diamond = false
    if cx.options.diamond, props.firstParallelMember != 0, let d = try DiamondTiling.apply(band, cx) {
      band = d
      diamond = true
    }
    let untiled = try band.prefixScheduleUnionMap().flatRangeProduct(try band.bandPartialScheduleUnionMap())
    // A time-iterated band whose tile loops will all carry dependences runs as a wavefront and
    // gets the time-tiled shape; decided on the untiled band (see `someMemberHasOnlyZeroDistances`).
    var sizes = try TileSizeModel.sizes(for: band, cx)
    if case .auto = cx.options.tileSizes, n >= 3, try TileSizeModel.isTimeIterated(band, cx.scop),
       try !cx.oracle.someMemberHasOnlyZeroDistances(band) {
      sizes = try TileSizeModel.sizes(for: band, cx, timeTiled: true)
      // A diamond's two hyperplanes both advance time: equal sizes give symmetric diamonds.
      if diamond { sizes[0] = sizes[1] }
    }
    // Tiling a permutable band keeps both bands permutable: a tile loop is monotone in the loop
    // it tiles, and two instances in the same tile are as far apart in the point loop as in
    // the loop before tiling. Only their parallel members are computed.
    var tiled = try cx.annotatePermutable(try band.bandTile(sizes))
    var tileLevels = 1
    cx.note("tiling: \(cx.describe(band)): tiled \(sizes.map(String.init).joined(separator: "x"))")
    cx.tiledBands += 1
    if let second = cx.options.secondLevelSizes, !second.isEmpty {
      let s2 = (0..<n).map { $0 < second.count ? second[$0] : second[second.count - 1] }
      if zip(s2, sizes).allSatisfy({ $0 < $1 }) {
        tiled = try tiled.child(0).bandTile(s2).parent()
        tileLevels = 2
        cx.note("tiling: \(cx.describe(band)): second level \(s2.map(String.init).joined(separator: "x"))")
      } else {
        cx.note("tiling: \(cx.describe(band)): second-level sizes not smaller than the first level, skipped")
      }
    }
    if cx.options.wavefront {
      tiled = try Wavefront.apply(tiled, sizes: sizes, cx)
    }
    // The bands below the tile band get their flags once the loops above them are final (the
    // wavefront skews the tile loops).
    var point = tiled
    var marks = 0
    while try point.kind() == .mark { point = try point.child(0); marks += 1 }
    for _ in 0..<tileLevels { point = try cx.annotatePermutable(try point.child(0)) }
    try cx.registerPointBand(point, untiledLoops: untiled)
    for _ in 0..<(tileLevels + marks) { point = try point.parent() }
    return point
  }
}
