//===- Algebra.swift - Integer linear algebra for schedule rows -----------===//
//
// Rank and orthogonal complement of the rows already found for a statement
// (progression constraints, Pluto's H-perp), with fraction-free integer
// elimination: the matrices are tiny (a statement has at most a handful of
// iterators).
//
//===----------------------------------------------------------------------===//

enum Algebra {
  static func gcd(_ a: Int, _ b: Int) -> Int {
    var x = abs(a), y = abs(b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
  }

  /// Reduced row echelon form (integer rows, each normalised by its gcd);
  /// returns the rows and the pivot columns.
  static func echelon(_ rows: [[Int]], columns: Int) -> (rows: [[Int]], pivots: [Int]) {
    var m = rows.filter { $0.contains { $0 != 0 } }
    var pivots: [Int] = []
    var r = 0
    for c in 0..<columns where r < m.count {
      guard let p = (r..<m.count).first(where: { m[$0][c] != 0 }) else { continue }
      m.swapAt(r, p)
      for i in 0..<m.count where i != r && m[i][c] != 0 {
        let a = m[r][c], b = m[i][c]
        m[i] = zip(m[i], m[r]).map { a * $0 - b * $1 }
        let g = m[i].reduce(0) { gcd($0, $1) }
        if g > 1 { m[i] = m[i].map { $0 / g } }
      }
      let g = m[r].reduce(0) { gcd($0, $1) }
      if g > 1 { m[r] = m[r].map { $0 / g } }
      if m[r][c] < 0 { m[r] = m[r].map { -$0 } }
      pivots.append(c)
      r += 1
    }
    return (Array(m.prefix(r)), pivots)
  }

  static func rank(_ rows: [[Int]], columns: Int) -> Int { echelon(rows, columns: columns).pivots.count }

  /// A basis of `{ h : r . h = 0 for every row r }`, integer vectors whose
  /// first non-zero entry is positive.
  static func orthogonalComplement(_ rows: [[Int]], columns: Int) -> [[Int]] {
    let (m, pivots) = echelon(rows, columns: columns)
    var basis: [[Int]] = []
    for free in 0..<columns where !pivots.contains(free) {
      var num = Array(repeating: 0, count: columns)
      var scale = 1
      for (i, p) in pivots.enumerated() { scale = lcm(scale, m[i][p]) }
      num[free] = scale
      for (i, p) in pivots.enumerated() { num[p] = -m[i][free] * (scale / m[i][p]) }
      let g = num.reduce(0) { gcd($0, $1) }
      if g > 1 { num = num.map { $0 / g } }
      if let f = num.first(where: { $0 != 0 }), f < 0 { num = num.map { -$0 } }
      basis.append(num)
    }
    return basis
  }

  static func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
}
