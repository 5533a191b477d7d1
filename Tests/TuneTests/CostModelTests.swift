// The ridge regression behind the model-guided search: it fits what it was
// given, its confidence width shrinks where samples are, and the pick takes
// the lowest lower confidence bound.

import Testing
import PolycTune

@Suite struct CostModelTests {
  @Test func fitsALinearFunction() {
    var m = RidgeModel(features: 3, lambda: 1e-6)
    let samples = [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (2.0, -1.0), (0.5, 3.0)].map { a, b in
      (x: [1, a, b], y: 2 + 3 * a - b)
    }
    m.fit(samples)
    #expect(abs(m.weights[0] - 2) < 1e-4 && abs(m.weights[1] - 3) < 1e-4 && abs(m.weights[2] + 1) < 1e-4, "\(m.weights)")
    #expect(abs(m.predict([1, 4, 4]) - 10) < 1e-3)
  }

  @Test func theWidthIsSmallNearSamplesAndLargeAway() {
    var m = RidgeModel(features: 3)
    #expect(abs(m.width([1, 0, 0]) - 1) < 1e-12, "untrained: 1/sqrt(lambda)")
    m.fit((0..<20).map { _ in (x: [1.0, 1.0, 0.0], y: 0.5) })
    #expect(m.width([1, 1, 0]) < 0.3)
    #expect(m.width([1, 0, 1]) > 0.9, "the third feature was never seen")
  }

  @Test func theInverseIsAnInverse() {
    let a = [[4.0, 1, 2], [1, 3, 0], [2, 0, 5]]
    let inv = RidgeModel.invert(a)
    for i in 0..<3 {
      for j in 0..<3 {
        let p = (0..<3).reduce(0.0) { $0 + a[i][$1] * inv[$1][j] }
        #expect(abs(p - (i == j ? 1 : 0)) < 1e-12)
      }
    }
  }

  @Test func pickExploresThenExploits() {
    // One-hot features of three arms; arm 0 measured often and slow, arm 1 measured often
    // and fast, arm 2 never measured.
    func x(_ arm: Int) -> [Double] { (0..<3).map { $0 == arm ? 1 : 0 } }
    let samples = (0..<10).flatMap { _ in [(x: x(0), y: 1.0), (x: x(1), y: -1.0)] }
    #expect(RidgeModel.pick(from: [0, 1], samples: samples, features: x) == 1)
    #expect(RidgeModel.pick(from: [0, 2], samples: samples, features: x, kappa: 2) == 2, "exploration: arm 2's width")
    #expect(RidgeModel.pick(from: [0, 2], samples: samples, features: x, kappa: 0) == 2, "prediction 0 < 1")
    #expect(RidgeModel.pick(from: [Int](), samples: samples, features: x) == nil)
  }
}
