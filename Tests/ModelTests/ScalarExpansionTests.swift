//===- ScalarExpansionTests.swift - Privatising kernel-local scalars ------===//

import PolycFrontend
import PolycISL
import PolycModel
import Testing

@Suite struct ScalarExpansionTests {
  func expand(_ body: String, _ params: String = "n, x: in f64[n], y: inout f64[n][n]", accumulators: Bool = false) throws
    -> (CheckedKernel, [ScalarExpansion.Expansion]) {
    let text = "kernel k(\(params)) {\n  var s: f64\n\(body)\n}\nassume n >= 2\n"
    return try ScalarExpansion.apply(try Frontend.load(text: text, path: "k.loop"), accumulators: accumulators)
  }

  /// Flow dependences of the expanded kernel whose source and sink differ in loop dimension `depth`.
  func crossIterationDeps(_ k: CheckedKernel, depth: Int) throws -> Bool {
    let scop = try Scop.build(k)
    let all = try scop.writes.union(scop.reads)
    for kind in 0..<2 {
      let sink = kind == 0 ? scop.reads : scop.writes
      let deps = try Flow.compute(sink: sink, mustSource: scop.writes, maySource: kind == 0 ? nil : all,
                                  schedule: scop.originalSchedule).may
      for m in try deps.maps() where try m.inputDimensionCount() > depth && m.outputDimensionCount() > depth {
        let nIn = try m.inputDimensionCount(), nOut = try m.outputDimensionCount()
        let x = (0..<nIn).map { "x\($0)" }, y = (0..<nOut).map { "y\($0)" }
        let same = try Map(scop.ctx, scop.parameterPrefix
          + "{ \(m.domainTupleName!)[\(x.joined(separator: ","))] -> \(m.rangeTupleName!)[\(y.joined(separator: ","))] : x\(depth) = y\(depth) }")
        if !(try m.isSubset(of: same)) { return true }
      }
    }
    return false
  }

  /// deriche's row filter: `s` carries a value along j, never across i.
  @Test func rowRecurrenceIsExpandedAlongTheOuterLoop() throws {
    let (k, done) = try expand("""
      for i in 0 ..< n {
        s = 0.0
        for j in 0 ..< n {
          y[i][j] = y[i][j] + s
          s = x[j]
        }
      }
    """)
    #expect(done.map(\.array) == ["s_i"])
    #expect(done.first?.statements == ["S0", "S1", "S2"])
    #expect(k.arrays["s_i"]?.dimensions.count == 1)
    #expect(k.scalars["s"] == nil, "the scalar is gone once every web is expanded")
    #expect(try !crossIterationDeps(k, depth: 0), "the i loop carries nothing after the expansion")
    let before = try Frontend.load(text: "kernel k(n, x: in f64[n], y: inout f64[n][n]) {\n var s: f64\n for i in 0 ..< n {\n s = 0.0\n for j in 0 ..< n {\n y[i][j] = y[i][j] + s\n s = x[j]\n }\n }\n}\n", path: "k.loop")
    #expect(try crossIterationDeps(before, depth: 0), "before, the scalar serialises the i loop")
  }

  /// symm's temp2: the innermost loop enclosing all its statements is j.
  @Test func expansionIsAlongTheInnermostCommonLoop() throws {
    let (k, done) = try expand("""
      for i in 0 ..< n {
        for j in 0 ..< n {
          s = 0.0
          for q in 0 ..< i { s = s + y[q][j] }
          y[i][j] = s
        }
      }
    """)
    #expect(done.map(\.iterator) == ["j"])
    #expect(k.arrays["s_j"] != nil)
  }

  /// Two independent webs of one scalar get two arrays.
  @Test func websAreRenamedApart() throws {
    let (_, done) = try expand("""
      for i in 0 ..< n {
        s = x[i]
        y[i][0] = s
      }
      for j in 1 ... n - 1 {
        s = x[j]
        y[0][j] = s
      }
    """)
    #expect(done.map(\.array).sorted() == ["s_i", "s_j"])
  }

  /// A value carried from one iteration to the next is not privatisable.
  @Test func carriedValueIsNotExpanded() throws {
    let (k, done) = try expand("""
      s = 0.0
      for i in 0 ..< n {
        y[i][0] = s
        s = x[i]
      }
    """)
    #expect(done.isEmpty)
    #expect(k.scalars["s"] != nil)
  }

  /// A read with no source in the kernel (the scalar's initial value) is not privatisable.
  @Test func upwardExposedReadIsNotExpanded() throws {
    let (_, done) = try expand("""
      for i in 0 ..< n {
        y[i][0] = s
        s = x[i]
        y[i][1] = s
      }
    """)
    #expect(done.isEmpty)
  }

