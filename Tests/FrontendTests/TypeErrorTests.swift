//===- TypeErrorTests.swift - Arity, type and assignment errors -----------===//

import Testing
@testable import PolycFrontend

@Suite struct ArityErrorTests {
  @Test func arrayAccessedWithTooFewSubscripts() {
    expectError(kernel("for i in 0 ..< n { x[i] = A[i] }"), at: 2, 27,
                "array 'A' has 2 dimensions but is accessed with 1 subscript")
  }

  @Test func arrayUsedWithoutSubscripts() {
    expectError(kernel("for i in 0 ..< n { x[i] = x }"), at: 2, 27, "array 'x' used without subscripts")
  }

  @Test func scalarAccessedWithSubscripts() {
    expectError(kernel("for i in 0 ..< n { x[i] = alpha[i] }"), at: 2, 27, "'alpha' is not an array")
  }

  @Test func mathFunctionWithTooManyArguments() {
    expectError(kernel("for i in 0 ..< n { x[i] = sqrt(x[i], 2.0) }"), at: 2, 27,
                "'sqrt' takes 1 argument but 2 were given")
  }

  @Test func powWithOneArgument() {
    expectError(kernel("for i in 0 ..< n { x[i] = pow(x[i]) }"), at: 2, 27, "'pow' takes 2 arguments but 1 was given")
  }

  @Test func castWithTwoArguments() {
    expectError(kernel("for i in 0 ..< n { x[i] = f64(i, n) }"), at: 2, 27, "cast to 'f64' takes 1 argument but 2 were given")
  }
}

@Suite struct TypeErrorTests {
  @Test func doubleIntoIntArrayNeedsACast() {
    expectError(kernel("for i in 0 ..< n {\n  I[i] = x[i] * 2\n}"), at: 3, 10,
                "cannot implicitly convert 'f64' to 'i32'")
  }

  @Test func doubleIntoFloatArrayNeedsACast() {
    expectError(kernel("for i in 0 ..< n { F[i] = x[i] }"), at: 2, 27, "cannot implicitly convert 'f64' to 'f32'")
  }

  @Test func intIntoCharArrayNeedsACast() {
    expectError("kernel k(n, C: out char[n]) {\n  for i in 0 ..< n { C[i] = i }\n}\n", at: 2, 29,
                "cannot implicitly convert 'int' to 'char'")
  }

  @Test func remainderOnFloatingOperands() {
    expectError(kernel("for i in 0 ..< n { x[i] = x[i] % 2.0 }"), at: 2, 32, "'%' requires integer operands, found 'f64'")
  }

  @Test func floatingSubscript() {
    expectError(kernel("for i in 0 ..< n { x[i] = A[i][alpha] }"), at: 2, 32, "subscript must be an integer, found 'f64'")
  }

  @Test func floatingLoopBound() {
    expectError(kernel("for i in 0 ..< alpha { x[i] = 0 }"), at: 2, 16, "loop bound must be an integer, found 'f64'")
  }

  @Test func floatingKernelCondition() {
    expectError(kernel("for i in 0 ..< n {\n  if 1.5 { x[i] = 0 }\n}"), at: 3, 6, "condition must be an integer, found 'f64'")
  }

  @Test func floatingFloordivArgument() {
    expectError(kernel("for i in 0 ..< n { x[i] = floordiv(x[i], 2) }"), at: 2, 36, "'floordiv' requires integer arguments")
  }

  @Test func hostVariableInitialValueIsChecked() {
    expectError(kernel("x[0] = 0") + "init {\n  var k: int = alpha\n}\n", at: 5, 16, "cannot implicitly convert 'f64' to 'i32'")
  }
}

@Suite struct AssignmentErrorTests {
  @Test func assigningToAnInArray() {
    expectError(kernel("for i in 0 ..< n {\n  B[i][i] = 0\n}"), at: 3, 3, "cannot assign to 'in' array 'B'")
  }

  @Test func assigningToAScalarParameterInTheKernel() {
    expectError(kernel("alpha = 2"), at: 2, 1, "cannot assign to scalar parameter 'alpha'")
  }

  @Test func assigningToASizeParameterInTheKernel() {
    expectError(kernel("n = 2"), at: 2, 1, "cannot assign to size parameter 'n'")
  }

  @Test func assigningToAnIterator() {
    expectError(kernel("for i in 0 ..< n { i = 2 }"), at: 2, 20, "cannot assign to loop iterator 'i'")
  }

  @Test func kernelVarWithInitialValue() {
    expectError(kernel("var s: f64 = 0"), at: 2, 14, "kernel variables take no initial value")
  }

  @Test func printOutsideDump() {
    expectError(kernel("print x[0]"), at: 2, 1, "'print' is only allowed in the 'dump' section")
  }

  @Test func newlineInInit() {
    expectError(kernel("x[0] = 0") + "init {\n  newline\n}\n", at: 5, 3, "'newline' is only allowed in the 'dump' section")
  }

  @Test func labelInInit() {
    expectError(kernel("x[0] = 0") + "init {\n  L: x[0] = 1\n}\n", at: 5, 3, "statement labels are only allowed in the kernel body")
  }

  @Test func initMayAssignParametersAndInArrays() {
    #expect(loaded(kernel("x[0] = 0") + "init {\n  alpha = 1.5\n  n = 4\n  B[0][0] = alpha\n}\n") != nil)
  }
}
