//===- RandomProgram.swift - Seeded random affine programs ----------------===//
//
// A generator of valid `.loop` programs for differential testing: loop nests
// of depth 1-4 in sequence, imperfectly nested statements, triangular,
// parametric, `min`/`max`/`floordiv` bounds, `step` and `reverse`, guards,
// single-iteration and empty loops; affine subscripts with shifts,
// transposes, diagonals, skews and reversals, so that flow, anti and output
// dependences arise; scalar and array reductions, in-place stencils, local
// scalars and arrays, `int` and `f64` arrays. Each program has an `assume`,
// datasets MINI, SMALL and MEDIUM (MEDIUM's sizes 70 and 37 leave partial
// tiles), an `init` and a `dump` block, so `polyc --emit program` makes a
// runnable program of it.
//
// The same seed gives the same program on every machine: the generator
// draws from its own SplitMix64, never from Swift's random number generator.
// The program is kept as a tree (`RandomProgram.Node`) so that the
// differential tester can shrink a failing one (`RandomProgram.smaller`).
//
// In-bounds by construction: every iterator runs within [0, n) (m <= n), a
// subscript adds at most two iterators (or doubles one) to an offset in
// [1, 7], and every array dimension is `2*n + 2*m + 8`.
//
//===----------------------------------------------------------------------===//

import PolycNPU

/// Steele, Lea and Flood's SplitMix64: NPU's `DeterministicRandom`, with the
/// draws the program generator uses.
package typealias SplitMix64 = DeterministicRandom

extension DeterministicRandom {
  /// A number in `range`.
  public mutating func int(_ range: ClosedRange<Int>) -> Int { int(in: range) }

  /// True with probability `percent`/100.
  public mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

  public mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...(choices.count - 1))] }
}

public struct RandomProgram: CustomStringConvertible {
  /// An affine subscript: `sum(coefficient * iterator) + offset`, or the
  /// reversal `n - 1 - iterator + offset`.
  public struct Subscript: Equatable {
    public var terms: [(String, Int)]
    public var offset: Int
    public var reversedIn: String?

    public static func == (a: Subscript, b: Subscript) -> Bool {
      a.text == b.text
    }

    public var text: String {
      var parts: [String] = []
      if let p = reversedIn, let (it, _) = terms.first {
        return "\(p) - 1 - \(it) + \(offset)"
      }
      for (it, c) in terms { parts.append(c == 1 ? it : "\(c) * \(it)") }
      parts.append("\(offset)")
      return parts.joined(separator: " + ")
    }
  }

  public struct Access: Equatable {
    public var array: String
    public var subscripts: [Subscript]
    public var text: String { array + subscripts.map { "[\($0.text)]" }.joined() }
  }

  public enum Operand: Equatable {
    case access(Access)
    case local(String)
    case iterator(String)
  }

  public struct Statement {
    public var target: Operand
    public var op: String
    public var operands: [Operand]
    public var isInt: Bool
    /// Picks the shape of the right side (see `valueText`).
    public var shape: Int
  }

  public struct Loop {
    public var iterator: String
    public var lower: String
    public var upper: String
    public var inclusive: Bool
    public var step: Int
    public var reverse: Bool
    public var body: [Node]
  }

  public indirect enum Node {
    case loop(Loop)
    case guarded(String, [Node])
    case statement(Statement)
  }

  public struct ArrayDecl {
    public var name: String
    public var isInt: Bool
    public var rank: Int
    public var isLocal: Bool
  }

  public var seed: UInt64
  public var arrays: [ArrayDecl]
  /// Local scalars: name and whether it is `i32` (else `f64`).
  public var locals: [(String, Bool)]
  public var body: [Node]

  public static let extent = "2 * n + 2 * m + 8"

  // MARK: Generation

  public init(seed: UInt64) {
    var g = Generator(rng: SplitMix64(seed: seed))
    self = g.program(seed: seed)
  }

