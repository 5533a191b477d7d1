// `for i in reverse lo ..< hi step k`: the forward loop's values, descending,
// in the kernel body (scheduled by isl's AST generator) and in host code.

import PolycDriver
import Foundation
import Testing
import TestSupport

@Suite struct ReverseStepTests {
  /// `order[i]` is the rank at which iteration `i` ran (1 = first); the dump
  /// also prints the host loop's visiting order.
  static let source = """
    kernel rstep(n, order: inout i32[n]) {
      var count: i32
      count = 0
      for i in reverse 0 ..< n step 3 {
        count = count + 1
        order[i] = count
      }
      for i in reverse 1 ... n - 1 step 4 { order[i] = order[i] + 100 }
    }

    assume n >= 1

    dataset SMALL: n = 10
    dataset MEDIUM: n = 11

    init {
      for i in 0 ..< n { order[i] = 0 }
    }

    dump {
      begin "order"
      for i in 0 ..< n { print order[i] }
      newline
      for i in reverse 2 ..< n step 4 { print i }
      for i in reverse 5 ..< 5 step 2 { print i }
      end "order"
    }
    """

  static let expected: [String: String] = [
    "SMALL": "4 100 0 3 0 100 2 0 0 101 \n6 2 ",
    "MEDIUM": "4 100 0 3 0 100 2 0 0 101 0 \n10 6 2 ",
  ]

  @Test(arguments: ["identity", "pluto", "cpu"], ["SMALL", "MEDIUM"])
  func runsTheForwardValuesDescending(strategy: String, dataset: String) throws {
    let dir = try Fixtures.temporaryDirectory("rstep")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/rstep.loop"
    try Self.source.write(toFile: path, atomically: true, encoding: .utf8)
    let dump = try Fixtures.runProgram(path: path, strategy: strategy, dataset: dataset).dump
    #expect(dump.contains("begin dump: order" + Self.expected[dataset]!), "\(dump)")
  }
}
