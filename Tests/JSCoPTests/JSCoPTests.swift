// JSCoP files exported by Polly 19 (Tests/Inputs/jscop, copied from Polly's
// exports of PolyBench/C 4.2.1): read, turned into a Scop, written back;
// every malformed input rejected with its JSON key path; scheduled with the
// pluto preset and judged by properties (every dependence satisfied, one
// flat schedule per statement, all of the same length).

import PolycDependences
import PolycDriver
import PolycToolchain
import Foundation
import PolycISL
import PolycModel
import PolycScheduler
import Testing
import TestSupport

enum JSCoPFixtures {
  static let kernels = ["gemm", "2mm", "lu", "jacobi-2d", "seidel-2d", "covariance", "trisolv"]

  static func path(_ kernel: String) -> String { "\(Fixtures.root)/Tests/Inputs/jscop/\(kernel).jscop" }

  static func text(_ kernel: String) throws -> String { try String(contentsOfFile: path(kernel), encoding: .utf8) }

  static func json(_ kernel: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(try text(kernel).utf8)) as! [String: Any]
  }

  static func serialize(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
  }

  /// gemm's JSCoP with one statement edited.
  static func gemmEditing(statement index: Int, _ edit: (inout [String: Any]) -> Void) throws -> String {
    var root = try json("gemm")
    var statements = root["statements"] as! [[String: Any]]
    edit(&statements[index])
    root["statements"] = statements
    return try serialize(root)
  }

  /// gemm's JSCoP with one access relation replaced.
  static func gemmAccess(statement: Int, access: Int, relation: String) throws -> String {
    try gemmEditing(statement: statement) { s in
      var accesses = s["accesses"] as! [[String: Any]]
      accesses[access]["relation"] = relation
      s["accesses"] = accesses
    }
  }
}

@Suite struct JSCoPReadingTests {
  @Test(arguments: JSCoPFixtures.kernels)
  func readsPollyExport(kernel: String) throws {
    let file = try JSCoPFile.parse(try JSCoPFixtures.text(kernel))
    let json = try JSCoPFixtures.json(kernel)
    let statements = json["statements"] as! [[String: Any]]
    #expect(file.statements.map(\.name) == statements.map { $0["name"] as! String })
    #expect(file.statements.map(\.accesses.count) == statements.map { ($0["accesses"] as! [Any]).count })
    let scop = try file.scop()
    #expect(scop.statements.map(\.name) == file.statements.map(\.name))
    #expect(try !scop.domain.isEmpty())
    #expect(try scop.originalSchedule.map().isInjective())
  }

  @Test func scalarMemRefsAreZeroDimensionalArrays() throws {
    let scop = try JSCoPFile.parse(try JSCoPFixtures.text("gemm")).scop()
    let beta = try #require(scop.statements[0].accesses.first { $0.array == "MemRef_beta" })
    #expect(!beta.isWrite)
    #expect(beta.subscripts.isEmpty)
    let c = try #require(scop.statements[1].accesses.first { $0.array == "MemRef_C" && $0.isWrite })
    #expect(c.subscripts.count == 2)
    #expect(c.subscripts[1].mentions("i2"))
    #expect(try scop.reads.isSubset(of: try UnionMap(scop.ctx, "[ni, nj, nk] -> { Stmt_for_body3[i0, i1] -> MemRef_C[i0, i1]; Stmt_for_body3[i0, i1] -> MemRef_beta[]; Stmt_for_body11[i0, i1, i2] -> MemRef_A[i0, i1]; Stmt_for_body11[i0, i1, i2] -> MemRef_alpha[]; Stmt_for_body11[i0, i1, i2] -> MemRef_B[i1, i2]; Stmt_for_body11[i0, i1, i2] -> MemRef_C[i0, i2] }")))
  }

  @Test func typeBoundsOfTheContextAreDropped() throws {
    let scop = try JSCoPFile.parse(try JSCoPFixtures.text("jacobi-2d")).scop()
    #expect(try scop.context.isEqual(try Set(scop.ctx, "[tsteps, n] -> { : }")))
  }

