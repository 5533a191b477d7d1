//===- MatmulOptimizer.swift - BLIS-style tiling of matrix multiplications ===//
//
// After Polly's MatmulOptimizer (lib/Transform/MatmulOptimizer.cpp) and the
// analytical model of BLIS (Low, Igual, Smith, Quintana-Orti, "Analytical
// Modeling Is Enough for High-Performance BLIS", TOMS 2016), without packing.
//
// A band whose only statement is a matrix multiplication
//
//   C[i][j] += A[i][k] * B[k][j]      (scalar factors allowed: alpha * A[i][k] * B[k][j];
//                                      the three loops in any order)
//
// recognised on isl access relations (`MatmulPattern`), is replaced by
//
//   mark "matmul"
//     [parallel] for ic step MC          cache tile: MC x KC of A (second-level cache),
//       for jc step NC, for kc step KC                KC x NC of B
//         for jr step NR, for ir step MR  register tile position
//           mark "microkernel:MRxNR"
//             for k in kc tile            C[ir..ir+MR][jr..jr+NR] stays in
//               for i in ir tile            MR x NR local accumulators (the C
//                 [simd] for j in jr tile   printer, ISLASTPrinter+Microkernel)
//                   S(i, j, k)
//
// The k loop runs inside the register tile, so C is read and written once
// per cache tile of k instead of once per k; the j loop is the vector loop
// (stride 1 in C and B). The `matmul` mark makes the later passes (tiling,
// reordering, unroll-and-jam, marks) leave the subtree alone; this pass puts
// the `parallel` and `simd` marks itself, and MarkAudit re-checks them.
//
// Legal whenever the original band is permutable (only k carries the
// reduction's dependence); the pipeline checks the result with
// Dependences.violation like every reordering pass. A band that is not
// provably a matrix multiplication is left alone with a note.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel

/// A statement `C[i][j] += (scalars *) A[i][k] * B[k][j]`: which of its
/// iterators plays i, j and k.
struct MatmulPattern: Equatable {
  var statement: String
  var i: Int
  var j: Int
  var k: Int
  var c: String
  var a: String
  var b: String

  /// The pattern of `st`, or why it is not one.
  static func match(_ st: StatementInfo, _ scop: Scop) throws -> Result<MatmulPattern, Refusal> {
    guard st.iterators.count == 3 else { return .failure(.init("\(st.name) has \(st.iterators.count) loops, not 3")) }
    guard st.op == .add else { return .failure(.init("\(st.name) does not accumulate with +=")) }
    guard isProduct(st.value) else { return .failure(.init("\(st.name)'s right-hand side is not a product")) }
    let writes = st.writes, reads = st.reads
    guard writes.count == 1, let w = writes.first else { return .failure(.init("\(st.name) writes \(writes.count) arrays")) }
    let domain = try Set(scop.ctx, st.domain)
    guard let (ci, cj) = try permutation(of: w, rank: 2, domain, scop) else {
      return .failure(.init("\(st.name) does not write a 2-d array indexed by two of its loops"))
    }
    let k = 3 - ci - cj
    var p = MatmulPattern(statement: st.name, i: ci, j: cj, k: k, c: w.array, a: "", b: "")
    var sawTarget = false
    for r in reads {
      if try isScalar(r, scop) { continue }
      guard let (x, y) = try permutation(of: r, rank: 2, domain, scop) else {
        return .failure(.init("\(st.name) reads \(r.array) with subscripts other than two of its loops"))
      }
      switch (x, y) {
      case (ci, cj) where r.array == p.c && !sawTarget: sawTarget = true
      case (ci, k) where p.a.isEmpty && r.array != p.c: p.a = r.array
      case (k, cj) where p.b.isEmpty && r.array != p.c: p.b = r.array
      default: return .failure(.init("\(st.name) reads \(r.array) as neither A[i][k] nor B[k][j]"))
      }
    }
    guard sawTarget, !p.a.isEmpty, !p.b.isEmpty else { return .failure(.init("\(st.name) lacks one of C[i][j], A[i][k], B[k][j]")) }
    return .success(p)
  }

  /// `(x, y)` when `access` maps each instance of `domain` to `array[it_x, it_y]`.
  static func permutation(of access: AccessInfo, rank: Int, _ domain: Set, _ scop: Scop) throws -> (Int, Int)? {
    let relation = try Map(scop.ctx, access.relation).intersectDomain(domain)
    guard try relation.outputDimensionCount() == rank, rank == 2 else { return nil }
    let vars = ["x0", "x1", "x2"]
    for x in 0..<3 {
      for y in 0..<3 where y != x {
        let text = "\(scop.parameterPrefix){ \(domain.tupleName ?? "")[\(vars.joined(separator: ", "))] -> \(access.array)[\(vars[x]), \(vars[y])] }"
        if try relation.isEqual(try Map(scop.ctx, text).intersectDomain(domain)) { return (x, y) }
      }
    }
    return nil
  }

  static func isScalar(_ access: AccessInfo, _ scop: Scop) throws -> Bool {
    try Map(scop.ctx, access.relation).outputDimensionCount() == 0
  }

