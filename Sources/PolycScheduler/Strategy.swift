//===- Strategy.swift - The JSON strategy file (typed) --------------------===//
//
// A strategy is a versioned JSON document that chooses how polyc schedules a
// kernel (PolyTOPS-style): the backend and its fallbacks, an isl operation
// budget, per-dimension ILP configuration (cost functions in lexicographic
// order, coincidence, skewing, coefficient bounds and signs, custom
// constraints), the fusion policy, per-statement directives, and the tiling,
// parallelism, vectorization and target sections that code generation reads.
// `StrategyParser` turns the JSON into these types; every error names its
// JSON key path. docs/strategies.md documents every key.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import Foundation

/// An error in a strategy file: the file, the JSON key path and what is wrong.
public struct StrategyError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The strategy file, or the name given to `Strategy.parse` (`<strategy>` for JSON built in code).
  public var path: String
  /// The JSON key path of the offending value, e.g. `dimensions[1].costs[0]`; empty for the whole document.
  public var keyPath: String
  /// What is wrong, without the file or key path.
  public var message: String
  /// The 1-based line and column of a JSON syntax error or duplicate key.
  public var line: Int?
  /// The 1-based column, with `line`.
  public var column: Int?
  /// An error at `keyPath` of the strategy `path`; `line` and `column` only for JSON syntax errors and duplicate keys.
  public init(path: String, keyPath: String, message: String, line: Int? = nil, column: Int? = nil) {
    self.path = path
    self.keyPath = keyPath
    self.message = message
    self.line = line
    self.column = column
  }
  /// `path[:line:column]: error: keyPath: message`, as the CLI prints it.
  public var description: String {
    let location = line.map { "\(path):\($0):\(column ?? 1)" } ?? path
    return keyPath.isEmpty ? "\(location): error: \(message)" : "\(location): error: \(keyPath): \(message)"
  }
}

/// Which scheduler computes the schedule.
public enum Backend: String, Codable, Sendable, CaseIterable {
  /// Our PolyTOPS-style ILP scheduler, configured by `dimensions`.
  case polytops
  /// isl's scheduler (`isl_schedule_constraints_compute_schedule`), configured by `isl`.
  case isl
  /// Our ILP scheduler with Feautrier's cost (maximal dependence satisfaction, one row per band).
  case feautrier
  /// Keep the original (textual) schedule.
  case identity
}

/// A cost function of the per-dimension ILP; a dimension minimises a list of
/// them lexicographically.
public enum CostFunction: String, Sendable, CaseIterable {
  /// Pluto's bounding function: minimise (u, w) with u.N + w >= every dependence distance.
  case proximity
  /// Keep stride-1 iterators (those in the last subscript of accesses) for the innermost dimension.
  case contiguity
  /// Prefer iterators with large trip counts in outer dimensions.
  case bigLoopsFirst
  /// Feautrier: maximise the number of dependences strongly satisfied by this dimension.
  case feautrier
  /// Minimise the number of dependences this dimension carries (parallel loops).
  case parallelism
}

/// Whether a dimension must be parallel (all remaining dependence distances zero).
///
/// `required`: the dimension must be parallel, else the band ends; `preferred`: tried with the
/// constraint, then without; `off` (the default): no constraint. JSON `coincidence`.
public enum CoincidenceMode: String, Sendable, CaseIterable {
  case required, preferred, off
}

/// The sign of iterator coefficients (JSON key `signs`): `nonnegative` (default) or `any`.
///
/// With `nonnegative`, a component that needs a negative coefficient (a reversed loop) is
/// retried with `any`, with a note.
public enum CoefficientSigns: String, Sendable, CaseIterable {
  case nonnegative, any
}

