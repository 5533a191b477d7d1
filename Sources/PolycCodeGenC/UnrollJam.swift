//===- UnrollJam.swift - Printing `jam:<u>` marks (unroll-and-jam) --------===//
//
// The UnrollAndJam transform marks point loops `jam:<u>` after checking that
// their band is permutable. The printer does the mechanical part: a marked
// loop steps by u, and the innermost loop of its perfect nest gets u copies
// of its body with the iterator replaced by `it + 0 ... it + u-1` (for
// several marked loops, every combination, outer offsets slowest); leftover
// iterations run the unjammed body:
//
//   for (k = lb; k <= ub; k++)            for (k = lb; k + 3 <= ub; k += 4)
//     for (j ...) S(k, j);          ==>     for (j ...) { S(k, j); S(k+1, j); S(k+2, j); S(k+3, j); }
//                                         for (; k <= ub; k++)
//                                           for (j ...) S(k, j);
//
// A marked loop whose nest is not perfect, or whose inner loop bounds depend
// on its iterator, is printed as an ordinary loop.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum UnrollJam {
  /// `jam:4` -> 4.
  static func factor(_ marks: [String]) -> Int? {
    for m in marks where m.hasPrefix("jam:") {
      if let u = Int(m.dropFirst(4)), u > 1 { return u }
    }
    return nil
  }

  /// The loops below `body` down to the innermost one, when they form a
  /// perfect nest (each level a single loop, through marks and one-element blocks).
  static func chain(_ body: ASTNode) -> [ASTNode]? {
    var loops: [ASTNode] = []
    var n = body
    while true {
      switch n {
      case .mark(_, let c): n = c
      case .block(let cs) where cs.count == 1: n = cs[0]
      case .forLoop(_, _, _, _, let inner, let degenerate):
        guard !degenerate else { return nil }
        loops.append(n)
        if !containsLoop(inner) { return loops }
        n = inner
      default: return nil
      }
    }
  }

  static func containsLoop(_ n: ASTNode) -> Bool {
    switch n {
    case .forLoop: return true
    case .block(let cs): return cs.contains(where: containsLoop)
    case .mark(_, let c): return containsLoop(c)
    case .ifStmt(_, let t, let e): return containsLoop(t) || (e.map(containsLoop) ?? false)
    case .user: return false
    }
  }

  /// Whether loop `it` (with `body`) can be jammed: unit step, and no loop of
  /// its nest has bounds that depend on `it`.
  static func canJam(iterator it: String, increment: ASTExpr, body: ASTNode) -> Bool {
    guard increment == .int(1), let loops = chain(body), !loops.isEmpty else { return false }
    for l in loops {
      guard case .forLoop(_, let initial, let cond, _, _, _) = l else { return false }
      if ISLASTPrinter.mentions(initial, it) || ISLASTPrinter.mentions(cond, it) { return false }
    }
    return true
  }

  /// Every combination of offsets, the first jammed loop's offset slowest.
  static func offsetCombinations(_ jams: [(String, Int)]) -> [[String: Int]] {
    var result: [[String: Int]] = [[:]]
    for (it, u) in jams {
      result = result.flatMap { partial in (0..<u).map { off in partial.merging([it: off]) { $1 } } }
    }
    return result
  }

  static func substitute(_ e: ASTExpr, _ offsets: [String: Int]) -> ASTExpr {
    switch e {
    case .int: return e
    case .id(let s):
      guard let off = offsets[s], off != 0 else { return e }
      return .op(.add, [e, .int(off)])
    case .op(let op, let args): return .op(op, args.map { substitute($0, offsets) })
    }
  }

  static func substitute(_ n: ASTNode, _ offsets: [String: Int]) -> ASTNode {
    switch n {
    case .forLoop(let it, let i, let c, let inc, let body, let d):
      return .forLoop(iterator: it, initial: substitute(i, offsets), condition: substitute(c, offsets), increment: inc,
                      body: substitute(body, offsets), degenerate: d)
    case .ifStmt(let c, let t, let e):
      return .ifStmt(condition: substitute(c, offsets), then: substitute(t, offsets), else: e.map { substitute($0, offsets) })
    case .block(let cs): return .block(cs.map { substitute($0, offsets) })
    case .mark(let m, let c): return .mark(m, substitute(c, offsets))
    case .user(let e): return .user(substitute(e, offsets))
    }
  }
}