  init(seed: UInt64, arrays: [ArrayDecl], locals: [(String, Bool)], body: [Node]) {
    self.seed = seed
    self.arrays = arrays
    self.locals = locals
    self.body = body
  }

  struct Generator {
    var rng: SplitMix64
    var arrays: [ArrayDecl] = []
    var locals: [(String, Bool)] = []
    let iteratorNames = ["i", "j", "k", "l"]

    mutating func program(seed: UInt64) -> RandomProgram {
      let names = ["A", "B", "C", "D", "E"]
      for (index, name) in names.prefix(rng.int(2...4)).enumerated() {
        arrays.append(ArrayDecl(name: name, isInt: index > 0 && rng.chance(30), rank: rng.int(1...2), isLocal: false))
      }
      if rng.chance(30) { arrays.append(ArrayDecl(name: "T", isInt: false, rank: 1, isLocal: true)) }
      if rng.chance(50) { locals.append(("s", false)) }
      if rng.chance(25) { locals.append(("q", true)) }
      var body: [Node] = []
      for (name, isInt) in locals {
        body.append(.statement(Statement(target: .local(name), op: "=", operands: [], isInt: isInt, shape: 0)))
      }
      for a in arrays where a.isLocal {
        let clear = Statement(target: .access(Access(array: a.name, subscripts: [Subscript(terms: [("i", 1)], offset: 0)])),
                              op: "=", operands: [], isInt: a.isInt, shape: 0)
        body.append(.loop(Loop(iterator: "i", lower: "0", upper: RandomProgram.extent, inclusive: false, step: 1, reverse: false,
                               body: [.statement(clear)])))
      }
      for _ in 0..<rng.int(1...3) { body.append(.loop(nest(depth: 0, maxDepth: rng.int(1...4), outer: []))) }
      return RandomProgram(seed: seed, arrays: arrays, locals: locals, body: body)
    }

    mutating func nest(depth: Int, maxDepth: Int, outer: [String]) -> Loop {
      let it = iteratorNames[depth]
      let (lower, upper, inclusive) = bounds(outer: outer)
      var loop = Loop(iterator: it, lower: lower, upper: upper, inclusive: inclusive,
                      step: rng.chance(15) ? rng.int(2...3) : 1, reverse: rng.chance(15), body: [])
      let iterators = outer + [it]
      var body: [Node] = []
      if rng.chance(30) || depth + 1 == maxDepth { body.append(statementNode(iterators)) }
      if depth + 1 < maxDepth {
        for _ in 0..<(rng.chance(25) ? 2 : 1) {
          let inner = Node.loop(nest(depth: depth + 1, maxDepth: maxDepth, outer: iterators))
          body.append(rng.chance(15) ? .guarded(guardText(iterators), [inner]) : inner)
        }
      }
      if rng.chance(30) { body.append(statementNode(iterators)) }
      loop.body = body
      return loop
    }

    mutating func bounds(outer: [String]) -> (String, String, Bool) {
      let p = rng.pick(["n", "m"])
      if rng.chance(6) { return ("0", "1", false) }
      if rng.chance(4) { return ("3", "3", false) }
      if rng.chance(4) { return ("2", "2", true) }
      var lowers = ["0", "0", "1", "2"]
      var uppers = [p, p, "\(p) - 1", "floordiv(\(p), 2) + 1", "min(n, m)"]
      if let o = outer.last {
        lowers += [o, "max(0, \(o) - 2)", "floordiv(\(o), 2)"]
        uppers += ["\(o) + 1", "min(\(p), \(o) + 3)"]
      }
      let lower = rng.pick(lowers)
      let upper = rng.pick(uppers)
      let inclusive = rng.chance(20) && upper.hasPrefix(p) && upper.count == 1
      return (lower, inclusive ? "\(p) - 1" : upper, inclusive)
    }

    mutating func guardText(_ its: [String]) -> String {
      let i = its.last!, o = its.count > 1 ? its[its.count - 2] : "n"
      return rng.pick(["\(i) >= 1", "\(i) != 2", "\(i) <= \(o)", "2 * floordiv(\(i), 2) == \(i)", "\(i) + 1 < n && \(i) > 0",
                       "\(i) >= m || \(i) == 0"])
    }