  @Test(arguments: JSCoPFixtures.kernels)
  func roundTripKeepsEverythingButTheSchedule(kernel: String) throws {
    let ctx = Context()
    let file = try JSCoPFile.parse(try JSCoPFixtures.text(kernel))
    let scop = try file.scop(ctx: ctx)
    let written = try file.withSchedule(try scop.originalSchedule.map()).render()
    let again = try JSCoPFile.parse(written)
    #expect(again.statements.map(\.name) == file.statements.map(\.name))
    #expect(again.statements.map(\.domain) == file.statements.map(\.domain))
    #expect(again.statements.map(\.accesses) == file.statements.map(\.accesses))
    #expect(again.context == file.context)
    #expect(again.arrays == file.arrays)
    for (a, b) in zip(again.statements, file.statements) {
      let domain = try Set(ctx, b.domain).intersectParams(scop.context)
      let written = try Map(ctx, a.schedule).intersectDomain(domain)
      #expect(try written.isEqual(try Map(ctx, b.schedule).intersectDomain(domain)), "\(kernel) \(a.name)")
    }
    let original = try JSCoPFixtures.json(kernel)
    let rewritten = try JSONSerialization.jsonObject(with: Data(written.utf8)) as! [String: Any]
    #expect(Swift.Set(rewritten.keys) == Swift.Set(original.keys))
    #expect(rewritten["location"] as? String == original["location"] as? String)
  }
}

@Suite struct JSCoPMalformedInputTests {
  func error(_ text: String) throws -> JSCoPError {
    do {
      _ = try JSCoPFile.parse(text, file: "in.jscop")
    } catch let e as JSCoPError {
      return e
    }
    Issue.record("accepted a malformed JSCoP")
    return JSCoPError(keyPath: "", .missingKey)
  }

  @Test func notJSON() throws {
    let e = try error("schedule: [i] -> [i]")
    guard case .notJSON = e.problem else { Issue.record("\(e)"); return }
    #expect(e.description.hasPrefix("in.jscop: error: not a JSCoP file"))
    let array = try error("[1, 2]")
    guard case .notJSON = array.problem else { Issue.record("\(array)"); return }
  }

  @Test(arguments: ["context", "statements"])
  func missingTopLevelKey(key: String) throws {
    var root = try JSCoPFixtures.json("gemm")
    root[key] = nil
    let e = try error(try JSCoPFixtures.serialize(root))
    #expect(e.problem == .missingKey)
    #expect(e.keyPath == key)
    #expect(e.description == "in.jscop: \(key): error: missing key")
  }

  @Test(arguments: ["name", "domain", "schedule", "accesses"])
  func missingStatementKey(key: String) throws {
    let e = try error(try JSCoPFixtures.gemmEditing(statement: 1) { $0[key] = nil })
    #expect(e.problem == .missingKey)
    #expect(e.keyPath == "statements[1].\(key)")
  }

  @Test func missingAccessKeys() throws {
    let noKind = try error(try JSCoPFixtures.gemmEditing(statement: 0) { s in
      var accesses = s["accesses"] as! [[String: Any]]
      accesses[2]["kind"] = nil
      s["accesses"] = accesses
    })
    #expect(noKind.problem == .missingKey)
    #expect(noKind.keyPath == "statements[0].accesses[2].kind")
    let badKind = try error(try JSCoPFixtures.gemmEditing(statement: 0) { s in
      var accesses = s["accesses"] as! [[String: Any]]
      accesses[2]["kind"] = "modify"
      s["accesses"] = accesses
    })
    #expect(badKind.problem == .unknownKind("modify"))
    #expect(badKind.keyPath == "statements[0].accesses[2].kind")
  }

  @Test func wrongJSONType() throws {
    var root = try JSCoPFixtures.json("gemm")
    root["statements"] = "none"
    let e = try error(try JSCoPFixtures.serialize(root))
    #expect(e.problem == .wrongType(expected: "array"))
    #expect(e.keyPath == "statements")
  }

  @Test func islSyntaxErrorInContext() throws {
    var root = try JSCoPFixtures.json("gemm")
    root["context"] = "[ni, nj, nk] -> { : ni >= }"
    let e = try error(try JSCoPFixtures.serialize(root))
    guard case .islSyntax(let text, _) = e.problem else { Issue.record("\(e)"); return }
    #expect(text == "[ni, nj, nk] -> { : ni >= }")
    #expect(e.keyPath == "context")
  }

