//===- CostModel.swift - An online cost model for the strategy search ----===//
//
// A ridge regression on candidate features, refitted after every measurement
// (AutoTVM's and ML2Tuner's idea, at the scale of a few dozen samples): the
// model predicts the log of a candidate's time relative to the preset, and
// its confidence width sqrt(x^T A^-1 x) (A = X^T X + lambda I) says how far
// the candidate is from what was measured. The search picks the candidate
// with the lowest lower confidence bound, prediction - kappa * width
// (LinUCB): early on the width dominates and the search explores directions
// not measured yet; as samples accumulate the prediction takes over. With
// kappa = 0 (the CPU search) it picks the candidate predicted best.
//
//===----------------------------------------------------------------------===//

import Foundation

package struct RidgeModel: Sendable {
  package let lambda: Double
  /// Weights, one per feature (the caller's features include a constant 1 for a bias).
  package private(set) var weights: [Double]
  /// (X^T X + lambda I)^-1.
  package private(set) var inverse: [[Double]]

  /// An untrained model of `features` features: predicts 0 with width 1/sqrt(lambda) everywhere.
  package init(features: Int, lambda: Double = 1.0) {
    self.lambda = lambda
    weights = Array(repeating: 0, count: features)
    inverse = (0..<features).map { i in (0..<features).map { $0 == i ? 1 / lambda : 0 } }
  }

  /// Fits the model to samples `(x, y)` (every `x` with the model's feature count).
  package mutating func fit(_ samples: [(x: [Double], y: Double)]) {
    let n = weights.count
    var a = (0..<n).map { i in (0..<n).map { $0 == i ? lambda : 0.0 } }
    var b = Array(repeating: 0.0, count: n)
    for (x, y) in samples {
      precondition(x.count == n, "feature count")
      for i in 0..<n where x[i] != 0 {
        b[i] += x[i] * y
        for j in 0..<n where x[j] != 0 { a[i][j] += x[i] * x[j] }
      }
    }
    inverse = Self.invert(a)
    weights = (0..<n).map { i in (0..<n).reduce(0) { $0 + inverse[i][$1] * b[$1] } }
  }

  package func predict(_ x: [Double]) -> Double { zip(weights, x).reduce(0) { $0 + $1.0 * $1.1 } }

  /// sqrt(x^T A^-1 x): 1/sqrt(lambda) far from every sample, smaller near many.
  package func width(_ x: [Double]) -> Double {
    var s = 0.0
    for i in x.indices where x[i] != 0 {
      for j in x.indices where x[j] != 0 { s += x[i] * inverse[i][j] * x[j] }
    }
    return max(0, s).squareRoot()
  }

  /// Gauss-Jordan with partial pivoting; `a` is symmetric positive definite (lambda > 0).
  package static func invert(_ m: [[Double]]) -> [[Double]] {
    let n = m.count
    var a = m
    var inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    for col in 0..<n {
      let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
      a.swapAt(col, pivot)
      inv.swapAt(col, pivot)
      let p = a[col][col]
      for j in 0..<n {
        a[col][j] /= p
        inv[col][j] /= p
      }
      for r in 0..<n where r != col && a[r][col] != 0 {
        let f = a[r][col]
        for j in 0..<n {
          a[r][j] -= f * a[col][j]
          inv[r][j] -= f * inv[col][j]
        }
      }
    }
    return inv
  }
}

extension RidgeModel {
  /// The candidates a model-guided step chooses among: 96 draws, alternately `random()` and a
  /// `neighbour` of one of the first four of `best` (in turn), without those `seen` rejects.
  package static func pool<C>(random: () -> C, neighbour: (C) -> C, of best: [C], seen: (C) -> Bool) -> [C] {
    var pool: [C] = []
    for i in 0..<96 {
      let c = i % 2 == 0 ? random() : neighbour(best[i / 2 % min(4, best.count)])
      if !seen(c) { pool.append(c) }
    }
    return pool
  }

  /// Of `pool`, the candidate with the lowest lower confidence bound on its predicted score
  /// (`prediction - kappa * width`) under a model fitted to `samples` (features, score; lower
  /// scores are better). The first of equal candidates wins, so the choice is deterministic.
  package static func pick<C>(from pool: [C], samples: [(x: [Double], y: Double)], features: (C) -> [Double],
                              kappa: Double = 0.5, lambda: Double = 1.0) -> C? {
    guard let first = pool.first else { return nil }
    var model = RidgeModel(features: features(first).count, lambda: lambda)
    model.fit(samples)
    var best: (C, Double)?
    for c in pool {
      let x = features(c)
      let bound = model.predict(x) - kappa * model.width(x)
      if best == nil || bound < best!.1 { best = (c, bound) }
    }
    return best?.0
  }
}
