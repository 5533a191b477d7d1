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
  public var path: String
  public var keyPath: String
  public var message: String
  /// The 1-based line and column of a JSON syntax error or duplicate key.
  public var line: Int?
  public var column: Int?
  public init(path: String, keyPath: String, message: String, line: Int? = nil, column: Int? = nil) {
    self.path = path
    self.keyPath = keyPath
    self.message = message
    self.line = line
    self.column = column
  }
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
public enum CoincidenceMode: String, Sendable, CaseIterable {
  case required, preferred, off
}

public enum CoefficientSigns: String, Sendable, CaseIterable {
  case nonnegative, any
}

/// A linear constraint over named schedule coefficients, e.g. `S1.i - S1.j >= 0`:
/// `sum(coefficient * variable) + constant (>= | ==) 0`.
public struct CustomConstraint: Sendable, Equatable {
  public struct Term: Sendable, Equatable {
    public var coefficient: Int
    public var statement: String
    /// An iterator, a parameter, or `const` (the constant shift).
    public var name: String
  }
  public var text: String
  public var terms: [Term]
  public var constant: Int
  public var isEquality: Bool
  /// Where it was written (e.g. `dimensions[0].constraints[1]`).
  public var keyPath: String
}

/// The configuration of one schedule dimension (one ILP).
public struct DimensionConfig: Sendable, Equatable {
  /// Minimised lexicographically, in this order.
  public var costs: [CostFunction] = [.proximity]
  public var coincidence: CoincidenceMode = .off
  /// When false, each statement's row uses at most one iterator (a permutation, no skewing).
  public var skewing: Bool = true
  /// Bound on the absolute value of every iterator coefficient.
  public var maxCoefficient: Int = 4
  public var signs: CoefficientSigns = .nonnegative
  /// Allow parameter coefficients (shifts by a multiple of a size parameter).
  public var parametricShift: Bool = false
  /// Bound on the constant shift (nil: unbounded, minimised).
  public var maxShift: Int? = nil
  public var constraints: [CustomConstraint] = []
  public init() {}
}

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

public struct Directive: Sendable, Equatable {
  public var kind: DirectiveKind
  public var statement: String
  /// The iterator (all kinds but `fixed`).
  public var iterator: String?
  /// The fixed rows, outermost first (kind `fixed`), e.g. `["i", "t + j"]`.
  public var rows: [String]
  public var keyPath: String
  public var label: String { iterator.map { "\(kind.rawValue) on \(statement).\($0)" } ?? "\(kind.rawValue) on \(statement)" }
}

/// Options of isl's scheduler (backend `isl`).
public struct IslOptions: Sendable, Equatable {
  public var serializeSCCs = false
  public var outerCoincidence = false
  public var maximizeBandDepth = false
  public var wholeComponent = true
  /// -1: unbounded.
  public var maxCoefficient = -1
  public var algorithm: String = "isl"
  public init() {}
}

public enum TileSizes: Sendable, Equatable {
  /// Chosen by code generation from the band and the target.
  case auto
  /// One size per band member (the last one repeats for deeper bands).
  case fixed([Int])
}

public struct TilingConfig: Sendable, Equatable {
  public var enabled = false
  public var sizes: TileSizes = .auto
  /// Sizes of a second tiling level inside the first (nil: one level).
  public var secondLevel: [Int]? = nil
  /// Tile only permutable bands with at least this many members.
  public var minBandDepth = 2
  public init() {}
}

public struct ParallelismConfig: Sendable, Equatable {
  /// Mark the outermost parallel loop of each band `#pragma omp parallel for`.
  public var openmp = false
  /// When a tiled band has no parallel loop, skew its tile loops into a wavefront.
  public var wavefront = false
  public init() {}
}

public struct VectorizationConfig: Sendable, Equatable {
  public var enabled = false
  /// Elements per vector (hint for the innermost parallel loop).
  public var width = 4
  /// Unroll-and-jam factors of the point loops above the innermost one,
  /// second-innermost first; nil: the default ([4, 4]) when the strategy also
  /// tiles; empty: off.
  public var unrollAndJam: [Int]? = nil
  public init() {}
}

public enum TargetKind: String, Sendable, CaseIterable { case cpu, npu }

public struct TargetConfig: Sendable, Equatable {
  public var kind: TargetKind = .cpu
  /// An NPU hardware description (Configs/hw/*.json), relative to the strategy file.
  public var hardware: String? = nil
  public init() {}
}

public struct Strategy: Sendable, Equatable {
  public static let currentVersion = 1
  public var version: Int = Strategy.currentVersion
  public var name: String = "identity"
  public var description: String = ""
  public var backend: Backend = .identity
  /// Tried in order when the backend fails, runs out of budget or is illegal; identity always ends the chain.
  public var fallback: [Backend] = [.identity]
  /// isl operations allowed to one scheduling attempt (0: unlimited).
  public var maxOperations: UInt = 0
  /// isl operations allowed to the dependence analysis (0: unlimited).
  public var dependenceOperations: UInt = Dependences.defaultMaxOperations
  /// isl operations allowed to one legality check of a schedule (0: unlimited).
  public var legalityOperations: UInt = Dependences.defaultCheckOperations
  /// isl operations allowed to one CPU transform pass with its re-check (0: unlimited).
  public var transformOperations: UInt = Strategy.defaultTransformOperations
  /// isl operations allowed to one isl AST generation (0: unlimited).
  public var astOperations: UInt = Strategy.defaultASTOperations
  /// Defaults of `budget.transformOperations` and `budget.astOperations`.
  public static let defaultTransformOperations: UInt = 20_000_000
  public static let defaultASTOperations: UInt = 20_000_000
  /// Pluto's permutable bands (true) or Feautrier's one row per band (false).
  public var permutableBands = true
  /// Per-dimension configuration, outermost first; `defaultDimension` applies beyond.
  public var dimensions: [DimensionConfig] = []
  public var defaultDimension = DimensionConfig()
  public var fusion: FusionPolicy = .smart
  public var directives: [Directive] = []
  public var isl = IslOptions()
  public var tiling = TilingConfig()
  public var parallelism = ParallelismConfig()
  public var vectorization = VectorizationConfig()
  public var target = TargetConfig()
  /// When the transformed schedule has no parallel loop, no vector loop and
  /// no tiled band, use the source order instead. A reordering that enables
  /// nothing may still change locality either way (ludcmp loses 5%, symm
  /// and nussinov gain 1.4x and 1.6x), so no preset turns it on.
  public var keepSourceOrderWithoutGain = false
  /// Expand kernel-local scalars that carry values only within one loop
  /// iteration into arrays along that loop (see Model/ScalarExpansion.swift).
  public var scalarExpansion = false
  /// The file it was read from (for error messages).
  public var sourcePath: String = "<strategy>"

  public init() {}

  /// The configuration of schedule dimension `d` (0 = outermost).
  public func dimension(_ d: Int) -> DimensionConfig { d < dimensions.count ? dimensions[d] : defaultDimension }

  /// Parses a strategy document; `path` is used in error messages.
  public static func parse(_ data: Data, path: String) throws -> Strategy {
    try StrategyParser(path: path).parse(data)
  }

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