  @Test func contextThatIsNotAParameterSet() throws {
    var root = try JSCoPFixtures.json("gemm")
    root["context"] = "[ni] -> { [i] : 0 <= i < ni }"
    let e = try error(try JSCoPFixtures.serialize(root))
    guard case .notParameterSet = e.problem else { Issue.record("\(e)"); return }
    #expect(e.keyPath == "context")
  }

  @Test func islSyntaxErrorsInStatementStrings() throws {
    let domain = try error(try JSCoPFixtures.gemmEditing(statement: 1) { $0["domain"] = "[ni] -> { Stmt_for_body11[i0, i1, i2 : }" })
    guard case .islSyntax = domain.problem else { Issue.record("\(domain)"); return }
    #expect(domain.keyPath == "statements[1].domain")
    let schedule = try error(try JSCoPFixtures.gemmEditing(statement: 0) { $0["schedule"] = "{ Stmt_for_body3[i0, i1] -> [i0, 0, i1, 0 }" })
    guard case .islSyntax = schedule.problem else { Issue.record("\(schedule)"); return }
    #expect(schedule.keyPath == "statements[0].schedule")
    #expect(schedule.description.contains("in.jscop: statements[0].schedule: error: isl cannot read"))
    let access = try error(try JSCoPFixtures.gemmAccess(statement: 1, access: 2, relation: "{ Stmt_for_body11[i0, i1, i2] -> MemRef_B[i1, i2 }"))
    guard case .islSyntax = access.problem else { Issue.record("\(access)"); return }
    #expect(access.keyPath == "statements[1].accesses[2].relation")
  }

  @Test func mismatchedStatementNames() throws {
    let schedule = try error(try JSCoPFixtures.gemmEditing(statement: 0) { $0["schedule"] = "[ni, nj, nk] -> { Stmt_other[i0, i1] -> [i0, 0, i1, 0] }" })
    #expect(schedule.problem == .nameMismatch(found: "Stmt_other", expected: "Stmt_for_body3"))
    #expect(schedule.keyPath == "statements[0].schedule")
    let access = try error(try JSCoPFixtures.gemmAccess(statement: 1, access: 0, relation: "[ni, nj, nk] -> { Stmt_for_body3[i0, i1, i2] -> MemRef_A[i0, i1] }"))
    #expect(access.problem == .nameMismatch(found: "Stmt_for_body3", expected: "Stmt_for_body11"))
    #expect(access.keyPath == "statements[1].accesses[0].relation")
    let domain = try error(try JSCoPFixtures.gemmEditing(statement: 1) { $0["name"] = "Stmt_renamed" })
    #expect(domain.problem == .nameMismatch(found: "Stmt_for_body11", expected: "Stmt_renamed"))
    #expect(domain.keyPath == "statements[1].domain")
  }

  @Test func iteratorCountDiffersFromTheDomain() throws {
    let e = try error(try JSCoPFixtures.gemmEditing(statement: 0) { $0["schedule"] = "[ni, nj, nk] -> { Stmt_for_body3[i0] -> [i0] }" })
    #expect(e.problem == .iteratorCountMismatch(found: 1, expected: 2))
    #expect(e.keyPath == "statements[0].schedule")
  }

  @Test func accessArityDiffersFromTheArray() throws {
    let e = try error(try JSCoPFixtures.gemmAccess(statement: 1, access: 2, relation: "[ni, nj, nk] -> { Stmt_for_body11[i0, i1, i2] -> MemRef_B[i1] }"))
    #expect(e.problem == .arityMismatch(array: "MemRef_B", found: 1, expected: 2))
    #expect(e.keyPath == "statements[1].accesses[2].relation")
    #expect(e.description == "in.jscop: statements[1].accesses[2].relation: error: access to 'MemRef_B' with 1 subscript(s), but the array has 2 dimension(s) in \"arrays\"")
  }

  @Test func unknownArrayType() throws {
    var root = try JSCoPFixtures.json("gemm")
    var arrays = root["arrays"] as! [[String: Any]]
    arrays[1]["type"] = "x86_fp80"
    root["arrays"] = arrays
    let e = try error(try JSCoPFixtures.serialize(root))
    #expect(e.problem == .unknownType("x86_fp80"))
    #expect(e.keyPath == "arrays[1].type")
  }

