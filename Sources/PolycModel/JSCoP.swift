//===- JSCoP.swift - Polly's JSON SCoP exchange format --------------------===//
//
// Reads and writes Polly's JSCoP (`-polly-export-jscop`, `-polly-import-jscop`,
// polly/lib/Exchange/JSONExporter.cpp): a context, the arrays (array-kind
// MemRefs with their sizes; scalars are not listed) and, in Polly's
// statement order, each statement's name, domain, flat schedule map and
// accesses (kind read or write, relation). Scalar MemRefs are
// zero-dimensional arrays (`MemRef_beta[]`).
//
// Reading checks every key and every isl string and reports the JSON key
// path (`statements[1].accesses[2].relation`). Writing back replaces only
// the statements' "schedule" strings: Polly matches statements by position,
// so the statements, their order, names and accesses are kept as read, and
// every schedule has the same number of output dimensions (zero padded), as
// Polly's importer requires.
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycFrontend
import PolycISL

/// A JSCoP file that cannot be used, with the JSON key path of the problem.
public struct JSCoPError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What is wrong at the key path.
  public enum Problem: Equatable, Sendable {
    /// The file is not a JSON object.
    case notJSON(String)
    /// A required key is absent.
    case missingKey
    /// A value of the wrong JSON type (expected: "string", "array", ...).
    case wrongType(expected: String)
    /// isl could not read the string.
    case islSyntax(text: String, message: String)
    /// The context is not a parameter set.
    case notParameterSet(String)
    /// A domain, schedule or access whose statement tuple is not the statement's name.
    case nameMismatch(found: String, expected: String)
    /// A schedule or access over a different number of iterators than the domain.
    case iteratorCountMismatch(found: Int, expected: Int)
    /// An access whose number of subscripts differs from its array's sizes.
    case arityMismatch(array: String, found: Int, expected: Int)
    /// An access kind other than read or write.
    case unknownKind(String)
    /// An array element type polyc does not know.
    case unknownType(String)
    /// A schedule written back for a statement that the schedule does not cover.
    case noSchedule
    /// A statement `--emit jscop` cannot express as Polly's accesses.
    case notExportable(String)
    /// Strings isl reads one by one but cannot combine into a model (e.g. a
    /// schedule that is not a function, a relation with an empty space).
    case notModelled(String)
  }

  /// The file, when known.
  public var file: String?
  /// `statements[1].accesses[2].relation`; empty for the whole file.
  public var keyPath: String
  /// What is wrong.
  public var problem: Problem

  /// An error at `keyPath` of `file`.
  public init(file: String? = nil, keyPath: String, _ problem: Problem) {
    self.file = file
    self.keyPath = keyPath
    self.problem = problem
  }

  /// The problem in words, without the file or key path.
  public var message: String {
    switch problem {
    case .notJSON(let m): return "not a JSCoP file (a JSON object): \(m)"
    case .missingKey: return "missing key"
    case .wrongType(let t): return "expected a JSON \(t)"
    case .islSyntax(let text, let m): return "isl cannot read '\(text)': \(m)"
    case .notParameterSet(let t): return "the context must be a parameter set (`[n] -> { : ... }`), got '\(t)'"
    case .nameMismatch(let found, let expected): return "tuple name '\(found)' differs from the statement name '\(expected)'"
    case .iteratorCountMismatch(let found, let expected):
      return "\(found) iterator(s), but the statement's domain has \(expected)"
    case .arityMismatch(let a, let found, let expected):
      return "access to '\(a)' with \(found) subscript(s), but the array has \(expected) dimension(s) in \"arrays\""
    case .unknownKind(let k): return "access kind '\(k)' (expected read or write)"
    case .unknownType(let t): return "array element type '\(t)' (expected double, float, i8, i16, i32 or i64)"
    case .noSchedule: return "the new schedule does not cover this statement"
    case .notExportable(let m): return m
    case .notModelled(let m): return "isl cannot build the polyhedral model: \(m)"
    }
  }

  /// `file: keyPath: error: message`, as the CLI prints it.
  public var description: String {
    let place = [file, keyPath.isEmpty ? nil : keyPath].compactMap { $0 }.joined(separator: ": ")
    return (place.isEmpty ? "" : place + ": ") + "error: " + message
  }
}

