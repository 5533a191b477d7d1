//===- AcceptedKernelTests.swift - Valid kernels load and fill the tables ===//

import Testing
@testable import PolycFrontend

@Suite struct AcceptedKernelTests {
  @Test func gemmFromTheSpecificationLoads() throws {
    let k = try #require(loaded(gemmSource))
    #expect(k.name == "gemm")
    #expect(k.sizeParameters == ["ni", "nj", "nk"])
    #expect(k.scalars["alpha"] == ScalarSymbol(name: "alpha", type: .f64, isParameter: true,
                                                 location: k.scalars["alpha"]!.location))
    #expect(k.arrays["C"]?.role == .inout)
    #expect(k.arrays["A"]?.role == .in)
    #expect(k.arrays["B"]?.dimensions.count == 2)
    #expect(k.file.assumptions.count == 3)
    #expect(k.file.datasets.map(\.name) == ["MINI", "SMALL"])
    #expect(k.file.datasets[1].values == ["ni": 60, "nj": 70, "nk": 80])
    #expect(k.file.datasets[0].order == ["ni", "nj", "nk"])
    #expect(k.file.initBody.count == 5)
    #expect(k.file.dumpBody.count == 3)
    #expect(assignments(k.file.body).map(\.label) == ["S0", "S1"])
  }

  @Test func reverseLoopsStepsAndMinMaxBoundsLoad() throws {
    let k = try #require(loaded(kernel("""
      for i in reverse 0 ... n - 1 {
        for j in max(0, i - 2) ..< min(n, i + 3) step 2 {
          A[i][j] = A[i][j] + 1
        }
      }
      for t in floordiv(n, 2) ... ceildiv(2 * n + 1, 4) { x[t] = 0 }
      """)))
    guard case .forLoop(let outer) = k.file.body[0].kind, case .forLoop(let inner) = outer.body[0].kind else {
      Issue.record("expected two nested loops")
      return
    }
    #expect(outer.reverse && outer.inclusive && outer.step == 1)
    #expect(!inner.reverse && !inner.inclusive && inner.step == 2)
    #expect(ASTPrinter.text(of: inner.lower) == "max(0, i - 2)")
  }

  @Test func guardsWithElseIfAndLogicalOperatorsLoad() {
    #expect(loaded(kernel("""
      for i in 0 ..< n {
        if i == 0 || (i > 2 && !(2 * i >= n + 1)) {
          x[i] = 1
        } else if i < m {
          x[i] = 2
        }
        else {
          x[i] = 3
        }
      }
      """)) != nil)
  }

  @Test func kernelLocalsEnterTheSymbolTable() throws {
    let k = try #require(loaded(kernel("""
      var sum: f64
      var tmp: f32[n + 1]
      for i in 0 ..< n {
        sum = 0
        for j in 0 ..< n { sum += A[i][j] * B[j][i] }
        x[i] = sum
        tmp[i + 1] = F[i]
      }
      """)))
    #expect(k.scalars["sum"] == ScalarSymbol(name: "sum", type: .f64, isParameter: false,
                                               location: k.scalars["sum"]!.location))
    #expect(k.arrays["tmp"]?.role == nil)
    #expect(k.arrays["tmp"]?.type == .f32)
    #expect(k.arrays["tmp"].map { ASTPrinter.text(of: $0.dimensions[0]) } == "n + 1")
    #expect(k.scalars["alpha"]?.isParameter == true)
  }

  @Test func hostVariablesStayOutOfTheSymbolTable() throws {
    let k = try #require(loaded(kernel("x[0] = 1") + """
      init {
        var seed: int = 42
        var T: f64[n][n]
        for i in 0 ..< n { seed = (seed * 7 + i) % 101; x[i] = f64(seed) / n }
        n = 10
        alpha = 2
      }
      """))
    #expect(k.scalars["seed"] == nil)
    #expect(k.arrays["T"] == nil)
  }

  @Test func floatLiteralsCastsAndMathCallsType() throws {
    let k = try #require(loaded(kernel("""
      for i in 0 ..< n {
        F[i] = 1.5f * F[i] + sqrt(F[i])
        x[i] = pow(x[i], 2.0) + exp(-x[i]) + fabs(1e-3) + f64(F[i]) + floor(2.5e+2) + 0.
        I[i] = int(x[i]) + i % 3 + max(i, n)
        F[i] = f32(x[i])
        x[i] = i > 2 ? alpha : 0
      }
      """)))
    let statements = assignments(k.file.body)
    #expect(statements.count == 5)
    guard case .forLoop(let loop) = k.file.body[0].kind,
          case .assign(_, _, _, let f32Value) = loop.body[0].kind else { return }
    #expect(k.valueType(of: f32Value) == .scalar(.f32))
  }

  @Test func integerLiteralsConvertToEveryType() {
    #expect(loaded("""
      kernel k(n, C: inout char[n], L: inout i64[n], S: inout i16[n]) {
        for i in 0 ..< n { C[i] = 65; L[i] = i; S[i] = -1 }
      }
      """) != nil)
  }

  @Test func kernelNameMayStartWithADigit() throws {
    let k = try #require(loaded("kernel 2mm(n, A: inout f64[n]) {\n  for i in 0 ..< n { A[i] = 0 }\n}\n"))
    #expect(k.name == "2mm")
  }

  @Test func longExpressionsContinueAfterAnOperator() throws {
    let k = try #require(loaded(kernel("""
      for i in 0 ..< n {
        x[i] = alpha *
               x[i] +
               B[i][
                 i]
      }
      """)))
    #expect(assignments(k.file.body).count == 1)
  }

  @Test func semicolonsSeparateStatementsOnOneLine() throws {
    let k = try #require(loaded(kernel("for i in 0 ..< n { x[i] = 0; x[i] += 1; }")))
    #expect(assignments(k.file.body).count == 2)
  }

  @Test func commentsAreIgnored() {
    #expect(loaded("""
      // line comment
      kernel k(n, /* sizes */ x: inout f64[n]) { /* a
      block comment */ for i in 0 ..< n { x[i] = 0 } // trailing
      }
      """) != nil)
  }

  @Test func sizeParameterWithIntAnnotationIsASize() throws {
    let k = try #require(loaded("kernel k(n: int, c: i32, x: out f64[n]) {\n}\n"))
    #expect(k.sizeParameters == ["n"])
    #expect(k.scalars["c"]?.type == .i32)
  }

  @Test func siblingLoopsMayReuseAnIterator() {
    #expect(loaded(kernel("for i in 0 ..< n { x[i] = 0 }\nfor i in 0 ..< n { x[i] += 1 }")) != nil)
  }

  @Test func loadingAMissingFileReportsIt() {
    do {
      _ = try Frontend.load(path: "/nonexistent/dir/k.loop")
      Issue.record("expected an error")
    } catch let d as Diagnostic {
      #expect(d.location == .unknown)
      #expect(d.description == "/nonexistent/dir/k.loop: error: cannot read file: no such file")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }
}
