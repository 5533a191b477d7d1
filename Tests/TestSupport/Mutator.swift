//===- Mutator.swift - Seeded mutation fuzzing of text inputs -------------===//
//
// A small, reproducible mutation fuzzer in the spirit of libFuzzer's
// mutators: starting from a corpus of valid inputs (the kernels and
// configuration files of the repository), each input is derived from a
// corpus entry by a few random edits: bytes flipped, inserted, deleted or
// duplicated, a chunk repeated many times (deep nesting), a token of the
// input's language inserted, a number replaced by an extreme one, a splice
// with another corpus entry. The same seed gives the same inputs.
//
// `fuzz` runs a body on each input and records what must never happen: the
// body throwing something other than the expected error type is the
// caller's business; a crash ends the process, so the input being run is
// first written to `lastInputPath` to be found after the crash; an input
// that takes longer than `slowSeconds` is reported as slow.
//
//===----------------------------------------------------------------------===//

import Foundation

public struct Mutator {
  package var rng: SplitMix64
  public let corpus: [[UInt8]]
  public let dictionary: [[UInt8]]

  public static let extremeNumbers = [
    "0", "-1", "1", "2147483647", "2147483648", "-2147483648", "9223372036854775807", "-9223372036854775808",
    "18446744073709551616", "1e308", "1e400", "-0", "0.5", "65536", "4294967296", "99999999999999999999999999",
  ]

  public init(seed: UInt64, corpus: [[UInt8]], dictionary: [String]) {
    rng = SplitMix64(seed: seed)
    self.corpus = corpus
    self.dictionary = (dictionary + Self.extremeNumbers).map { Array($0.utf8) }
  }

  /// The next input: a corpus entry with one to four edits.
  public mutating func next() -> [UInt8] {
    var input = rng.pick(corpus)
    for _ in 0..<rng.int(1...4) { mutate(&input) }
    return input
  }

  mutating func position(_ input: [UInt8]) -> Int { rng.int(0...input.count) }

  mutating func mutate(_ input: inout [UInt8]) {
    switch rng.int(0...9) {
    case 0 where !input.isEmpty:
      let i = rng.int(0...(input.count - 1))
      input[i] ^= UInt8(1 << rng.int(0...7))
    case 1:
      input.insert(UInt8(truncatingIfNeeded: rng.next()), at: position(input))
    case 2 where !input.isEmpty:
      let a = rng.int(0...(input.count - 1))
      let b = min(input.count, a + rng.int(1...32))
      input.removeSubrange(a..<b)
    case 3 where !input.isEmpty:
      let a = rng.int(0...(input.count - 1))
      let chunk = Array(input[a..<min(input.count, a + rng.int(1...16))])
      input.insert(contentsOf: chunk, at: position(input))
    case 4 where !input.isEmpty:
      let a = rng.int(0...(input.count - 1))
      let chunk = Array(input[a..<min(input.count, a + rng.int(1...4))])
      let times = rng.pick([2, 10, 300, 3000])
      input.insert(contentsOf: Array(repeating: chunk, count: times).joined(), at: position(input))
    case 5, 6:
      input.insert(contentsOf: rng.pick(dictionary), at: position(input))
    case 7:
      replaceNumber(&input)
    case 8:
      let other = rng.pick(corpus)
      guard !other.isEmpty else { return }
      let a = rng.int(0...(other.count - 1))
      let cut = position(input)
      input = Array(input[..<cut]) + Array(other[a..<min(other.count, a + rng.int(1...200))])
    default:
      let open = rng.pick(["(", "[", "{", "if n > 0 {", "for z in 0 ..< n {", "-"])
      let times = rng.pick([50, 150, 250, 5000])
      input.insert(contentsOf: Array(String(repeating: open, count: times).utf8), at: position(input))
    }
  }

  mutating func replaceNumber(_ input: inout [UInt8]) {
    let digits = input.indices.filter { input[$0] >= 48 && input[$0] <= 57 }
    guard !digits.isEmpty else { return }
    var a = rng.pick(digits), b = a
    while a > 0, input[a - 1] >= 48, input[a - 1] <= 57 { a -= 1 }
    while b < input.count, input[b] >= 48, input[b] <= 57 { b += 1 }
    input.replaceSubrange(a..<b, with: Array(rng.pick(Self.extremeNumbers).utf8))
  }

  /// What a fuzzing run did.
  public struct Report: CustomStringConvertible {
    public var executions = 0
    public var seconds = 0.0
    public var slowInputs: [[UInt8]] = []
    public var description: String {
      "\(executions) inputs in \(String(format: "%.1f", seconds)) s, \(slowInputs.count) slower than the limit"
    }
  }

  /// Runs `body` on `count` inputs; `lastInputPath` holds the input being run.
  public mutating func fuzz(count: Int, lastInputPath: String, slowSeconds: Double = 2,
                            _ body: ([UInt8]) -> Void) -> Report {
    var report = Report()
    let start = Date()
    for _ in 0..<count {
      let input = next()
      FileManager.default.createFile(atPath: lastInputPath, contents: Data(input))
      let t0 = Date()
      body(input)
      if Date().timeIntervalSince(t0) > slowSeconds { report.slowInputs.append(input) }
      report.executions += 1
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }
}