/// A JSCoP file, checked: the isl strings it holds and the JSON it came from.
public struct JSCoPFile {
  /// The SCoP's name (Polly: the region, `%entry.split---%for.end34`).
  public var name: String
  /// The parameter context (isl set text, `[n] -> { : n >= 1 }`).
  public var context: String
  /// The arrays, with their sizes and element types.
  public var arrays: [IslArray]
  /// The statements: domain, original schedule and accesses as isl strings.
  public var statements: [IslStatement]
  /// The whole JSON object as read (kept for writing back).
  var root: [String: Any]

  /// Reads and checks a JSCoP text; `file` only names it in errors.
  public static func parse(_ text: String, file: String? = nil) throws -> JSCoPFile {
    do {
      return try JSCoPReader(ctx: Context()).read(text)
    } catch var e as JSCoPError {
      e.file = file
      throw e
    }
  }

  /// The polyhedral model of the SCoP. Polly's context bounds each
  /// parameter by its integer type (`-2147483648 <= n <= 2147483647`); those
  /// bounds are dropped (a schedule legal for any parameter value is legal
  /// for those), other constraints are kept.
  package func scop(ctx: Context = Context()) throws -> Scop {
    do {
      return try Scop.build(name: name, context: try Self.withoutTypeBounds(context, ctx: ctx), statements: statements,
                            arrays: arrays, ctx: ctx)
    } catch let e as ISLError {
      throw JSCoPError(keyPath: "statements", .notModelled(e.message))
    }
  }

  /// `context` without the constraints implied by 32-bit parameter ranges.
  static func withoutTypeBounds(_ context: String, ctx: Context) throws -> String {
    let set = try Set(ctx, context)
    let names = try set.parameterNames()
    guard !names.isEmpty else { return context }
    let bounds = names.map { "-2147483648 <= \($0) <= 2147483647" }.joined(separator: " and ")
    let box = try Set(ctx, "[\(names.joined(separator: ", "))] -> { : \(bounds) }")
    return try set.gist(box).description
  }

  /// The file with each statement's "schedule" replaced by its part of
  /// `schedule` (a flat map of the same statements), every map with the same
  /// number of output dimensions, simplified under the statement's domain
  /// (`{ S[i0, i1] -> [i1, i0] }`, as Polly writes schedules).
  package func withSchedule(_ schedule: UnionMap) throws -> JSCoPFile {
    var maps: [String] = []
    for (i, s) in statements.enumerated() {
      let own = try schedule.maps().first { $0.domainTupleName == s.name }
      guard let own else { throw JSCoPError(keyPath: "statements[\(i)].schedule", .noSchedule) }
      maps.append(own.description)
    }
    let padded = try Scop.paddedScheduleMap(maps, ctx: schedule.ctx).maps()
    var copy = self
    var list = root["statements"] as? [Any] ?? []
    for (i, s) in statements.enumerated() {
      guard let m = padded.first(where: { $0.domainTupleName == s.name }), var object = list[i] as? [String: Any] else { continue }
      let text = try m.gistDomain(try Set(schedule.ctx, s.domain)).coalesce().description
      object["schedule"] = text
      list[i] = object
      copy.statements[i].schedule = text
    }
    copy.root["statements"] = list
    return copy
  }