  @Test func pipelineReportsJSCoPErrors() throws {
    let text = try JSCoPFixtures.gemmAccess(statement: 1, access: 2, relation: "[ni, nj, nk] -> { Stmt_for_body11[i0, i1, i2] -> MemRef_B[i1] }")
    do {
      _ = try Pipeline.scheduleJSCoP(text: text, path: "gemm.jscop", strategy: Strategy())
      Issue.record("accepted a malformed JSCoP")
    } catch let PolycError.jscop(e) {
      #expect(e.file == "gemm.jscop")
      #expect(e.keyPath == "statements[1].accesses[2].relation")
    }
  }
}

@Suite struct JSCoPSchedulingTests {
  /// Every flow, anti and output dependence goes forward in `schedule`.
  func satisfiesEveryDependence(_ deps: Dependences, _ schedule: UnionMap) throws -> Bool {
    let forward = try schedule.lexLessThan(schedule)
    return try deps.validity().isSubset(of: forward)
  }

  @Test(arguments: JSCoPFixtures.kernels)
  func plutoScheduleIsLegalAndFlat(kernel: String) throws {
    let ctx = Context()
    let strategy = try Strategy.load(path: Fixtures.configPath("pluto"))
    let r = try Pipeline.scheduleJSCoP(text: try JSCoPFixtures.text(kernel), strategy: strategy, ctx: ctx)
    #expect(r.file.statements.map(\.name) == r.scop.statements.map(\.name))
    var schedule = try UnionMap.empty(ctx)
    var widths: [Int] = []
    for (s, info) in zip(r.file.statements, r.scop.statements) {
      let m = try Map(ctx, s.schedule)
      #expect(m.domainTupleName == info.name)
      widths.append(try m.outputDimensionCount())
      let domain = try Set(ctx, info.domain).intersectParams(r.scop.context)
      #expect(try domain.isSubset(of: try m.domain()), "\(kernel) \(info.name): schedule not complete")
      schedule = try schedule.union(try m.toUnionMap())
    }
    #expect(Swift.Set(widths).count == 1, "\(kernel): schedule lengths \(widths)")
    schedule = try schedule.intersectDomain(r.scop.domain)
    #expect(try schedule.isInjective(), "\(kernel)")
    #expect(try satisfiesEveryDependence(r.dependences, schedule), "\(kernel)")
  }

  @Test func commandWritesTheScheduledFile() throws {
    let bin = try #require(Fixtures.polycBinary, "polyc executable not found next to the tests")
    let dir = try Fixtures.temporaryDirectory("jscop")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = "\(dir)/gemm.jscop"
    let r = try ProcessRunner.run(bin, ["jscop", JSCoPFixtures.path("gemm"), "--config", Fixtures.configPath("pluto"), "-o", out], timeout: 120)
    #expect(r.status == 0, "\(r.stderr)")
    let file = try JSCoPFile.parse(try String(contentsOfFile: out, encoding: .utf8))
    #expect(file.statements.map(\.name) == ["Stmt_for_body3", "Stmt_for_body11"])
  }

  @Test func commandRejectsMalformedFileWithKeyPath() throws {
    let bin = try #require(Fixtures.polycBinary, "polyc executable not found next to the tests")
    let dir = try Fixtures.temporaryDirectory("jscop")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let bad = "\(dir)/bad.jscop"
    try JSCoPFixtures.gemmEditing(statement: 0) { $0["domain"] = nil }.write(toFile: bad, atomically: true, encoding: .utf8)
    let r = try ProcessRunner.run(bin, ["jscop", bad, "--config", Fixtures.configPath("pluto")], timeout: 120)
    #expect(r.status == 1)
    #expect(r.stderr.contains("bad.jscop: statements[0].domain: error: missing key"), "\(r.stderr)")
    let notJSON = "\(dir)/x.jscop"
    try "not json".write(toFile: notJSON, atomically: true, encoding: .utf8)
    let r2 = try ProcessRunner.run(bin, ["jscop", notJSON], timeout: 120)
    #expect(r2.status == 1)
    #expect(r2.stderr.contains("error: not a JSCoP file"), "\(r2.stderr)")
  }
}
