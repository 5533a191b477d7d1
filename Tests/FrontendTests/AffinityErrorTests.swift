//===- AffinityErrorTests.swift - Non-affine kernel bodies are rejected ---===//

import Testing
@testable import PolycFrontend

@Suite struct AffinityErrorTests {
  @Test func nonAffineSubscriptMatchesTheSpecificationExample() throws {
    let source = """
      kernel gemm(ni, nj, nk, C: inout f64[ni][nj], A: in f64[ni][nk]) {
        for i in 0 ..< ni {
        for k in 0 ..< nk {
          for j in 0 ..< nj { C[i][j] += A[i * k][j] }
        }
        }
      }
      """
    expectError(source, at: 4, 36, "subscript is not affine: 'A[i * k]'")
    let d = try #require(diagnostic(of: source, path: "gemm.loop"))
    #expect(d.description == """
      gemm.loop:4:36: error: subscript is not affine: 'A[i * k]'
          for j in 0 ..< nj { C[i][j] += A[i * k][j] }
      """ + "\n" + String(repeating: " ", count: 35) + "^")
  }

  @Test func dataValueInSubscriptIsNotAffine() {
    expectError(kernel("for i in 0 ..< n { x[i] = A[i][I[i]] }"), at: 2, 27, "subscript is not affine: 'A[i][I[i]]'")
  }

  @Test func productOfSizeParameterAndIteratorIsNotAffine() {
    expectError(kernel("for i in 0 ..< n {\n  x[m * i] = 0\n}"), at: 3, 3, "subscript is not affine: 'x[m * i]'")
  }

  @Test func minInSubscriptIsNotAffine() {
    expectError(kernel("for i in 0 ..< n { x[min(i, m)] = 0 }"), at: 2, 20, "subscript is not affine")
  }

  @Test func assignedTargetSubscriptMustBeAffine() {
    expectError(kernel("for i in 0 ..< n { x[i / 2] = 0 }"), at: 2, 20, "subscript is not affine: 'x[i / 2]'")
  }

  @Test func dataValueInLoopBoundIsNotAffine() {
    expectError(kernel("for i in 0 ..< n {\n  for j in 0 ..< I[i] { x[j] = 0 }\n}"), at: 3, 18,
                "loop bound is not affine: 'I[i]'")
  }

  @Test func quadraticLoopBoundIsNotAffine() {
    expectError(kernel("for i in 0 ..< n {\n  for j in 1 ... i * i + 1 { x[j] = 0 }\n}"), at: 3, 18,
                "loop bound is not affine: 'i * i + 1'")
  }

  @Test func floordivByNonConstantIsNotAffine() {
    expectError(kernel("for i in 0 ..< floordiv(n, m) { x[i] = 0 }"), at: 2, 16, "loop bound is not affine")
  }

  @Test func scalarParameterInBoundIsNotAffine() {
    expectError(kernel("for i in 0 ..< int(alpha) { x[i] = 0 }"), at: 2, 16, "loop bound is not affine: 'i32(alpha)'")
  }

  @Test func dataValueInConditionIsNotAffine() {
    expectError(kernel("for i in 0 ..< n {\n  if x[i] > 0 { x[i] = 0 }\n}"), at: 3, 6, "condition is not affine: 'x[i] > 0'")
  }

  @Test func bareIntegerConditionIsNotAffine() {
    expectError(kernel("for i in 0 ..< n {\n  if i { x[i] = 0 }\n}"), at: 3, 6, "condition is not affine: 'i'")
  }

  @Test func localArrayDimensionMustBeAffineInSizes() {
    expectError(kernel("for i in 0 ..< n {\n  var t: f64[i]\n}"), at: 3, 14, "array dimension is not affine")
  }

  @Test func parameterDimensionMustBeAffineInSizes() {
    expectError("kernel k(n, s: i32, A: in f64[n * s]) {\n}\n", at: 1, 31, "array dimension is not affine")
  }

  @Test func assumptionMustBeAffineInSizes() {
    expectError(kernel("x[0] = 0") + "assume n >= 1, n * m <= 100\n", at: 4, 16, "assumption is not an affine condition")
  }

  @Test func stepWithReverseIsAccepted() throws {
    let checked = try #require(loaded(kernel("for i in reverse 0 ..< n step 3 { x[i] = 0 }")))
    guard case .forLoop(let loop) = checked.file.body.first?.kind else { Issue.record("no loop"); return }
    #expect(loop.reverse && loop.step == 3)
  }

  @Test func stepMustBePositive() {
    expectError(kernel("for i in 0 ..< n step 0 { x[i] = 0 }"), at: 2, 23, "'step' must be a positive integer constant")
  }

  @Test func hostSectionsAllowAnyIntegerExpressions() {
    #expect(loaded(kernel("x[0] = 0") + """
      init {
        for i in 0 ..< n * m {
          for j in 0 ..< I[i % n] { if I[j] % 2 == 0 { x[I[j] % n] = i / 3 } }
        }
      }
      """) != nil)
  }
}
