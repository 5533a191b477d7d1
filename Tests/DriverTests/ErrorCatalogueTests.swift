// The error catalogue: bad input of every kind given to the polyc executable,
// each with its exact first line of output (file, line and column or key
// path, message) and its exit status: 1 for a user error, 64 for a
// command-line usage error (as swift-argument-parser does).

import PolycDriver
import PolycToolchain
import Foundation
import Testing
import TestSupport

@Suite struct ErrorCatalogueTests {
  struct Case: CustomStringConvertible, Sendable {
    var name: String
    /// The file written as `input.loop` or `input.json` (nil: none).
    var file: String?
    var isStrategy = false
    var arguments: [String]
    var status: Int32
    var firstLine: String
    var description: String { name }
  }

  static let header = "kernel k(n, A: inout f64[n]) {\n"
  static let tail = "}\nassume n >= 2\ndataset SMALL: n = 10\n"

  static let cases: [Case] = [
    Case(name: "syntax", file: header + "  for i in 0 ..< n { A[i] = }\n" + tail, arguments: ["$F"], status: 1,
         firstLine: "$F:2:29: error: expected an expression, found '}'"),
    Case(name: "non-affine subscript", file: header + "  for i in 0 ..< n { A[i * i] = 1.0 }\n" + tail, arguments: ["$F"], status: 1,
         firstLine: "$F:2:22: error: subscript is not affine: 'A[i * i]'"),
    Case(name: "undeclared name", file: header + "  for i in 0 ..< n { A[i] = x }\n" + tail, arguments: ["$F"], status: 1,
         firstLine: "$F:2:29: error: use of undeclared name 'x'"),
    Case(name: "type", file: header + "  for i in 0 ..< n { A[i] = f64(i) % 2 }\n" + tail, arguments: ["$F"], status: 1,
         firstLine: "$F:2:36: error: '%' requires integer operands, found 'f64'"),
    Case(name: "dataset violates assume", file: header + "  A[0] = 1.0\n}\nassume n >= 20\ndataset SMALL: n = 10\n",
         arguments: ["$F"], status: 1, firstLine: "$F:5:9: error: dataset 'SMALL' violates the assumption 'n >= 20'"),
    Case(name: "constant overflow", file: header + "  for i in 0 ..< 2147483647 + 1 { A[0] = 1.0 }\n" + tail, arguments: ["$F"], status: 1,
         firstLine: "$F:2:18: error: integer constant expression overflows C int (-2147483648 ... 2147483647): '2147483647 + 1'"),
    Case(name: "deep parentheses", file: header + "  A[0] = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "\n" + tail,
         arguments: ["$F"], status: 1, firstLine: "$F:2:210: error: expression nesting too deep (more than 200 levels)"),
    Case(name: "directory", file: nil, arguments: ["/tmp"], status: 1, firstLine: "/tmp: error: cannot read file: is a directory"),
    Case(name: "missing file", file: nil, arguments: ["/nonexistent/k.loop"], status: 1,
         firstLine: "/nonexistent/k.loop: error: cannot read file: no such file"),
    Case(name: "strategy duplicate key", file: "{ \"version\": 1,\n  \"version\": 1 }\n", isStrategy: true,
         arguments: ["$K", "--config", "$F"], status: 1, firstLine: "$F:2:3: error: version: duplicate key (first at line 1)"),
    Case(name: "strategy syntax", file: "{\n  \"version\": 1\n  \"name\": \"x\" }\n", isStrategy: true,
         arguments: ["$K", "--config", "$F"], status: 1, firstLine: "$F:3:3: error: not valid JSON: expected ',' or '}', found '\"'"),
    Case(name: "strategy range", file: "{ \"version\": 1, \"defaultDimension\": { \"maxCoefficient\": 9223372036854775807 } }", isStrategy: true,
         arguments: ["$K", "--config", "$F"], status: 1,
         firstLine: "$F: error: defaultDimension.maxCoefficient: must be at most 1000, not 9223372036854775807"),
    Case(name: "strategy unknown key", file: "{ \"version\": 1, \"tilling\": {} }", isStrategy: true,
         arguments: ["$K", "--config", "$F"], status: 1, firstLine: "$F: error: tilling: unknown key (did you mean 'tiling'?)"),
    Case(name: "dependence budget", file: "{ \"version\": 1, \"budget\": { \"dependenceOperations\": 1000 } }", isStrategy: true,
         arguments: ["$K", "--config", "$F"], status: 1,
         firstLine: "error: kernel 'gemm': dependence analysis exceeded its budget of 1000 isl operations (strategy key budget.dependenceOperations; the loop nest is too deep or too irregular)"),
    Case(name: "unknown emit kind", file: nil, arguments: ["$K", "--emit", "pdf"], status: 64, firstLine: "Error: The value 'pdf' is invalid for '--emit <emit>'. Please provide one of the following:"),
    Case(name: "bench negative timeout", file: nil, arguments: ["bench", "--timeout=-1"], status: 64,
         firstLine: "Error: --timeout must be a positive finite number of seconds, not '-1.0'"),
  ]

  @Test(arguments: cases)
  func reportsTheExactMessageAndStatus(_ c: Case) throws {
    let polyc = try #require(Fixtures.polycBinary)
    let dir = try Fixtures.temporaryDirectory("catalogue")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/input.\(c.isStrategy ? "json" : "loop")"
    if let text = c.file { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    let substitute = { (s: String) in
      s.replacingOccurrences(of: "$F", with: path).replacingOccurrences(of: "$K", with: Fixtures.kernelPath("gemm"))
    }
    let r = try ProcessRunner.run(polyc, c.arguments.map(substitute), timeout: 120)
    #expect(r.status == c.status, "\(c.name): status \(r.status)\n\(r.stderr)")
    let first = r.stderr.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
    #expect(first == substitute(c.firstLine), "\(c.name)")
  }
}
