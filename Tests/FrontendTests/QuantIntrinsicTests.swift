//===- QuantIntrinsicTests.swift - sat_rdhm, rdiv_pot, shl, clamp ---------===//

import Testing
@testable import PolycFrontend

@Suite struct QuantIntrinsicTests {
  let header = "kernel q(n, z: i32, w: i64, A: in i8[n], B: inout i32[n], C: out i8[n], F: in f32[n]) {\n"

  func source(_ body: String) -> String { header + body + "\n}\n" }

  @Test func intrinsicsAcceptIntegersAndReturnInt() throws {
    let text = source("""
        for i in 0 ..< n {
          B[i] = rdiv_pot(sat_rdhm(shl(B[i], max(z, 0)), 1518500250), max(-z, 0))
          C[i] = i8(clamp(z + B[i], -128, 127))
          B[i] = clamp(A[i] - z, A[i], 127)
        }
      """)
    let k = try #require(loaded(text))
    let assigns = assignments(k.file.body)
    #expect(assigns.count == 3)
    guard case .forLoop(let loop) = k.file.body[0].kind, case .assign(_, _, _, let v) = loop.body[0].kind else {
      Issue.record("unexpected tree")
      return
    }
    #expect(k.valueType(of: v) == .int)
  }

  @Test func resultIsIntAndNeedsACastToI8() {
    let d = diagnostic(of: source("for i in 0 ..< n { C[i] = clamp(B[i], -128, 127) }"))
    #expect(d?.message.contains("cannot implicitly convert 'int' to 'i8'") == true, "\(String(describing: d))")
  }

  @Test func floatArgumentIsAnError() {
    let d = diagnostic(of: source("for i in 0 ..< n { B[i] = sat_rdhm(F[i], B[i]) }"))
    #expect(d?.message == "'sat_rdhm' requires integer arguments, found 'f32'", "\(String(describing: d))")
    #expect(d?.location.line == 2 && d?.location.column == 36)
    let e = diagnostic(of: source("for i in 0 ..< n { B[i] = rdiv_pot(B[i], 1.5) }"))
    #expect(e?.message == "'rdiv_pot' requires integer arguments, found 'f64'")
  }

  @Test func wideArgumentIsNotNarrowedImplicitly() {
    let d = diagnostic(of: source("for i in 0 ..< n { B[i] = clamp(w, 0, 10) }"))
    #expect(d?.message.contains("cannot implicitly convert 'i64' to 'i32'") == true, "\(String(describing: d))")
    #expect(diagnostic(of: source("for i in 0 ..< n { B[i] = clamp(i32(w), 0, 10) }")) == nil)
  }

  @Test func arityIsChecked() {
    let d = diagnostic(of: source("for i in 0 ..< n { B[i] = clamp(B[i], 0) }"))
    #expect(d?.message == "'clamp' takes 3 arguments but 2 were given", "\(String(describing: d))")
    let e = diagnostic(of: source("for i in 0 ..< n { B[i] = sat_rdhm(B[i]) }"))
    #expect(e?.message == "'sat_rdhm' takes 2 arguments but 1 was given", "\(String(describing: e))")
    let f = diagnostic(of: source("for i in 0 ..< n { B[i] = shl(B[i], 1, 2) }"))
    #expect(f?.message == "'shl' takes 2 arguments but 3 were given", "\(String(describing: f))")
  }

  @Test func intrinsicsAreNotAffine() {
    let d = diagnostic(of: source("for i in 0 ..< n { B[clamp(i, 0, 3)] = 1 }"))
    #expect(d?.message.contains("subscript is not affine") == true, "\(String(describing: d))")
  }

  @Test func intrinsicsWorkInHostCode() throws {
    let text = source("for i in 0 ..< n { B[i] = A[i] }") + "init {\n  for i in 0 ..< n { B[i] = clamp(rdiv_pot(i * 100, 3), 0, 50) }\n}\n"
    #expect(loaded(text) != nil)
  }
}
