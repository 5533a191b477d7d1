//===- IslScop.swift - A Scop built from isl strings ----------------------===//
//
// Builds a `Scop` without a `.loop` source: a parameter context and, per
// statement, an iteration domain, an original schedule map and access
// relations (read or write), all as isl text. This is how a SCoP exported
// by Polly (JSCoP) enters polyc: dependences and the scheduler only need the
// isl view, so the statement bodies stay opaque.
//
// The kernel behind such a Scop is a placeholder (no source, no data sets):
// its name is the SCoP's name and its size parameters are the context's
// parameters. Statement iterators are named i0, i1, ... as in Polly; access
// subscripts are recovered from the relations when they are affine
// functions (for the scheduler's contiguity cost), otherwise left empty.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL

/// One access of a statement given as an isl relation.
public struct IslAccess: Hashable, Sendable {
  /// `[n] -> { S[i0, i1] -> A[i0, i1 + 1] }`; a scalar is a zero-dimensional array (`A[]`).
  public var relation: String
  /// A write rather than a read.
  public var isWrite: Bool
  /// An access given by its isl relation text.
  public init(relation: String, isWrite: Bool) {
    self.relation = relation
    self.isWrite = isWrite
  }
}

/// One statement given as isl strings.
public struct IslStatement: Hashable, Sendable {
  /// The tuple name used in `domain`, `schedule` and every access.
  public var name: String
  /// `[n] -> { S[i0, i1] : 0 <= i0 < n and 0 <= i1 < n }`.
  public var domain: String
  /// The original schedule map, `[n] -> { S[i0, i1] -> [i0, 0, i1] }`.
  public var schedule: String
  /// The statement's reads and writes, in any order.
  public var accesses: [IslAccess]
  /// A statement given by isl strings; nothing is parsed until the SCoP is compiled.
  public init(name: String, domain: String, schedule: String, accesses: [IslAccess]) {
    self.name = name
    self.domain = domain
    self.schedule = schedule
    self.accesses = accesses
  }
}

/// An array of a SCoP built from isl strings.
public struct IslArray: Hashable, Sendable {
  /// The name the access relations use for the array (their range tuple).
  public var name: String
  /// One size per dimension (isl or C text; the first may be `*`).
  public var sizes: [String]
  /// The element type (for C declarations).
  public var type: ScalarType
  /// An array with its sizes and element type.
  public init(name: String, sizes: [String], type: ScalarType) {
    self.name = name
    self.sizes = sizes
    self.type = type
  }
}

extension Scop {
  /// Builds the model of a SCoP given as isl strings. The original schedule
  /// is the union of the statements' schedule maps, padded with zeros to a
  /// common number of output dimensions.
  ///
  /// - Throws: `ISLError` when a string is not valid isl.
  package static func build(name: String, context: String, statements: [IslStatement], arrays: [IslArray] = [],
                           ctx: Context = Context()) throws -> Scop {
    let contextSet = try Set(ctx, context).params()
    let parameters = try contextSet.parameterNames()
    let kernel = placeholderKernel(name: name, parameters: parameters)
    var infos: [StatementInfo] = []
    var domain = try UnionSet.empty(ctx)
    var reads = try UnionMap.empty(ctx)
    var writes = try UnionMap.empty(ctx)
    for s in statements {
      let d = try Set(ctx, s.domain).intersectParams(contextSet)
      domain = try domain.union(try d.toUnionSet())
      let iterators = (0..<(try d.dimensionCount())).map { "i\($0)" }
      var accesses: [AccessInfo] = []
      for a in s.accesses {
        let m = try Map(ctx, a.relation)
        let u = try m.intersectDomain(d).toUnionMap()
        if a.isWrite { writes = try writes.union(u) } else { reads = try reads.union(u) }
        accesses.append(AccessInfo(array: m.rangeTupleName ?? "", subscripts: try subscripts(of: m, iterators: iterators),
                                   isWrite: a.isWrite, relation: a.relation, location: .unknown))
      }
      let opaque = Expr(.name(s.name), at: .unknown)
      var info = StatementInfo(name: s.name, iterators: iterators, domain: s.domain, target: opaque, op: .assign,
                               value: opaque, accesses: accesses, location: .unknown)
      info.isOpaque = true
      infos.append(info)
    }
    let scheduleMap = try paddedScheduleMap(statements.map(\.schedule), ctx: ctx)
    let original = try Schedule.fromMap(domain: domain, map: scheduleMap)
    let arrayInfos = arrays.map { a in
      let idx = a.sizes.indices.map { "i\($0)" }.joined(separator: ", ")
      return ArrayInfo(name: a.name, type: a.type, dimensions: a.sizes.map { Expr(.name($0), at: .unknown) }, role: nil,
                       extent: "{ \(a.name)[\(idx)] }")
    }
    return Scop(ctx: ctx, kernel: kernel, statements: infos, arrays: arrayInfos, context: contextSet,
                domain: try domain.coalesce(), reads: try reads.coalesce(), writes: try writes.coalesce(),
                originalSchedule: original)
  }

  /// The union of schedule maps, each padded with zero output dimensions up
  /// to the longest (Polly and isl's flat schedules need one common length).
  package static func paddedScheduleMap(_ maps: [String], ctx: Context) throws -> UnionMap {
    let parsed = try maps.map { try Map(ctx, $0) }
    let width = try parsed.map { try $0.outputDimensionCount() }.max() ?? 0
    var result = try UnionMap.empty(ctx)
    for m in parsed {
      result = try result.union(try padded(m, to: width).toUnionMap())
    }
    return result
  }

  /// `m` with `width - outputs` zero dimensions appended to its range.
  static func padded(_ m: Map, to width: Int) throws -> Map {
    let n = try m.outputDimensionCount()
    guard n < width else { return m }
    let ys = (0..<n).map { "y\($0)" }
    let params = try m.parameterNames()
    let out = ys + Array(repeating: "0", count: width - n)
    let extend = try Map(m.ctx, "[\(params.joined(separator: ", "))] -> { [\(ys.joined(separator: ", "))] -> [\(out.joined(separator: ", "))] }")
    return try m.applyRange(extend)
  }

  /// A kernel with no source: the name and size parameters of a SCoP built from isl strings.
  static func placeholderKernel(name: String, parameters: [String]) -> CheckedKernel {
    let sizes = parameters.map { ParamDecl(name: $0, kind: .size, location: .unknown) }
    let file = SourceFile(path: "", kernelName: name, parameters: sizes, body: [], assumptions: [], datasets: [],
                          initBody: [], dumpBody: [], location: .unknown)
    return CheckedKernel(file: file, text: "", sizeParameters: parameters, scalars: [:], arrays: [:])
  }

  /// One expression per array dimension naming the iterators it depends on,
  /// or none when the relation is not an affine function.
  static func subscripts(of m: Map, iterators: [String]) throws -> [Expr] {
    guard let fs = try m.affineFunctions() else { return [] }
    return fs.map { f in
      let args = f.support.filter { $0 < iterators.count }.map { Expr(.name(iterators[$0]), at: .unknown) }
      return Expr(.call(function: "affine", arguments: args), at: .unknown)
    }
  }
}