    mutating func statementNode(_ its: [String]) -> Node {
      let s = statement(its)
      return rng.chance(15) ? .guarded(guardText(its), [.statement(s)]) : .statement(s)
    }

    mutating func subscriptFor(_ its: [String]) -> Subscript {
      let offset = rng.int(1...7)
      switch rng.int(0...9) {
      case 0: return Subscript(terms: [], offset: offset)
      case 1: return Subscript(terms: [(rng.pick(its), 2)], offset: offset)
      case 2 where its.count >= 2, 3 where its.count >= 2:
        let a = rng.pick(its)
        let b = rng.pick(its.filter { $0 != a })
        return Subscript(terms: [(a, 1), (b, 1)], offset: offset)
      case 4: return Subscript(terms: [(rng.pick(its), 1)], offset: offset, reversedIn: "n")
      default: return Subscript(terms: [(rng.pick(its), 1)], offset: offset)
      }
    }

    mutating func access(_ its: [String], isInt: Bool) -> Access? {
      let candidates = arrays.filter { $0.isInt == isInt }
      guard !candidates.isEmpty else { return nil }
      let a = rng.pick(candidates)
      let subscripts: [Subscript]
      if a.rank == 2, its.count >= 2, rng.chance(40) {
        let x = rng.pick(its), y = rng.pick(its)
        let o = rng.int(3...5)
        subscripts = rng.chance(50) ? [Subscript(terms: [(x, 1)], offset: o), Subscript(terms: [(y, 1)], offset: o)]
          : [Subscript(terms: [(y, 1)], offset: o), Subscript(terms: [(x, 1)], offset: o + rng.int(-1...1))]
      } else {
        subscripts = (0..<a.rank).map { _ in subscriptFor(its) }
      }
      return Access(array: a.name, subscripts: subscripts)
    }

    mutating func statement(_ its: [String]) -> Statement {
      let isInt = arrays.contains { $0.isInt } && rng.chance(30)
      let localChoices = locals.filter { $0.1 == isInt }.map(\.0)
      var target: Operand
      if !localChoices.isEmpty, rng.chance(20) {
        target = .local(rng.pick(localChoices))
      } else {
        target = access(its, isInt: isInt).map(Operand.access) ?? .local(localChoices.first ?? "s")
      }
      var operands: [Operand] = []
      for _ in 0..<rng.int(1...3) {
        switch rng.int(0...9) {
        case 0 where !localChoices.isEmpty: operands.append(.local(rng.pick(localChoices)))
        case 1: operands.append(.iterator(rng.pick(its)))
        default:
          if let a = access(its, isInt: isInt) { operands.append(.access(a)) }
        }
      }
      if rng.chance(20), case .access(let t) = target { operands.insert(.access(stencilNeighbour(t)), at: 0) }
      let op = rng.chance(35) ? "+=" : (rng.chance(10) && !isInt ? "*=" : "=")
      if isInt && op == "+=" {
        return Statement(target: target, op: "=", operands: [target] + operands, isInt: true, shape: 0)
      }
      return Statement(target: target, op: op, operands: operands, isInt: isInt, shape: rng.int(0...2))
    }

    /// The target's element shifted by one along its last subscript (an in-place stencil).
    mutating func stencilNeighbour(_ t: Access) -> Access {
      var n = t
      var last = n.subscripts[n.subscripts.count - 1]
      last.offset += rng.pick([-1, 1])
      n.subscripts[n.subscripts.count - 1] = last
      return n
    }
  }

  // MARK: Text

  public var description: String { source }

  func operandText(_ o: Operand) -> String {
    switch o {
    case .access(let a): return a.text
    case .local(let n): return n
    case .iterator(let i): return i
    }
  }

