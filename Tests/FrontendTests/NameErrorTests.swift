//===- NameErrorTests.swift - Undeclared, duplicate and shadowing names ---===//

import Testing
@testable import PolycFrontend

@Suite struct NameErrorTests {
  @Test func undeclaredArray() {
    expectError(kernel("for i in 0 ..< n { Z[i] = 0 }"), at: 2, 20, "use of undeclared name 'Z'")
  }

  @Test func undeclaredScalarOnTheRightSide() {
    expectError(kernel("for i in 0 ..< n { x[i] = beta * x[i] }"), at: 2, 27, "use of undeclared name 'beta'")
  }

  @Test func undeclaredIteratorInSubscript() {
    expectError(kernel("for i in 0 ..< n { x[j] = 0 }"), at: 2, 22, "use of undeclared name 'j'")
  }

  @Test func iteratorIsNotVisibleAfterItsLoop() {
    expectError(kernel("for i in 0 ..< n { x[i] = 0 }\nx[i] = 1"), at: 3, 3, "use of undeclared name 'i'")
  }

  @Test func undeclaredFunction() {
    expectError(kernel("for i in 0 ..< n { x[i] = cube(x[i]) }"), at: 2, 27, "call to undeclared function 'cube'")
  }

  @Test func duplicateParameter() {
    expectError("kernel k(n, m, n) {\n}\n", at: 1, 16, "duplicate declaration of 'n'")
  }

  @Test func duplicateKernelLocal() {
    expectError(kernel("var s: f64\nfor i in 0 ..< n {\n  var s: f32\n}"), at: 4, 3, "duplicate declaration of 's' (previously declared at 2:1)")
  }

  @Test func localNamedLikeAParameter() {
    expectError(kernel("var alpha: f64"), at: 2, 1, "duplicate declaration of 'alpha'")
  }

  @Test func iteratorShadowingAnEnclosingIterator() {
    expectError(kernel("for i in 0 ..< n {\n  for i in 0 ..< n { x[i] = 0 }\n}"), at: 3, 7, "iterator 'i' shadows an enclosing iterator")
  }

  @Test func iteratorShadowingASizeParameter() {
    expectError(kernel("for m in 0 ..< n { x[m] = 0 }"), at: 2, 5, "iterator 'm' shadows the declared name 'm'")
  }

  @Test func iteratorNamedLikeAKernelLocal() {
    expectError(kernel("for t in 0 ..< n { x[t] = 0 }\nvar t: f64"), at: 2, 5, "iterator 't' shadows the declared name 't'")
  }

  @Test func hostVariableNamedLikeAParameter() {
    expectError(kernel("x[0] = 0") + "init {\n  var alpha: f64 = 1\n}\n", at: 5, 3, "duplicate declaration of 'alpha'")
  }

  @Test func duplicateLabel() {
    expectError(kernel("for i in 0 ..< n {\n  S1: x[i] = 0\n  S1: x[i] += 1\n}"), at: 4, 3, "duplicate statement label 'S1'")
  }

  @Test func sizeParameterUsedBeforeItsDeclaration() {
    expectError("kernel k(A: in f64[n], n) {\n}\n", at: 1, 20, "size parameter 'n' must be declared before")
  }

  @Test func unknownTypeInParameter() {
    expectError("kernel k(n, a: f16) {\n}\n", at: 1, 16, "unknown type 'f16'")
  }

  @Test func unknownTypeInVar() {
    expectError(kernel("var s: double"), at: 2, 8, "unknown type 'double'")
  }

  @Test func hostVariablesAreScopedToTheirBlock() {
    expectError(kernel("x[0] = 0") + "init {\n  if n > 0 { var t: int = 1 }\n  x[0] = t\n}\n", at: 6, 10, "use of undeclared name 't'")
  }
}