  /// The JSON text, in Polly's layout (sorted keys, as Polly writes them).
  public func render() throws -> String {
    let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

/// Walks the JSON object of a JSCoP file and checks it with isl.
struct JSCoPReader {
  let ctx: Context

  func read(_ text: String) throws -> JSCoPFile {
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(text.utf8))
    } catch {
      throw JSCoPError(keyPath: "", .notJSON(Self.jsonMessage(error)))
    }
    guard let root = json as? [String: Any] else { throw JSCoPError(keyPath: "", .notJSON("the top level is not an object")) }
    let name = try optionalString(root, "name", path: "") ?? "scop"
    let contextText = try string(root, "context", path: "")
    let context = try set(contextText, path: "context")
    guard try context.dimensionCount() == 0 else {
      throw JSCoPError(keyPath: "context", .notParameterSet(contextText))
    }
    let arrays = try readArrays(root)
    let arity = Dictionary(arrays.map { ($0.name, $0.sizes.count) }, uniquingKeysWith: { a, _ in a })
    let list = try array(root, "statements", path: "")
    var statements: [IslStatement] = []
    for (i, item) in list.enumerated() {
      let path = "statements[\(i)]"
      guard let object = item as? [String: Any] else { throw JSCoPError(keyPath: path, .wrongType(expected: "object")) }
      statements.append(try readStatement(object, path: path, arity: arity))
    }
    return JSCoPFile(name: name, context: contextText, arrays: arrays, statements: statements, root: root)
  }

  func readArrays(_ root: [String: Any]) throws -> [IslArray] {
    guard root["arrays"] != nil else { return [] }
    var result: [IslArray] = []
    for (i, item) in try array(root, "arrays", path: "").enumerated() {
      let path = "arrays[\(i)]"
      guard let object = item as? [String: Any] else { throw JSCoPError(keyPath: path, .wrongType(expected: "object")) }
      let name = try string(object, "name", path: path)
      let sizes = try array(object, "sizes", path: path).enumerated().map { j, s -> String in
        guard let s = s as? String else { throw JSCoPError(keyPath: "\(path).sizes[\(j)]", .wrongType(expected: "string")) }
        return s
      }
      let typeText = try string(object, "type", path: path)
      guard let type = Self.scalarType(typeText) else { throw JSCoPError(keyPath: "\(path).type", .unknownType(typeText)) }
      result.append(IslArray(name: name, sizes: sizes, type: type))
    }
    return result
  }

  func readStatement(_ object: [String: Any], path: String, arity: [String: Int]) throws -> IslStatement {
    let name = try string(object, "name", path: path)
    let domainText = try string(object, "domain", path: path)
    let domain = try set(domainText, path: "\(path).domain")
    try expectName(domain.tupleName, name, path: "\(path).domain")
    let dims = try domain.dimensionCount()
    let scheduleText = try string(object, "schedule", path: path)
    let schedule = try map(scheduleText, path: "\(path).schedule")
    try expectName(schedule.domainTupleName, name, path: "\(path).schedule")
    try expectCount(try schedule.inputDimensionCount(), dims, path: "\(path).schedule")
    var accesses: [IslAccess] = []
    for (j, item) in try array(object, "accesses", path: path).enumerated() {
      let apath = "\(path).accesses[\(j)]"
      guard let a = item as? [String: Any] else { throw JSCoPError(keyPath: apath, .wrongType(expected: "object")) }
      let kind = try string(a, "kind", path: apath)
      guard kind == "read" || kind == "write" else { throw JSCoPError(keyPath: "\(apath).kind", .unknownKind(kind)) }
      let relationText = try string(a, "relation", path: apath)
      let relation = try map(relationText, path: "\(apath).relation")
      try expectName(relation.domainTupleName, name, path: "\(apath).relation")
      try expectCount(try relation.inputDimensionCount(), dims, path: "\(apath).relation")
      let target = relation.rangeTupleName ?? ""
      let subscripts = try relation.outputDimensionCount()
      if let expected = arity[target], expected != subscripts {
        throw JSCoPError(keyPath: "\(apath).relation", .arityMismatch(array: target, found: subscripts, expected: expected))
      }
      accesses.append(IslAccess(relation: relationText, isWrite: kind == "write"))
    }
    return IslStatement(name: name, domain: domainText, schedule: scheduleText, accesses: accesses)
  }

