//===- TestSupport.swift - Helpers shared by the frontend tests -----------===//

import Testing
@testable import PolycFrontend

/// The gemm kernel of docs/language.md.
let gemmSource = """
  kernel gemm(ni, nj, nk, alpha: f64, beta: f64,
              C: inout f64[ni][nj], A: in f64[ni][nk], B: in f64[nk][nj]) {
    for i in 0 ..< ni {
      for j in 0 ..< nj { C[i][j] *= beta }
      for k in 0 ..< nk {
        for j in 0 ..< nj { C[i][j] += alpha * A[i][k] * B[k][j] }
      }
    }
  }

  assume ni >= 1, nj >= 1, nk >= 1

  dataset MINI:  ni = 20, nj = 25, nk = 30
  dataset SMALL: ni = 60, nj = 70, nk = 80

  init {
    alpha = 1.5
    beta = 1.2
    for i in 0 ..< ni { for j in 0 ..< nj { C[i][j] = f64((i*j+1) % ni) / ni } }
    for i in 0 ..< ni { for j in 0 ..< nk { A[i][j] = f64(i*(j+1) % nk) / nk } }
    for i in 0 ..< nk { for j in 0 ..< nj { B[i][j] = f64(i*(j+2) % nj) / nj } }
  }

  dump {
    begin "C"
    for i in 0 ..< ni {
      for j in 0 ..< nj {
        if (i * ni + j) % 20 == 0 { newline }
        print C[i][j]
      }
    }
    end "C"
  }

  """

/// The diagnostic that loading `source` throws, or nil when it loads.
func diagnostic(of source: String, path: String = "test.loop") -> Diagnostic? {
  do {
    _ = try Frontend.load(text: source, path: path)
    return nil
  } catch let d as Diagnostic {
    return d
  } catch {
    Issue.record("unexpected error type: \(error)")
    return nil
  }
}

/// Expects `source` to fail at `line:column` with a message containing
/// `fragment`, rendered with the source line and a caret under the column.
func expectError(_ source: String, at line: Int, _ column: Int, _ fragment: String,
                 sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  guard let d = diagnostic(of: source) else {
    Issue.record("expected an error containing '\(fragment)', but the source loaded", sourceLocation: sourceLocation)
    return
  }
  #expect(d.location.line == line && d.location.column == column,
          "location \(d.location) instead of \(line):\(column) for: \(d.message)", sourceLocation: sourceLocation)
  #expect(d.message.contains(fragment), "message: \(d.message)", sourceLocation: sourceLocation)
  let rendered = d.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  let sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  #expect(rendered.count == 3, "rendered: \(d.description)", sourceLocation: sourceLocation)
  guard rendered.count == 3, line >= 1, line <= sourceLines.count else { return }
  #expect(rendered[0] == "test.loop:\(line):\(column): error: \(d.message)", sourceLocation: sourceLocation)
  #expect(rendered[1] == sourceLines[line - 1], sourceLocation: sourceLocation)
  #expect(rendered[2] == String(repeating: " ", count: column - 1) + "^", sourceLocation: sourceLocation)
}

/// Loads `source`, recording an issue with the diagnostic when it fails.
func loaded(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> CheckedKernel? {
  do {
    return try Frontend.load(text: source, path: "test.loop")
  } catch {
    Issue.record("unexpected error:\n\(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// A minimal kernel around `body` with sizes n, m, a scalar, and arrays.
func kernel(_ body: String) -> String {
  """
  kernel k(n, m, alpha: f64, A: inout f64[n][n], B: in f64[n][n], x: inout f64[n], I: inout i32[n], F: inout f32[n]) {
  \(body)
  }

  """
}

/// Every assignment of `statements` in textual order, as (label, target text).
func assignments(_ statements: [Stmt]) -> [(label: String?, target: String)] {
  statements.flatMap { s -> [(label: String?, target: String)] in
    switch s.kind {
    case .assign(let label, let target, _, _): return [(label, ASTPrinter.text(of: target))]
    case .forLoop(let loop): return assignments(loop.body)
    case .ifStmt(_, let then, let otherwise): return assignments(then) + assignments(otherwise ?? [])
    default: return []
    }
  }
}

/// The tree without source locations, for comparing round trips.
func withoutLocations(_ file: SourceFile) -> SourceFile {
  var f = file
  f.location = .unknown
  f.parameters = f.parameters.map { p in
    var p = p
    p.location = .unknown
    if case .array(let role, let type, let dims) = p.kind {
      p.kind = .array(role: role, type: type, dimensions: dims.map(withoutLocations))
    }
    return p
  }
  f.body = f.body.map(withoutLocations)
  f.assumptions = f.assumptions.map(withoutLocations)
  f.datasets = f.datasets.map { d in
    var d = d
    d.location = .unknown
    return d
  }
  f.initBody = f.initBody.map(withoutLocations)
  f.dumpBody = f.dumpBody.map(withoutLocations)
  return f
}

func withoutLocations(_ s: Stmt) -> Stmt {
  let kind: StmtKind
  switch s.kind {
  case .assign(let label, let target, let op, let value):
    kind = .assign(label: label, target: withoutLocations(target), op: op, value: withoutLocations(value))
  case .forLoop(var loop):
    loop.lower = withoutLocations(loop.lower)
    loop.upper = withoutLocations(loop.upper)
    loop.body = loop.body.map(withoutLocations)
    loop.location = .unknown
    kind = .forLoop(loop)
  case .ifStmt(let c, let t, let e):
    kind = .ifStmt(condition: withoutLocations(c), then: t.map(withoutLocations), else: e?.map(withoutLocations))
  case .varDecl(let name, let type, let dims, let initial):
    kind = .varDecl(name: name, type: type, dimensions: dims.map(withoutLocations), initial: initial.map(withoutLocations))
  case .dumpPrint(let e):
    kind = .dumpPrint(withoutLocations(e))
  default:
    kind = s.kind
  }
  return Stmt(kind, at: .unknown)
}

func withoutLocations(_ e: Expr) -> Expr {
  let kind: ExprKind
  switch e.kind {
  case .access(let a, let subs): kind = .access(array: a, subscripts: subs.map(withoutLocations))
  case .unary(let op, let x): kind = .unary(op, withoutLocations(x))
  case .binary(let op, let l, let r): kind = .binary(op, withoutLocations(l), withoutLocations(r))
  case .ternary(let c, let a, let b): kind = .ternary(withoutLocations(c), withoutLocations(a), withoutLocations(b))
  case .call(let f, let args): kind = .call(function: f, arguments: args.map(withoutLocations))
  case .cast(let t, let x): kind = .cast(t, withoutLocations(x))
  default: kind = e.kind
  }
  return Expr(kind, at: .unknown)
}
