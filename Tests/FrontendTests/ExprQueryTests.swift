// Queries on expression trees that later stages rely on.

import Testing
@testable import PolycFrontend

@Suite struct ExprQueryTests {
  static let at = SourceLocation(line: 1, column: 1, offset: 0)
  static func name(_ n: String) -> Expr { Expr(.name(n), at: at) }
  static func int(_ v: Int) -> Expr { Expr(.intLiteral(v), at: at) }

  @Test func mentionsFindsNamesAnywhere() {
    // A[t % 2][i + 1] * sqrt(x) + (c ? j : 0)
    let access = Expr(.access(array: "A", subscripts: [
      Expr(.binary(.rem, Self.name("t"), Self.int(2)), at: Self.at),
      Expr(.binary(.add, Self.name("i"), Self.int(1)), at: Self.at),
    ]), at: Self.at)
    let call = Expr(.call(function: "sqrt", arguments: [Self.name("x")]), at: Self.at)
    let choice = Expr(.ternary(Self.name("c"), Self.name("j"), Self.int(0)), at: Self.at)
    let e = Expr(.binary(.add, Expr(.binary(.mul, access, call), at: Self.at), choice), at: Self.at)
    for n in ["t", "i", "x", "c", "j"] { #expect(e.mentions(n), "\(n)") }
    #expect(!e.mentions("A"))  // the array name is not a scalar name
    #expect(!e.mentions("k"))
    #expect(!Self.int(3).mentions("i"))
    #expect(Expr(.cast(.f64, Self.name("n")), at: Self.at).mentions("n"))
    #expect(Expr(.unary(.neg, Self.name("n")), at: Self.at).mentions("n"))
  }
}
