//===- TransformOptions.swift - What the schedule-tree transforms do -------===//
//
// The knobs of the CPU transform pipeline. `TransformOptions(strategy:)` maps
// a strategy's `tiling`, `parallelism` and `vectorization` sections onto them;
// the remaining knobs (unroll-and-jam, cache model) have defaults documented
// in docs/transforms.md.
//
//===----------------------------------------------------------------------===//

import PolycScheduler

/// The cache levels the automatic tile-size model targets.
package struct CacheModel: Sendable, Equatable {
  /// Bytes of the first-level data cache of one core.
  package var l1Bytes: Int = 32 * 1024
  /// Bytes of the second-level cache of one core.
  package var l2Bytes: Int = 512 * 1024
  /// Bytes of one array element when the kernel does not say (f64).
  package var elementBytes: Int = 8
  package init() {}
}

/// The knobs of `MatmulOptimizer` (strategy key `tiling.matmul`).
package struct MatmulOptions: Sendable, Equatable {
  /// Rows (MR) and columns (NR) of C in the register tile.
  package var rows: Int
  package var columns: Int
  /// `[MC, NC, KC]`; nil: `MatmulOptimizer.cacheTiles(_:)` from the cache model.
  package var cacheTiles: [Int]?

  package init(registerTile: (Int, Int) = (8, 24), cacheTiles: [Int]? = nil) {
    rows = registerTile.0
    columns = registerTile.1
    self.cacheTiles = cacheTiles
  }
}

/// The CPU transforms applied to a legal schedule tree: band merging, tiling, parallel, vector and
/// unroll-and-jam marks. The default value is the conservative baseline with tiling, parallel
/// and vector marks off; `init(strategy:)` takes them from a strategy.
public struct TransformOptions: Sendable, Equatable {
  /// Tile sizes.
  public enum Sizes: Sendable, Equatable {
    /// Chosen by `TileSizeModel` from the band and `cache`.
    case auto
    /// One size per band member; the last one repeats for deeper bands.
    case fixed([Int])
  }

  /// Merge a band with its only child band when the merged band is permutable
  /// (turns perfectly nested single-loop bands into tileable bands).
  public var mergeNestedBands = true
  /// Tile permutable bands.
  public var tile = false
  /// The first-level tile sizes (default `auto`).
  public var tileSizes: Sizes = .auto
  /// Tile a band only when the reuse model says tiling improves locality
  /// (`TileReuse`: some reuse spans a two-dimensional or strided footprint).
  public var tileOnlyWithReuse = true
  /// Sizes of a second tiling level inside the first (nil: one level).
  public var secondLevelSizes: [Int]? = nil
  /// Tile only permutable bands with at least this many members.
  public var minTileDepth = 2
  /// Reorder the members of innermost permutable bands so that the innermost
  /// loop is parallel and stride-1 (vectorizable) when one is.
  public var intraTileReorder = true
  /// Diamond tiling of time-iterated stencil bands (`DiamondTiling`): the first two members
  /// become a skewed space hyperplane and its mirror, so that a wavefront over the tiles has
  /// concurrent start.
  public var diamond = false
  /// Mark the outermost parallel loop `parallel` (OpenMP).
  public var parallel = false
  /// Skew the two outer tile loops of a tiled band without a parallel loop.
  public var wavefront = false
  /// Wavefront only bands whose statements have at least this many loops.
  public var wavefrontMinDepth = 3
  /// Mark vectorizable innermost loops `simd`.
  public var vectorize = false
  /// Elements per vector register (hint for the tile-size model).
  public var vectorWidth = 4
  /// Distribute a fused innermost loop that carries a dependence only between
  /// statements, so each copy is parallel (vectorizable).
  public var distributeInnermost = true
  /// Unroll-and-jam factors of the loops above a vectorizable innermost loop,
  /// second-innermost first (empty: off), e.g. `[4, 2]`.
  public var unrollAndJam: [Int] = []
  /// A parallel loop must enclose at least one other loop, unless it is outermost
  /// (a one-dimensional parallel loop inside a sequential loop costs one fork/join
  /// per outer iteration for little work).
  public var requireNestedWorkInParallelLoops = true
  package var cache = CacheModel()
  /// BLIS-style tiling of matrix-multiplication statements (`MatmulOptimizer`); nil: off.
  package var matmul: MatmulOptions? = nil
  /// Code generation: declare array parameters `restrict` when a transform runs.
  public var restrictArrays = true
  /// isl operations one pass (with its legality re-check) may take (0:
  /// unlimited); past them the pass is skipped with a note.
  public var operations: UInt = Strategy.defaultTransformOperations

  /// Tiling, parallel and vector marks off; band merging, intra-tile reordering and innermost
  /// distribution on.
  public init() {}

  /// Nothing to do: the schedule is used as it is.
  public static let none = TransformOptions()

  /// Whether any transform is enabled.
  public var isEnabled: Bool { tile || parallel || vectorize || wavefront || !unrollAndJam.isEmpty || matmul != nil }

  /// The transforms a strategy asks for.
  public init(strategy: Strategy) {
    self.init()
    tile = strategy.tiling.enabled
    switch strategy.tiling.sizes {
    case .auto: tileSizes = .auto
    case .fixed(let s): tileSizes = .fixed(s)
    }
    secondLevelSizes = strategy.tiling.secondLevel
    minTileDepth = strategy.tiling.minBandDepth
    diamond = strategy.tiling.diamond
    if let l1 = strategy.tiling.l1Bytes { cache.l1Bytes = l1 }
    if let l2 = strategy.tiling.l2Bytes { cache.l2Bytes = l2 }
    if strategy.tiling.enabled && strategy.tiling.matmul.enabled {
      let m = strategy.tiling.matmul
      matmul = MatmulOptions(registerTile: (m.registerTile[0], m.registerTile[1]), cacheTiles: m.cacheTiles)
    }
    parallel = strategy.parallelism.openmp
    wavefront = strategy.parallelism.wavefront
    vectorize = strategy.vectorization.enabled
    vectorWidth = strategy.vectorization.width
    mergeNestedBands = tile
    operations = strategy.transformOperations
    if vectorize {
      unrollAndJam = strategy.vectorization.unrollAndJam ?? (tile ? TransformOptions.defaultUnrollAndJam : [])
    }
  }

  /// Unroll-and-jam applied when a strategy tiles and vectorizes.
  public static let defaultUnrollAndJam = [4, 4]

  /// Every CPU transform on, automatic tile sizes (the `cpu` preset's intent).
  public static var cpu: TransformOptions {
    var o = TransformOptions()
    o.tile = true
    o.parallel = true
    o.wavefront = true
    o.vectorize = true
    o.unrollAndJam = defaultUnrollAndJam
    return o
  }
}