  /// The extent must not depend on an enclosing iterator.
  @Test func triangularLoopIsNotExpanded() throws {
    let (_, done) = try expand("""
      for i in 0 ..< n {
        for j in 0 ..< i {
          s = x[j]
          y[i][j] = s
        }
      }
    """)
    #expect(done.isEmpty)
  }

  /// A loop from 1 indexes the new array from 0.
  @Test func nonZeroLowerBoundIsShifted() throws {
    let (k, done) = try expand("""
      for i in 1 ..< n {
        s = x[i]
        y[i][0] = s
      }
    """)
    #expect(done.count == 1)
    let scop = try Scop.build(k)
    let w = try #require(scop.statement(named: "S0")?.writes.first)
    #expect(w.array == "s_i")
    #expect(try Map(scop.ctx, w.relation).isEqual(try Map(scop.ctx, "[n] -> { S0[i] -> s_i[i - 1] }")))
  }

  /// Privatising in a loop that another dependence keeps sequential buys nothing.
  @Test func loopThatStaysSequentialIsNotExpanded() throws {
    let (_, done) = try expand("""
      for i in 1 ..< n {
        s = x[i]
        y[i][0] = y[i - 1][0] + s
      }
    """)
    #expect(done.isEmpty)
  }

  // MARK: Accumulators (`"scalarExpansion": "accumulators"`)

  /// ludcmp's LU part: `w` sums along k for each (i, j), and i and j stay sequential. Expanded
  /// along both common loops; j < i < n gives the triangular loop n elements, and `j in i ..< n`
  /// is indexed by j itself.
  @Test func accumulatorIsExpandedAlongAllItsCommonLoops() throws {
    let body = """
      for i in 0 ..< n {
        for j in 0 ..< i {
          s = y[i][j]
          for k in 0 ..< j { s -= y[i][k] * y[k][j] }
          y[i][j] = s / y[j][j]
        }
        for j in i ..< n {
          s = y[i][j]
          for k in 0 ..< i { s -= y[i][k] * y[k][j] }
          y[i][j] = s
        }
      }
    """
    let (_, plain) = try expand(body)
    #expect(plain.isEmpty, "no loop becomes parallel: the default mode leaves it")
    let (k, done) = try expand(body, accumulators: true)
    #expect(done.count == 2, "\(done)")
    #expect(done.allSatisfy { $0.iterators == ["i", "j"] })
    #expect(done.map(\.array).sorted() == ["s_ij", "s_ij2"])
    #expect(k.scalars["s"] == nil, "every web of s is expanded")
    let scop = try Scop.build(k)
    let w = try #require(scop.statement(named: "S1")?.writes.first)
    #expect(try Map(scop.ctx, w.relation).isEqual(try Map(scop.ctx, "[n] -> { S1[i, j, k] -> s_ij[i, j] }")))
    // Extents: n along i; along j n (j < i < n) and n (j < n).
    for a in done.map(\.array) {
      #expect(try #require(k.arrays[a]).dimensions.map { ASTPrinter.text(of: $0) } == ["n", "n"], "\(a)")
    }
  }

  /// An accumulator whose value flows in from before the loops is not privatisable.
  @Test func accumulatorCarriedAcrossIterationsIsNotExpanded() throws {
    let body = """
        s = 0
        for i in 0 ..< n {
          for k in 0 ..< n { s += y[i][k] }
          y[i][0] = s
        }
    """
    let (_, done) = try expand(body, accumulators: true)
    #expect(done.isEmpty)
  }

  /// A web without a reduction in an inner loop is not an accumulator: a loop that stays
  /// sequential is still not worth an array.
  @Test func nonAccumulatorInSequentialLoopIsNotExpanded() throws {
    let body = """
        for i in 1 ..< n {
          s = x[i]
          y[i][0] = y[i - 1][0] + s
        }
    """
    let (_, done) = try expand(body, accumulators: true)
    #expect(done.isEmpty)
  }

  /// A triangular bound that is not an enclosing iterator plus a constant has no size expression.
  @Test func accumulatorWithoutABoundIsNotExpanded() throws {
    let body = """
        for i in 0 ..< n {
          for j in 0 ..< 2 * i {
            s = 0
            for k in 0 ..< j { s += x[k] }
            y[i][0] = s
          }
        }
    """
    let (_, done) = try expand(body, accumulators: true)
    #expect(done.isEmpty)
  }

  /// An accumulator with one common loop (durbin's `sum` in k) is left alone.
  @Test func accumulatorWithOneCommonLoopIsNotExpanded() throws {
    let body = """
        for i in 1 ..< n {
          s = 0
          for k in 0 ..< i { s += y[i - 1][k] }
          y[i][0] = s
        }
    """
    let (_, done) = try expand(body, accumulators: true)
    #expect(done.isEmpty)
  }
}