/// A linear constraint over named schedule coefficients, e.g. `S1.i - S1.j >= 0`:
/// `sum(coefficient * variable) + constant (>= | ==) 0`.
public struct CustomConstraint: Sendable, Equatable {
  /// One `coefficient * statement.name` term of a constraint.
  public struct Term: Sendable, Equatable {
    /// The integer factor (`2` in `2*S1.i`).
    public var coefficient: Int
    /// The statement whose schedule coefficient it names (`S1` in `S1.i`).
    public var statement: String
    /// An iterator, a parameter, or `const` (the constant shift).
    public var name: String
  }
  /// The constraint as written in the strategy file.
  public var text: String
  /// The terms of the left-hand side, after moving everything to one side.
  public var terms: [Term]
  /// The constant term.
  public var constant: Int
  /// `==` 0 (written `=` or `==`) rather than `>=` 0 (strict and `<=` forms are normalised).
  public var isEquality: Bool
  /// Where it was written (e.g. `dimensions[0].constraints[1]`).
  public var keyPath: String
}

/// The configuration of one schedule dimension (one ILP).
public struct DimensionConfig: Sendable, Equatable {
  /// Minimised lexicographically, in this order.
  public var costs: [CostFunction] = [.proximity]
  /// Whether the dimension must be parallel (JSON `coincidence`; default `off`).
  public var coincidence: CoincidenceMode = .off
  /// When false, each statement's row uses at most one iterator (a permutation, no skewing).
  public var skewing: Bool = true
  /// Bound on the absolute value of every iterator coefficient.
  public var maxCoefficient: Int = 4
  /// The sign of iterator coefficients (JSON `signs`; default `nonnegative`).
  public var signs: CoefficientSigns = .nonnegative
  /// Allow parameter coefficients (shifts by a multiple of a size parameter).
  public var parametricShift: Bool = false
  /// Bound on the constant shift (nil: unbounded, minimised).
  public var maxShift: Int? = nil
  /// Custom linear constraints over the dimension's schedule coefficients (JSON `constraints`;
  /// default none). A constraint applies while all its statements are scheduled together.
  public var constraints: [CustomConstraint] = []
  /// The default dimension: cost `proximity`, coincidence `off`, skewing, coefficients 0 … 4, no
  /// parametric shift, unbounded constant shift, no constraints.
  public init() {}
}

/// How statements are fused into shared loops (JSON `fusion`: a name or
/// `{ "policy": "groups", "groups": [...] }`; default `smart`).
public enum FusionPolicy: Sendable, Equatable {
  /// Fuse as much as possible; distribute only when no schedule row exists.
  case max
  /// Pluto's smartfuse: distribute strongly connected components of different dimensionality first.
  case smart
  /// As `smart`, and components of equal dimensionality are fused only when a
  /// dependence connects them (producer-consumer fusion): independent nests
  /// that merely read common data are distributed.
  case connected
  /// Distribute every strongly connected component.
  case none
  /// Explicit groups of statements, outermost order as written; each group fused as much as possible.
  case groups([[String]])

  /// The policy's name as written in a strategy file (`max`, `smart`, `connected`, `none`, `groups`).
  public var name: String {
    switch self {
    case .max: return "max"
    case .smart: return "smart"
    case .connected: return "connected"
    case .none: return "none"
    case .groups: return "groups"
    }
  }
}

/// What a per-statement directive requests (JSON `directives[i].kind`).
public enum DirectiveKind: String, Sendable, CaseIterable {
  /// The loop of this iterator carries no dependence (OpenMP parallel).
  case parallel
  /// The loop of this iterator is innermost and carries no dependence.
  case vector
  /// The loop of this iterator is never marked parallel.
  case serial
  /// The loop of this iterator is a reduction (carried only through the statement's own target).
  case reduce
  /// The statement's schedule rows are fixed affine expressions.
  case fixed
}