  // MARK: Typed values and isl strings

  func value(_ object: [String: Any], _ key: String, path: String) throws -> Any {
    guard let v = object[key] else { throw JSCoPError(keyPath: Self.join(path, key), .missingKey) }
    return v
  }

  func string(_ object: [String: Any], _ key: String, path: String) throws -> String {
    guard let s = try value(object, key, path: path) as? String else {
      throw JSCoPError(keyPath: Self.join(path, key), .wrongType(expected: "string"))
    }
    return s
  }

  func optionalString(_ object: [String: Any], _ key: String, path: String) throws -> String? {
    guard object[key] != nil else { return nil }
    return try string(object, key, path: path)
  }

  func array(_ object: [String: Any], _ key: String, path: String) throws -> [Any] {
    guard let a = try value(object, key, path: path) as? [Any] else {
      throw JSCoPError(keyPath: Self.join(path, key), .wrongType(expected: "array"))
    }
    return a
  }

  func set(_ text: String, path: String) throws -> Set {
    do { return try Set(ctx, text) } catch let e as ISLError {
      throw JSCoPError(keyPath: path, .islSyntax(text: text, message: Self.islMessage(e)))
    }
  }

  func map(_ text: String, path: String) throws -> Map {
    do { return try Map(ctx, text) } catch let e as ISLError {
      throw JSCoPError(keyPath: path, .islSyntax(text: text, message: Self.islMessage(e)))
    }
  }

  func expectName(_ found: String?, _ expected: String, path: String) throws {
    guard found == expected else { throw JSCoPError(keyPath: path, .nameMismatch(found: found ?? "", expected: expected)) }
  }

  func expectCount(_ found: Int, _ expected: Int, path: String) throws {
    guard found == expected else { throw JSCoPError(keyPath: path, .iteratorCountMismatch(found: found, expected: expected)) }
  }

  static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  static func islMessage(_ e: ISLError) -> String {
    e.message.isEmpty ? "syntax error" : e.message
  }

  static func jsonMessage(_ error: Error) -> String {
    let ns = error as NSError
    return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
  }

  /// Polly's LLVM type names (and C's) as polyc's scalar types.
  static func scalarType(_ text: String) -> ScalarType? {
    switch text {
    case "double": return .f64
    case "float": return .f32
    case "i8": return .i8
    case "i16": return .i16
    case "i32": return .i32
    case "i64": return .i64
    default: return nil
    }
  }
}

