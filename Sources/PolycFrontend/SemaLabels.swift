//===- SemaLabels.swift - Naming the kernel statements --------------------===//
//
// Every kernel statement gets a label: its own, or `S<n>` where n counts the
// unlabelled statements in textual order from 0, skipping names that explicit
// labels already use (with an explicit `S1`, unlabelled ones become `S0`,
// `S2`, ...). Labels are checked for uniqueness before this runs.
//
//===----------------------------------------------------------------------===//

extension Sema {
  static func labelled(_ body: [Stmt]) -> [Stmt] {
    var namer = StatementNamer(taken: explicitLabels(body))
    return namer.label(body)
  }

  private static func explicitLabels(_ statements: [Stmt]) -> Set<String> {
    var labels: Set<String> = []
    for s in statements {
      switch s.kind {
      case .assign(let label?, _, _, _): labels.insert(label)
      case .forLoop(let loop): labels.formUnion(explicitLabels(loop.body))
      case .ifStmt(_, let then, let otherwise):
        labels.formUnion(explicitLabels(then))
        labels.formUnion(explicitLabels(otherwise ?? []))
      default: break
      }
    }
    return labels
  }
}

/// Hands out `S0`, `S1`, ... skipping taken names.
private struct StatementNamer {
  var taken: Set<String>
  var next = 0

  mutating func freshName() -> String {
    while taken.contains("S\(next)") { next += 1 }
    defer { next += 1 }
    return "S\(next)"
  }

  mutating func label(_ statements: [Stmt]) -> [Stmt] {
    statements.map { label($0) }
  }

  mutating func label(_ s: Stmt) -> Stmt {
    var s = s
    switch s.kind {
    case .assign(nil, let target, let op, let value):
      s.kind = .assign(label: freshName(), target: target, op: op, value: value)
    case .forLoop(var loop):
      loop.body = label(loop.body)
      s.kind = .forLoop(loop)
    case .ifStmt(let condition, let then, let otherwise):
      let labelledThen = label(then)
      s.kind = .ifStmt(condition: condition, then: labelledThen, else: otherwise.map { label($0) })
    default:
      break
    }
    return s
  }
}