/// A per-statement request (JSON `directives[i]`); checked against the kernel's dependences
/// when it is compiled.
public struct Directive: Sendable, Equatable {
  /// What the directive requests.
  public var kind: DirectiveKind
  /// The statement's label in the source (`S0`, `S1`, … by default).
  public var statement: String
  /// The iterator (all kinds but `fixed`).
  public var iterator: String?
  /// The fixed rows, outermost first (kind `fixed`), e.g. `["i", "t + j"]`.
  public var rows: [String]
  /// Where it was written (e.g. `directives[0]`), for error messages.
  public var keyPath: String
  /// `kind on statement.iterator` (or `kind on statement`), as messages name the directive.
  public var label: String { iterator.map { "\(kind.rawValue) on \(statement).\($0)" } ?? "\(kind.rawValue) on \(statement)" }
}

/// Options of isl's scheduler (backend `isl`).
public struct IslOptions: Sendable, Equatable {
  /// isl's `schedule_serialize_sccs`: no fusion of strongly connected components (JSON
  /// `isl.serializeSccs`; default false).
  public var serializeSCCs = false
  /// isl's `schedule_outer_coincidence` (JSON `isl.outerCoincidence`; default false).
  public var outerCoincidence = false
  /// isl's `schedule_maximize_band_depth` (JSON `isl.maximizeBandDepth`; default false).
  public var maximizeBandDepth = false
  /// isl's `schedule_whole_component` (JSON `isl.wholeComponent`; default true).
  public var wholeComponent = true
  /// -1: unbounded.
  public var maxCoefficient = -1
  /// isl's `schedule_algorithm`: `isl` (default) or `feautrier`.
  public var algorithm: String = "isl"
  /// isl's defaults, as listed for each option.
  public init() {}
}

/// The tile sizes of `TilingConfig` (JSON `tiling.sizes`: a list of integers 1 … 2^20, or `"auto"`).
public enum TileSizes: Sendable, Equatable {
  /// Chosen by code generation from the band and the target.
  case auto
  /// One size per band member (the last one repeats for deeper bands).
  case fixed([Int])
}

/// Tiling of permutable bands by code generation (JSON `tiling`; present means enabled
/// unless `"enabled": false`).
public struct TilingConfig: Sendable, Equatable {
  /// Whether permutable bands are tiled (default false; true when the JSON section is present).
  public var enabled = false
  /// The first-level tile sizes (default `auto`).
  public var sizes: TileSizes = .auto
  /// Sizes of a second tiling level inside the first (nil: one level).
  public var secondLevel: [Int]? = nil
  /// Tile only permutable bands with at least this many members.
  public var minBandDepth = 2
  /// Diamond tiling of time-iterated stencils (`tiling.diamond`, default false): the band's
  /// time and first skewed space hyperplanes become that space hyperplane and its mirror, so
  /// that the tiles of a wavefront start concurrently (Pluto's diamond tiling).
  public var diamond = false
  /// BLIS-style tiling of matrix-multiplication statements (`tiling.matmul`).
  public var matmul = MatmulTilingConfig()
  /// L1 data cache size in bytes the tile-size models target (`tiling.cache.l1`; nil: 32 KiB).
  public var l1Bytes: Int? = nil
  /// L2 cache size in bytes the tile-size models target (`tiling.cache.l2`; nil: 512 KiB).
  public var l2Bytes: Int? = nil
  /// Tiling off, automatic sizes, one level, bands of at least two members.
  public init() {}
}

/// `tiling.matmul`: a statement `C[i][j] += A[i][k] * B[k][j]` (any loop order)
/// gets cache tiles and a register tile held in local accumulators.
public struct MatmulTilingConfig: Sendable, Equatable {
  /// Whether matrix-multiplication statements get cache and register tiles (`tiling.matmul.enabled`).
  public var enabled = false
  /// Rows and columns of C held in registers (MR x NR); NR is the vector loop.
  public var registerTile = [8, 24]
  /// `[MC, NC, KC]`: rows of A, columns of B and the depth of one cache tile; nil: from the cache sizes.
  public var cacheTiles: [Int]? = nil
  /// Off, an 8x24 register tile, cache tiles from the cache sizes.
  public init() {}
}