/// `--emit jscop`: a scheduled kernel as Polly would export it.
package enum JSCoP {
  /// The JSCoP of a scheduled kernel, in the layout Polly's importer reads:
  /// the context; per statement (source order) its name, domain, the flat map
  /// of `schedule` (the same number of output dimensions for every
  /// statement, simplified under the domain) and its accesses with Polly's names (`MemRef_A`), in the
  /// order clang evaluates them (operand loads, the target's load for a
  /// compound assignment, then the store), scalar parameters as read-only
  /// zero-dimensional MemRefs (`MemRef_beta[]`) at the operation that uses
  /// them. There is no "arrays" key: Polly's array sizes are LLVM
  /// expressions polyc cannot spell, and Polly keeps its own when it is absent.
  ///
  /// Polly matches statements and accesses by position with its own SCoP of
  /// the C code; the file imports when Polly's statements and accesses are
  /// polyc's (kernels without kernel-local scalars, which Polly models as SSA
  /// values). `polyc jscop`, which rewrites Polly's own export, is the exact path.
  package static func export(_ scop: Scop, schedule: Schedule) throws -> String {
    let map = try schedule.map()
    var maps: [String] = []
    for s in scop.statements {
      let domain = try Set(scop.ctx, s.domain).intersectParams(scop.context).coalesce()
      let own = try map.intersectDomain(try domain.toUnionSet()).coalesce()
      guard let m = try own.maps().first else { continue }
      maps.append(m.description)
    }
    let padded = try Scop.paddedScheduleMap(maps, ctx: scop.ctx).maps()
    var statements: [[String: Any]] = []
    for s in scop.statements {
      let domain = try Set(scop.ctx, s.domain).intersectParams(scop.context).coalesce()
      let accesses = try PollyAccessOrder(scop: scop, statement: s).accesses().map { ["kind": $0.isWrite ? "write" : "read", "relation": $0.relation] }
      statements.append([
        "name": s.name,
        "domain": domain.description,
        "schedule": try padded.first { $0.domainTupleName == s.name }?.gistDomain(domain).coalesce().description ?? "",
        "accesses": accesses,
      ])
    }
    let root: [String: Any] = [
      "name": "kernel_\(scop.kernel.name)",
      "context": scop.context.description,
      "statements": statements,
    ]
    let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

/// The accesses of one statement as Polly lists them: clang's evaluation
/// order of the statement, `MemRef_` names, scalar parameters read at the
/// operation that uses them (once per statement).
struct PollyAccessOrder {
  let scop: Scop
  let statement: StatementInfo

  var tuple: String { "\(statement.name)[\(statement.iterators.map(IslNames.name).joined(separator: ", "))]" }

  func accesses() throws -> [IslAccess] {
    guard statement.location != .unknown else {
      return statement.accesses.map { IslAccess(relation: $0.relation, isWrite: $0.isWrite) }
    }
    var out = try loads(statement.value)
    if statement.op != .assign {
      out += try loads(statement.target)
      out += parameterReads([statement.value])
    } else {
      out += parameterReads([statement.value])
    }
    out.append(try memRef(statement.target, isWrite: true))
    var seen = Swift.Set<String>()
    return out.filter { $0.isWrite || !$0.relation.hasSuffix("[] }") || seen.insert($0.relation).inserted }
  }

  func loads(_ e: Expr) throws -> [IslAccess] {
    switch e.kind {
    case .access: return [try memRef(e, isWrite: false)]
    case .name(let n):
      if let s = scop.kernel.scalars[n], !s.isParameter { return [try memRef(e, isWrite: false)] }
      return []
    case .intLiteral, .floatLiteral: return []
    case .unary(_, let a), .cast(_, let a): return try loads(a) + parameterReads([a])
    case .binary(_, let a, let b): return try loads(a) + loads(b) + parameterReads([a, b])
    case .ternary(let c, let a, let b): return try loads(c) + loads(a) + loads(b) + parameterReads([c, a, b])
    case .call(_, let args): return try args.flatMap { try loads($0) } + parameterReads(args)
    }
  }

  /// Reads of the scalar parameters among `operands` (direct operands of one operation).
  func parameterReads(_ operands: [Expr]) -> [IslAccess] {
    operands.compactMap { e in
      guard case .name(let n) = e.kind, let s = scop.kernel.scalars[n], s.isParameter else { return nil }
      return IslAccess(relation: scop.parameterPrefix + "{ \(tuple) -> MemRef_\(n)[] }", isWrite: false)
    }
  }

  func memRef(_ e: Expr, isWrite: Bool) throws -> IslAccess {
    let (array, subscripts): (String, [Expr])
    switch e.kind {
    case .access(let a, let subs): (array, subscripts) = (a, subs)
    case .name(let n): (array, subscripts) = (n, [])
    default: throw JSCoPError(keyPath: "statements", .notExportable("statement \(statement.name): the target is not a memory reference"))
    }
    let subs = try subscripts.map(AffineText.affine).joined(separator: ", ")
    return IslAccess(relation: scop.parameterPrefix + "{ \(tuple) -> MemRef_\(array)[\(subs)] }", isWrite: isWrite)
  }
}
