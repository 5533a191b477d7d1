//===- StrategyLimitTests.swift - Strategy files past the parser's limits -===//
//
// Numbers outside the knobs' ranges, duplicate keys and JSON syntax errors are
// errors naming the key path or the line and column, never a trap, a hang or
// a silently ignored value.
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycScheduler
import Testing

@Suite struct StrategyLimitTests {
  @Test(arguments: [
    (#"{ "version": 1, "defaultDimension": { "maxCoefficient": 9223372036854775807 } }"#, "defaultDimension.maxCoefficient",
     "must be at most 1000, not 9223372036854775807"),
    (#"{ "version": 1, "backend": "isl", "isl": { "maxCoefficient": 1001 } }"#, "isl.maxCoefficient", "must be at most 1000, not 1001"),
    (#"{ "version": 1, "dimensions": [ { "maxShift": 1000001 } ] }"#, "dimensions[0].maxShift", "must be at most 1000000, not 1000001"),
    (#"{ "version": 1, "tiling": { "sizes": [32, 4294967296] } }"#, "tiling.sizes[1]", "must be at most 1048576, not 4294967296"),
    (#"{ "version": 1, "tiling": { "sizes": [64], "secondLevel": { "sizes": [2097152] } } }"#, "tiling.secondLevel.sizes[0]",
     "must be at most 1048576, not 2097152"),
    (#"{ "version": 1, "tiling": { "minBandDepth": 33 } }"#, "tiling.minBandDepth", "must be at most 32, not 33"),
    (#"{ "version": 1, "vectorization": { "unrollAndJam": [1000000000, 2] } }"#, "vectorization.unrollAndJam[0]",
     "must be at most 16, not 1000000000"),
    (#"{ "version": 1, "vectorization": { "width": 128 } }"#, "vectorization.width", "must be at most 64, not 128"),
    (#"{ "version": 1, "budget": { "maxOperations": 9223372036854775807 } }"#, "budget.maxOperations",
     "must be at most 1000000000000, not 9223372036854775807"),
    (#"{ "version": 1, "budget": { "seconds": 86401 } }"#, "budget.seconds", "must be at most 86400, not 86401"),
    (#"{ "version": 1, "directives": [ { "kind": "fixed", "statement": "S0", "rows": ["9223372036854775807*i"] } ] }"#,
     "directives[0].rows[0]", "number too large in '9223372036854775807*i' (at most 1000000)"),
  ])
  func numbersOutsideTheirRangeNameTheKey(_ json: String, _ keyPath: String, _ message: String) {
    let e = Repo.parseError(json)
    #expect(e?.keyPath == keyPath, "\(e?.description ?? "accepted")")
    #expect(e?.message == message)
  }

  @Test func duplicateKeysAreRejectedWithTheirPathAndPosition() {
    let e = Repo.parseError("{\n  \"version\": 1,\n  \"tiling\": { \"sizes\": [32], \"enabled\": true,\n    \"sizes\": [64] }\n}\n")
    #expect(e?.keyPath == "tiling.sizes")
    #expect(e?.message == "duplicate key (first at line 3)")
    #expect(e?.line == 4 && e?.column == 5)
    #expect(e?.description == "test.json:4:5: error: tiling.sizes: duplicate key (first at line 3)")
  }

  @Test func duplicateTopLevelKeysAreRejected() {
    #expect(Repo.parseError(#"{ "version": 1, "name": "a", "name": "b" }"#)?.keyPath == "name")
  }

  @Test(arguments: [
    ("{\n  \"version\": 1,\n  \"name\": \"x\"\n  \"backend\": \"isl\"\n}", 4, 3, "not valid JSON: expected ',' or '}', found '\"'"),
    ("{ \"version\": 1, ", 1, 17, "not valid JSON: expected a key in quotes, found the end of the file"),
    ("{ \"version\": 01 }", 1, 14, "not valid JSON: invalid number"),
    ("{ \"version\": 1 } x", 1, 18, "not valid JSON: unexpected text after the JSON value"),
    ("{ \"version\": tru }", 1, 14, "not valid JSON: expected a value, found 't'"),
    ("{ \"name\": \"a\\q\" }", 1, 14, "not valid JSON: invalid escape '\\q' in a string"),
    (String(repeating: "[", count: 100_000), 1, 65, "not valid JSON: nesting too deep (more than 64 levels)"),
  ])
  func syntaxErrorsAreReportedByLineAndColumn(_ json: String, _ line: Int, _ column: Int, _ message: String) {
    let e = Repo.parseError(json)
    #expect(e?.message == message, "\(e?.description ?? "accepted")")
    #expect(e?.line == line && e?.column == column, "\(e?.description ?? "accepted")")
  }

  @Test func binaryFileIsNotUTF8() {
    let e = try? #require(Repo.parseError(String(decoding: [0x7B, 0xFF, 0xFE, 0x7D], as: UTF8.self)))
    #expect(e != nil)
    do {
      _ = try Strategy.parse(Data([0x7B, 0xFF, 0xFE, 0x7D]), path: "b.json")
      Issue.record("accepted")
    } catch let e as StrategyError {
      #expect(e.message == "not UTF-8 text (binary file?)")
    } catch { Issue.record("\(error)") }
  }

  @Test func directoryIsNotAStrategyFile() {
    #expect(throws: StrategyError(path: "/tmp", keyPath: "", message: "cannot read strategy file: is a directory")) {
      try Strategy.load(path: "/tmp")
    }
  }
}