/// OpenMP and wavefront parallelism in code generation (JSON `parallelism`; all off by default).
public struct ParallelismConfig: Sendable, Equatable {
  /// Mark the outermost parallel loop of each band `#pragma omp parallel for`.
  public var openmp = false
  /// When a tiled band has no parallel loop, skew its tile loops into a wavefront.
  public var wavefront = false
  /// Both off.
  public init() {}
}

/// Vectorization in code generation (JSON `vectorization`; present means enabled unless
/// `"enabled": false`). Excluded by target `npu`.
public struct VectorizationConfig: Sendable, Equatable {
  /// Whether the innermost parallel loop is marked for vectorization (default false; true when the
  /// JSON section is present).
  public var enabled = false
  /// Elements per vector (hint for the innermost parallel loop).
  public var width = 4
  /// Unroll-and-jam factors of the point loops above the innermost one,
  /// second-innermost first; nil: the default ([4, 4]) when the strategy also
  /// tiles; empty: off.
  public var unrollAndJam: [Int]? = nil
  /// Vectorization off, width 4, default unroll-and-jam.
  public init() {}
}

/// The machine code is generated for (JSON `target.kind`): `cpu` (default) or `npu`.
public enum TargetKind: String, Sendable, CaseIterable { case cpu, npu }

/// The target of code generation (JSON `target`; default `{ "kind": "cpu" }`).
public struct TargetConfig: Sendable, Equatable {
  /// CPU C code (default) or an NPU program; `npu` excludes `parallelism.openmp` and `vectorization`.
  public var kind: TargetKind = .cpu
  /// An NPU hardware description (Configs/hw/*.json), relative to the strategy file.
  public var hardware: String? = nil
  /// Target `cpu`, no hardware description.
  public init() {}
}