  /// A product of accesses, names and literals.
  static func isProduct(_ e: Expr) -> Bool {
    switch e.kind {
    case .binary(.mul, let a, let b): return isProduct(a) && isProduct(b)
    case .access, .name, .intLiteral, .floatLiteral: return true
    default: return false
    }
  }

  struct Refusal: Error { var reason: String; init(_ r: String) { reason = r } }
}

enum MatmulOptimizer {
  /// Marks the subtree the later passes must not change.
  static let markName = "matmul"
  /// `microkernel:8x16`: the register tile the C printer keeps in local accumulators.
  static func microkernelMark(rows: Int, columns: Int) -> String { "microkernel:\(rows)x\(columns)" }

  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    guard let options = cx.options.matmul else { return root }
    return try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band else { return node }
      return try optimize(node, options, cx)
    }
  }

  static func optimize(_ band: ScheduleNode, _ options: MatmulOptions, _ cx: TransformContext) throws -> ScheduleNode {
    let names = try band.domain().sets().compactMap(\.tupleName)
    guard names.count == 1, let st = cx.scop.statement(named: names[0]) else { return band }
    guard try band.bandMemberCount() == 3, !(try TreeWalk.hasBandBelow(band)) else { return band }
    let pattern: MatmulPattern
    switch try MatmulPattern.match(st, cx.scop) {
    case .success(let p): pattern = p
    case .failure(let why):
      cx.note("matmul: \(cx.describe(band)): not a matrix multiplication (\(why.reason))")
      return band
    }
    guard try cx.oracle.properties(of: band).permutable else {
      cx.note("matmul: \(cx.describe(band)): not permutable, left alone")
      return band
    }
    let tiles = options.cacheTiles ?? cacheTiles(options, cx.options)
    let rewritten = try rewrite(band, pattern, st, options, tiles, cx)
    cx.note("matmul: \(cx.describe(band)): \(pattern.c) += \(pattern.a) * \(pattern.b), cache tiles "
      + "\(tiles.map(String.init).joined(separator: "x")) (MC x NC x KC), register tile \(options.rows)x\(options.columns)")
    return rewritten
  }

  /// `[MC, NC, KC]` from the cache model, in BLIS's roles (without packing; calibrated
  /// on the bench machine, docs/strategies.md): a KC-deep sliver of 16 columns of B
  /// (two cache lines per row) fills the first-level cache, an MC x KC block of A half
  /// of the second level, a KC x NC panel of B all of it.
  static func cacheTiles(_ m: MatmulOptions, _ o: TransformOptions) -> [Int] {
    let e = o.cache.elementBytes
    var kc = 1
    while (kc * 2) * 16 * e <= o.cache.l1Bytes { kc *= 2 }
    let mc = max(m.rows, o.cache.l2Bytes / (2 * kc * e) / m.rows * m.rows)
    let nc = max(m.columns, (o.cache.l2Bytes / (kc * e) + m.columns - 1) / m.columns * m.columns)
    return [mc, nc, kc]
  }

  /// The band replaced by the tree of the file header.
  static func rewrite(_ band: ScheduleNode, _ p: MatmulPattern, _ st: StatementInfo, _ m: MatmulOptions,
                      _ tiles: [Int], _ cx: TransformContext) throws -> ScheduleNode {
    let vars = ["x0", "x1", "x2"]
    let (i, j, k) = (vars[p.i], vars[p.j], vars[p.k])
    let domain = try band.domain()
    func partial(_ exprs: [String]) throws -> MultiUnionPwAff {
      let text = "\(cx.scop.parameterPrefix){ \(st.name)[\(vars.joined(separator: ", "))] -> [\(exprs.joined(separator: ", "))] }"
      return try UnionMap(cx.scop.ctx, text).intersectDomain(domain).toMultiUnionPwAff()
    }
    func tile(_ v: String, _ s: Int) -> String { "\(s) * floor((\(v)) / \(s))" }
    let (mc, nc, kc) = (tiles[0], tiles[1], tiles[2])
    let depth = try band.treeDepth()
    var n = try band.delete()
    n = try n.insertPartialSchedule(try partial([j]))
    if cx.options.vectorize, try cx.oracle.properties(of: n).parallel.first == true { n = try n.insertMark(VectorMarks.name) }
    n = try n.insertPartialSchedule(try partial([i]))
    n = try n.insertPartialSchedule(try partial([k]))
    n = try n.insertMark(microkernelMark(rows: m.rows, columns: m.columns))
    n = try cx.annotate(try n.insertPartialSchedule(try partial([tile(j, m.columns), tile(i, m.rows)])))
    n = try cx.annotate(try n.insertPartialSchedule(try partial([tile(j, nc), tile(k, kc)])))
    n = try cx.annotate(try n.insertPartialSchedule(try partial([tile(i, mc)])))
    if cx.options.parallel {
      if try cx.oracle.properties(of: n).parallel.first == true, try cx.serialDirective(forbidding: 0, of: n) == nil {
        n = try n.insertMark(ParallelMarks.name)
      } else {
        cx.note("matmul: \(cx.describe(band)): the loop over row tiles carries a dependence, not parallel")
      }
    }
    n = try n.insertMark(markName)
    while try n.treeDepth() > depth { n = try n.parent() }
    return n
  }
}
