//===- HostCode.swift - init and dump blocks as C --------------------------===//
//
// Host sections are not rescheduled: they are printed as written, with C's
// semantics for `/` and `%`. `var` arrays are heap temporaries freed at the
// end of their block.
//
//===----------------------------------------------------------------------===//

import PolycFrontend

struct HostCode {
  let kernel: CheckedKernel
  var locals: [String: ScalarType] = [:]

  init(kernel: CheckedKernel) { self.kernel = kernel }

  private func pad(_ n: Int) -> String { String(repeating: "  ", count: n) }

  func block(_ stmts: [Stmt], indent: Int) -> String {
    var me = self
    var out = pad(indent) + "{\n"
    var temporaries: [String] = []
    for s in stmts { out += me.stmt(s, indent: indent + 1, temporaries: &temporaries) }
    for t in temporaries.reversed() { out += pad(indent + 1) + "free(\(t));\n" }
    out += pad(indent) + "}\n"
    return out
  }

  private var printer: CExprPrinter {
    var p = CExprPrinter(kernel: kernel)
    p.locals = locals
    return p
  }

  mutating func stmt(_ s: Stmt, indent: Int, temporaries: inout [String]) -> String {
    let p = printer
    switch s.kind {
    case .assign(_, let target, let op, let value):
      return pad(indent) + "\(p.print(target)) \(op.rawValue) \(p.print(value));\n"
    case .forLoop(let l):
      let it = l.iterator
      var head: String
      if l.reverse {
        let hi = l.inclusive ? p.print(l.upper) : "\(p.print(l.upper, min: .additive)) - 1"
        let start = l.step == 1 ? hi : Self.lastSteppedValue(high: hi, low: p.print(l.lower), step: l.step)
        let dec = l.step == 1 ? "\(it)--" : "\(it) -= \(l.step)"
        head = "for (int \(it) = \(start); \(it) >= \(p.print(l.lower, min: .relational)); \(dec))"
      } else {
        let cmp = l.inclusive ? "<=" : "<"
        let inc = l.step == 1 ? "\(it)++" : "\(it) += \(l.step)"
        head = "for (int \(it) = \(p.print(l.lower)); \(it) \(cmp) \(p.print(l.upper, min: .relational)); \(inc))"
      }
      return pad(indent) + head + "\n" + block(l.body, indent: indent)
    case .ifStmt(let c, let then, let otherwise):
      var out = pad(indent) + "if (\(p.print(c)))\n" + block(then, indent: indent)
      if let otherwise { out += pad(indent) + "else\n" + block(otherwise, indent: indent) }
      return out
    case .varDecl(let name, let type, let dims, let initial):
      locals[name] = type
      if dims.isEmpty {
        return pad(indent) + "\(type.cName) \(name) = \(initial.map { p.print($0) } ?? "0");\n"
      }
      temporaries.append(name)
      return pad(indent) + CEmitter.heapArray(name, type, dims, p) + "\n"
    case .dumpBegin(let name):
      return pad(indent) + "fprintf(stderr, \"begin dump: %s\", \"\(name)\");\n"
    case .dumpEnd(let name):
      return pad(indent) + "fprintf(stderr, \"\\nend   dump: %s\\n\", \"\(name)\");\n"
    case .dumpFinish:
      return pad(indent) + "fprintf(stderr, \"==END   DUMP_ARRAYS==\\n\");\n"
    case .dumpNewline:
      return pad(indent) + "fprintf(stderr, \"\\n\");\n"
    case .dumpPrint(let e):
      let format: String
      switch kernel.valueType(of: e, locals: locals) {
      case .scalar(.f64): format = "%0.2lf "
      case .scalar(.f32): format = "%0.2f "
      default: format = "%d "
      }
      let arg = format == "%d " ? "(int)(\(p.print(e)))" : p.print(e)
      return pad(indent) + "fprintf(stderr, \"\(format)\", \(arg));\n"
    }
  }

  /// The largest `low + k*step` not above `high`, as a C expression; below
  /// `low` when the range is empty, so a descending loop from it runs
  /// `for i in reverse low ... high step k` (`high - ((high - low) mod step)`).
  static func lastSteppedValue(high: String, low: String, step: Int) -> String {
    "(\(high)) - ((((\(high)) - (\(low))) % \(step) + \(step)) % \(step))"
  }
}