  /// The right side: for `f64`, sums with halving coefficients (values stay
  /// bounded and exactly representable for a while); for `int`, sums reduced
  /// modulo a prime (no overflow).
  func valueText(_ s: Statement) -> String {
    let xs = s.operands.map(operandText)
    if s.op == "*=" { return "0.5" }
    guard !xs.isEmpty else { return s.isInt ? "1" : "0.5" }
    if s.isInt {
      switch s.shape {
      case 0: return "(" + xs.joined(separator: " + ") + " + 1) % 1021"
      case 1: return "(2 * " + xs.joined(separator: " + 3 * ") + ") % 509"
      default: return "(" + xs.joined(separator: " - ") + ") % 257"
      }
    }
    switch s.shape {
    case 0: return "0.5 * (" + xs.joined(separator: " + ") + ")"
    case 1: return xs.map { "0.25 * \($0)" }.joined(separator: " + ") + " + 1.0"
    default: return "0.5 * " + xs.joined(separator: " - 0.25 * ") + " - 0.125"
    }
  }

  func text(_ nodes: [Node], indent: Int, into out: inout String) {
    let pad = String(repeating: "  ", count: indent)
    for node in nodes {
      switch node {
      case .statement(let s):
        out += pad + "\(operandText(s.target)) \(s.op) \(valueText(s))\n"
      case .guarded(let c, let body):
        out += pad + "if \(c) {\n"
        text(body, indent: indent + 1, into: &out)
        out += pad + "}\n"
      case .loop(let l):
        let range = l.inclusive ? "..." : "..<"
        out += pad + "for \(l.iterator) in \(l.reverse ? "reverse " : "")\(l.lower) \(range) \(l.upper)"
          + (l.step > 1 ? " step \(l.step)" : "") + " {\n"
        text(l.body, indent: indent + 1, into: &out)
        out += pad + "}\n"
      }
    }
  }

  /// The program as `.loop` source.
  public var source: String {
    let dims = { (rank: Int) in String(repeating: "[\(Self.extent)]", count: rank) }
    let parameters = arrays.filter { !$0.isLocal }.map { "\($0.name): inout \($0.isInt ? "i32" : "f64")\(dims($0.rank))" }
    var out = "// Random program, seed \(seed) (Tests/TestSupport/RandomProgram.swift).\n"
    out += "kernel rand_\(seed)(n, m, \(parameters.joined(separator: ", "))) {\n"
    for (name, isInt) in locals { out += "  var \(name): \(isInt ? "i32" : "f64")\n" }
    for a in arrays where a.isLocal { out += "  var \(a.name): \(a.isInt ? "i32" : "f64")\(dims(a.rank))\n" }
    text(body, indent: 1, into: &out)
    out += "}\n\nassume n >= 4, m >= 3, m <= n\n\n"
    out += "dataset MINI: n = 5, m = 3\ndataset SMALL: n = 16, m = 9\ndataset MEDIUM: n = 70, m = 37\n\n"
    out += "init {\n"
    for a in arrays where !a.isLocal {
      let value = a.isInt ? "(i * 7 + \(a.rank == 2 ? "j * 3 + " : "")1) % 17" : "f64((i * 7 + \(a.rank == 2 ? "j * 3 + " : "")1) % 17) / 8.0"
      out += "  for i in 0 ..< \(Self.extent) {\n"
      out += a.rank == 2 ? "    for j in 0 ..< \(Self.extent) { \(a.name)[i][j] = \(value) }\n" : "    \(a.name)[i] = \(value)\n"
      out += "  }\n"
    }
    out += "}\n\ndump {\n"
    for a in arrays where !a.isLocal {
      out += "  begin \"\(a.name)\"\n  for i in 0 ..< \(Self.extent) {\n"
      if a.rank == 2 {
        out += "    for j in 0 ..< \(Self.extent) {\n      if (i * (\(Self.extent)) + j) % 20 == 0 { newline }\n      print \(a.name)[i][j]\n    }\n"
      } else {
        out += "    if i % 20 == 0 { newline }\n    print \(a.name)[i]\n"
      }
      out += "  }\n  end \"\(a.name)\"\n"
    }
    out += "}\n"
    return out
  }
}

