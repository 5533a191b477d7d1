//===- SectionErrorTests.swift - assume, dataset, init and dump errors ----===//

import Testing
@testable import PolycFrontend

@Suite struct SectionErrorTests {
  @Test func datasetMissingASizeParameter() {
    expectError(kernel("x[0] = 0") + "dataset MINI: n = 10\n", at: 4, 9, "dataset 'MINI' does not set size parameter 'm'")
  }

  @Test func datasetSettingAnUnknownParameter() {
    expectError(kernel("x[0] = 0") + "dataset MINI: n = 10, m = 2, q = 3\n", at: 4, 30,
                "dataset 'MINI' sets 'q', which is not a size parameter")
  }

  @Test func datasetSettingAScalarParameter() {
    expectError(kernel("x[0] = 0") + "dataset MINI: n = 10, m = 2, alpha = 3\n", at: 4, 30, "'alpha', which is not a size parameter")
  }

  @Test func datasetSettingAParameterTwice() {
    expectError(kernel("x[0] = 0") + "dataset MINI: n = 10, n = 2\n", at: 4, 23, "duplicate value for 'n' in dataset")
  }

  @Test func duplicateDatasetName() {
    expectError(kernel("x[0] = 0") + "dataset A1: n = 1, m = 1\ndataset A1: n = 2, m = 2\n", at: 5, 9, "duplicate dataset 'A1'")
  }

  @Test func assumptionOverAScalarParameter() {
    expectError(kernel("x[0] = 0") + "assume alpha > 0\n", at: 4, 8, "assumption is not an affine condition on size parameters")
  }

  @Test func assumptionOverAnUndeclaredName() {
    expectError(kernel("x[0] = 0") + "assume q > 0\n", at: 4, 8, "use of undeclared name 'q'")
  }

  @Test func dumpMayUseHostCode() {
    #expect(loaded(kernel("x[0] = 0") + """
      dump {
        var total: f64 = 0
        begin "x"
        for i in 0 ..< n { total += x[i]; if i % 20 == 0 { newline }; print x[i] }
        print total
        end "x"
      }
      """) != nil)
  }
}
