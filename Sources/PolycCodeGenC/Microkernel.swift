//===- Microkernel.swift - Printing `microkernel:MRxNR` marks -------------===//
//
// MatmulOptimizer puts `microkernel:MRxNR` above the loops k, i, j of a
// register tile of `C[i][j] += ... A[i][k] ... B[k][j] ...`. The printer keeps
// the MR x NR elements of C in a local array across the k loop (scalar
// replacement: gcc keeps it in vector registers), with i unrolled and j the
// vector loop. Each element still receives the same operations in the same
// order; only where C lives between two of them changes:
//
//   for (k = ..)                            if (full MR x NR tile) {
//     for (i = i0; i <= min(i0+MR-1, ..))     acc[r][c] = C[i0+r][j0+c];            (all r, c)
//       for (j = j0; j <= min(j0+NR-1, ..))   for (k = ..) {
//         C[i][j] += alpha*A[i][k]*B[k][j];     for c: acc[0][c] += alpha*A[i0][k]*B[k][j0+c];
//                                     ==>       ...   (MR rows, unrolled)
//                                             }
//                                             C[i0+r][j0+c] = acc[r][c];            (all r, c)
//                                           } else { the loops as isl generated them }
//
// The shape is checked here again (one statement, i and j bounds independent
// of k, j's of i, the target not moving with k, no other access to the
// target's array); anything else is printed as ordinary loops.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel

enum Microkernel {
  /// `microkernel:8x16` -> (8, 16).
  static func shape(_ marks: [String]) -> (rows: Int, columns: Int)? {
    for m in marks where m.hasPrefix("microkernel:") {
      let dims = m.dropFirst("microkernel:".count).split(separator: "x").compactMap { Int($0) }
      if dims.count == 2, dims[0] >= 1, dims[1] >= 1 { return (dims[0], dims[1]) }
    }
    return nil
  }

  /// The node below marks and one-element blocks, and the names of those marks.
  static func unwrap(_ node: ASTNode) -> (ASTNode, marks: [String]) {
    var n = node
    var marks: [String] = []
    while true {
      switch n {
      case .mark(let m, let c): marks.append(m); n = c
      case .block(let cs) where cs.count == 1: n = cs[0]
      default: return (n, marks)
      }
    }
  }
}

extension ISLASTPrinter {
  /// Prints the register tile of `loop` (the k loop) and returns true, or
  /// returns false without printing when the loops do not have its shape.
  func emitMicrokernel(_ shape: (rows: Int, columns: Int), loop: ASTNode, marks: [String], jams: [(String, Int)],
                       indent: Int, into out: inout String) throws -> Bool {
    guard case .forLoop(let k, let kInit, let kCond, .int(1), let kBody, false) = loop,
          case (.forLoop(let i, let iInit, let iCond, .int(1), let iBody, false), _) = Microkernel.unwrap(kBody),
          case (.forLoop(let j, let jInit, let jCond, .int(1), let jBody, false), let jMarks) = Microkernel.unwrap(iBody),
          case (.user(let call), _) = Microkernel.unwrap(jBody),
          let (kOp, kBound) = jamBound(k, kCond), let (iOp, iBound) = jamBound(i, iCond), let (jOp, jBound) = jamBound(j, jCond)
    else { return false }
    if [iInit, iBound, jInit, jBound].contains(where: { Self.mentions($0, k) }) { return false }
    if [jInit, jBound].contains(where: { Self.mentions($0, i) }) { return false }
    let (st, printer) = try statementPrinter(call)
    guard case .access(let array, let subscripts) = st.target.kind,
          let element = scop.arrays.first(where: { $0.name == array }),
          st.accesses.allSatisfy({ $0.array != array || $0.subscripts == subscripts }),
          case .op(.call, let parts) = call
    else { return false }
    for (it, arg) in zip(st.iterators, parts.dropFirst()) where subscripts.contains(where: { $0.mentions(it) }) {
      if Self.mentions(arg, k) { return false }
    }
    let (mr, nr) = shape
    let target = printer.print(st.target)
    let acc = "polyc_acc"
    var replaced = printer
    replaced.accessOverrides[target] = "\(acc)[polyc_r][polyc_c]"
    let simd = openMP && jMarks.contains(VectorMarkName.simd) ? pragmaLines(forMarks: [VectorMarkName.simd], indent: 0) : ""
    func simdLines(_ level: Int) -> String {
      simd.split(separator: "\n").map { pad(level) + $0 + "\n" }.joined()
    }
    func tileLoop(_ level: Int, row: String, _ body: String) -> String {
      pad(level) + "{\n" + pad(level + 1) + "const int polyc_r = \(row);\n" + pad(level + 1) + "const int \(i) = \(i)_lb + polyc_r;\n"
        + simdLines(level + 1)
        + pad(level + 1) + "for (int polyc_c = 0; polyc_c < \(nr); polyc_c++) {\n"
        + pad(level + 2) + "const int \(j) = \(j)_lb + polyc_c;\n"
        + pad(level + 2) + body + "\n"
        + pad(level + 1) + "}\n" + pad(level) + "}\n"
    }
    func allRows(_ level: Int, _ body: String) -> String {
      pad(level) + "for (int polyc_row = 0; polyc_row < \(mr); polyc_row++)\n" + tileLoop(level + 1, row: "polyc_row", body)
    }
    let d = indent + 1
    out += pad(indent) + "{\n"
    out += pad(d) + "const int \(i)_lb = \(expr(iInit)), \(i)_ub = \(expr(iBound))\(iOp == "<" ? " - 1" : "");\n"
    out += pad(d) + "const int \(j)_lb = \(expr(jInit)), \(j)_ub = \(expr(jBound))\(jOp == "<" ? " - 1" : "");\n"
    out += pad(d) + "if (\(i)_ub - \(i)_lb == \(mr - 1) && \(j)_ub - \(j)_lb == \(nr - 1)) {\n"
    out += pad(d + 1) + "\(element.type.cName) \(acc)[\(mr)][\(nr)];\n"
    out += allRows(d + 1, "\(acc)[polyc_r][polyc_c] = \(target);")
    out += pad(d + 1) + "const int \(k)_ub = \(expr(kBound));\n"
    out += pad(d + 1) + "for (int \(k) = \(expr(kInit)); \(k) \(kOp) \(k)_ub; \(k)++) {\n"
    for r in 0..<mr {
      out += tileLoop(d + 2, row: "\(r)", "\(replaced.print(st.target)) \(st.op.rawValue) \(replaced.print(st.value));")
    }
    out += pad(d + 1) + "}\n"
    out += allRows(d + 1, "\(target) = \(acc)[polyc_r][polyc_c];")
    out += pad(d) + "} else {\n"
    try emit(loop, indent: d + 1, marks: marks.filter { Microkernel.shape([$0]) == nil }, jams: jams, into: &out)
    out += pad(d) + "}\n"
    out += pad(indent) + "}\n"
    return true
  }
}

enum VectorMarkName {
  static let simd = "simd"
}