// MARK: Shrinking

extension RandomProgram {
  /// Programs one step smaller than this one, most promising first: a node
  /// removed, a guard unwrapped, a loop made a plain `0 ..< n` loop, an
  /// operand dropped, a subscript simplified. Statements that initialise the
  /// locals are kept (a local read before it is written is undefined).
  public func smaller() -> [RandomProgram] {
    var out: [RandomProgram] = []
    for path in paths(body, prefix: []) {
      for replacement in simplifications(of: node(at: path)) {
        var p = self
        p.body = Self.replacing(body, at: path, with: replacement)
        out.append(p)
      }
    }
    return out
  }

  func paths(_ nodes: [Node], prefix: [Int]) -> [[Int]] {
    var out: [[Int]] = []
    for (i, n) in nodes.enumerated() {
      out.append(prefix + [i])
      switch n {
      case .loop(let l): out += paths(l.body, prefix: prefix + [i])
      case .guarded(_, let b): out += paths(b, prefix: prefix + [i])
      case .statement: break
      }
    }
    return out
  }

  func node(at path: [Int]) -> Node {
    var nodes = body
    for (depth, i) in path.enumerated() {
      if depth == path.count - 1 { return nodes[i] }
      switch nodes[i] {
      case .loop(let l): nodes = l.body
      case .guarded(_, let b): nodes = b
      case .statement: break
      }
    }
    return nodes[0]
  }

  /// `nodes` with the node at `path` replaced by `replacement` (zero or more nodes).
  static func replacing(_ nodes: [Node], at path: [Int], with replacement: [Node]) -> [Node] {
    var nodes = nodes
    let i = path[0]
    if path.count == 1 {
      nodes.replaceSubrange(i...i, with: replacement)
      return nodes
    }
    let rest = Array(path.dropFirst())
    switch nodes[i] {
    case .loop(var l):
      l.body = replacing(l.body, at: rest, with: replacement)
      nodes[i] = .loop(l)
    case .guarded(let c, let b):
      nodes[i] = .guarded(c, replacing(b, at: rest, with: replacement))
    case .statement:
      break
    }
    return nodes
  }

  static func isInitialisation(_ n: Node) -> Bool {
    switch n {
    case .statement(let s): return s.operands.isEmpty && s.op == "="
    case .loop(let l): return l.body.count == 1 && isInitialisation(l.body[0])
    case .guarded: return false
    }
  }

  func simplifications(of n: Node) -> [[Node]] {
    if Self.isInitialisation(n) { return [] }
    var out: [[Node]] = [[]]
    switch n {
    case .guarded(_, let b):
      out.append(b)
    case .loop(let l):
      if l.step != 1 || l.reverse || l.inclusive || l.lower != "0" || l.upper != "n" {
        var plain = l
        (plain.step, plain.reverse, plain.inclusive, plain.lower, plain.upper) = (1, false, false, "0", "n")
        out.append([.loop(plain)])
      }
    case .statement(let s):
      for i in s.operands.indices where s.operands.count > 1 {
        var t = s
        t.operands.remove(at: i)
        out.append([.statement(t)])
      }
      if s.op != "=" {
        var t = s
        t.op = "="
        out.append([.statement(t)])
      }
      for (i, o) in s.operands.enumerated() {
        guard case .access(let a) = o else { continue }
        for simpler in Self.simpler(a) {
          var t = s
          t.operands[i] = .access(simpler)
          out.append([.statement(t)])
        }
      }
    }
    return out
  }

  /// The access with one subscript reduced to its first iterator (or a constant).
  static func simpler(_ a: Access) -> [Access] {
    var out: [Access] = []
    for (i, s) in a.subscripts.enumerated() {
      let reduced = Subscript(terms: s.terms.first.map { [($0.0, 1)] } ?? [], offset: 4)
      guard reduced != s else { continue }
      var b = a
      b.subscripts[i] = reduced
      out.append(b)
    }
    return out
  }
}