/// How polyc schedules a kernel and what code generation does with the schedule: the typed
/// form of a strategy file (docs/strategies.md documents every key).
///
/// Build one in code (every property has the JSON key's default) or read one with `parse` or
/// `load`. The default value is the `identity` strategy: the source order, no transforms.
public struct Strategy: Sendable, Equatable {
  /// The strategy file format version this polyc reads (JSON `version`, required).
  public static let currentVersion = 1
  /// The format version (JSON `version`); always `currentVersion`.
  public var version: Int = Strategy.currentVersion
  /// Shown in `--emit schedule` and error messages (JSON `name`; default: the file name without
  /// `.json`, `identity` in code).
  public var name: String = "identity"
  /// What the strategy is for (JSON `description`; default empty).
  public var description: String = ""
  /// The scheduler (JSON `backend`; default `identity`).
  public var backend: Backend = .identity
  /// Tried in order when the backend fails, runs out of budget or is illegal; identity always ends the chain.
  public var fallback: [Backend] = [.identity]
  /// isl operations allowed to one scheduling attempt (0: unlimited).
  public var maxOperations: UInt = Strategy.defaultMaxOperations
  /// isl operations allowed to the dependence analysis (0: unlimited).
  public var dependenceOperations: UInt = Dependences.defaultMaxOperations
  /// isl operations allowed to one legality check of a schedule (0: unlimited).
  public var legalityOperations: UInt = Dependences.defaultCheckOperations
  /// isl operations allowed to one CPU transform pass with its re-check (0: unlimited).
  public var transformOperations: UInt = Strategy.defaultTransformOperations
  /// isl operations allowed to one isl AST generation (0: unlimited).
  public var astOperations: UInt = Strategy.defaultASTOperations
  /// Wall-clock seconds allowed to each budgeted isl computation (a scheduling attempt, the
  /// dependence analysis, a legality check, a transform pass, an AST generation), on top of
  /// its operation budget (JSON `budget.seconds`, 0: no limit). Past it the computation ends as
  /// if its operation budget were exhausted, with the same fallback.
  public var secondsPerComputation: UInt = Strategy.defaultSecondsPerComputation
  /// Default of `budget.seconds`: the slowest such computation on PolyBench takes 2 s in a
  /// debug build (isl's AST of correlation under the isl preset), 0.5 s in a release build.
  public static let defaultSecondsPerComputation: UInt = 20
  /// Default of `budget.maxOperations`: PolyBench's 30 kernels and Kernels/npu need at most 3
  /// million under every preset (feautrier's adi), and a random program whose ILPs grow huge
  /// coefficients spends about a second of a release build per 1.4 million pivots (seed 1058).
  public static let defaultMaxOperations: UInt = 10_000_000
  /// Default of `budget.transformOperations`.
  public static let defaultTransformOperations: UInt = 20_000_000
  /// Default of `budget.astOperations`.
  public static let defaultASTOperations: UInt = 20_000_000
  /// Pluto's permutable bands (true) or Feautrier's one row per band (false).
  public var permutableBands = true
  /// Per-dimension configuration, outermost first; `defaultDimension` applies beyond.
  public var dimensions: [DimensionConfig] = []
  /// The configuration of every dimension not listed in `dimensions` (JSON `defaultDimension`; cost
  /// `[feautrier, proximity]` for backend `feautrier`).
  public var defaultDimension = DimensionConfig()
  /// How statements are fused (JSON `fusion`; default `smart`).
  public var fusion: FusionPolicy = .smart
  /// Per-statement requests (JSON `directives`; default none; not allowed with backend `identity`).
  public var directives: [Directive] = []
  /// Options of the `isl` backend (JSON `isl`; only allowed when `isl` is the backend or a fallback).
  public var isl = IslOptions()
  /// Tiling, read by code generation (JSON `tiling`; default off).
  public var tiling = TilingConfig()
  /// OpenMP and wavefront parallelism, read by code generation (JSON `parallelism`; default off).
  public var parallelism = ParallelismConfig()
  /// Vectorization and unroll-and-jam, read by code generation (JSON `vectorization`; default off).
  public var vectorization = VectorizationConfig()
  /// The target of code generation (JSON `target`; default CPU).
  public var target = TargetConfig()
  /// When the transformed schedule has no parallel loop, no vector loop and
  /// no tiled band, use the source order instead. A reordering that enables
  /// nothing may still change locality either way (ludcmp loses 5%, symm
  /// and nussinov gain 1.4x and 1.6x), so no preset turns it on.
  public var keepSourceOrderWithoutGain = false
  /// Expand kernel-local scalars that carry values only within one loop
  /// iteration into arrays along that loop (see Model/ScalarExpansion.swift).
  public var scalarExpansion = false
  /// With `scalarExpansion`, also expand accumulators (a scalar summed in an inner loop) along
  /// all their common loops, parallel or not (JSON `"scalarExpansion": "accumulators"`).
  public var expandAccumulators = false
  /// The file it was read from (for error messages).
  public var sourcePath: String = "<strategy>"

  /// The default strategy: backend `identity` with every key at its default.
  public init() {}

  /// The configuration of schedule dimension `d` (0 = outermost).
  public func dimension(_ d: Int) -> DimensionConfig { d < dimensions.count ? dimensions[d] : defaultDimension }

  /// Parses a strategy document; `path` is used in error messages.
  public static func parse(_ data: Data, path: String) throws -> Strategy {
    try StrategyParser(path: path).parse(data)
  }

  /// Reads and parses a strategy file.
  ///
  /// - Throws: `StrategyError` when the file cannot be read (no such file, a directory, permission
  ///   denied) or is not a valid strategy.
  public static func load(path: String) throws -> Strategy {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw StrategyError(path: path, keyPath: "", message: "cannot read strategy file: is a directory")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
      throw StrategyError(path: path, keyPath: "", message: "cannot read strategy file: \(reason)")
    }
    return try parse(data, path: path)
  }

  func error(_ keyPath: String, _ message: String) -> StrategyError {
    StrategyError(path: sourcePath, keyPath: keyPath, message: message)
  }
}
