// Kernels without a multiply-accumulate run on the ALU: the expression found
// (taps from the access relations, parameters as constant rows), and the
// forms the ALU cannot run (errors naming the statement and subexpression).

import PolycDriver
import PolycNPU
import PolycNPUCodeGen
import Testing
import TestSupport

@Suite struct ElementwiseTests {
  typealias S = NPUTestSupport

  static func elementwise(_ c: Compilation, _ sizes: [String: Int]) throws -> NPUElementwiseKernel? {
    try NPUCodeGen.analyzeElementwise(scop: c.scop, sizes: sizes, hardware: .npu16)
  }

  @Test func maxPoolTapsComeFromTheAccessRelations() throws {
    let k = try #require(try Self.elementwise(try S.compile(kernel: "qmaxpool2x2"), ["H": 6, "W": 8, "C": 3]))
    #expect(k.outHeight == 3 && k.outWidth == 4 && k.channels == 3 && k.inputs.count == 1)
    #expect(k.reads.map(\.tap) == [
      ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetY: 0, offsetX: 0), ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetY: 0, offsetX: 1),
      ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetY: 1, offsetX: 0), ElementwiseTap(input: 0, strideY: 2, strideX: 2, offsetY: 1, offsetX: 1),
    ])
    #expect(k.expression == .op(.max, .op(.max, .tap(0), .tap(1)), .op(.max, .tap(2), .tap(3))))
  }

  @Test func residualAddParametersBecomeConstantRows() throws {
    let k = try #require(try Self.elementwise(try S.compile(kernel: "qresidual_add"), ["H": 2, "W": 3, "C": 5]))
    #expect(k.parameters.count == 9, "\(k.parameters)")
    #expect("\(k.expression)".hasPrefix("MIN(MAX(ADD(SHR(MULH(ADD("))
  }

  @Test func aKernelWithAGemmIsNotElementwise() throws {
    #expect(try Self.elementwise(try S.compile(kernel: "qmatmul"), ["M": 4, "N": 4, "K": 4]) == nil)
  }

  static func kernel(_ value: String) -> String {
    """
    kernel e(H, W, C, z: i32, A: in i8[H][W][C], B: in i8[H][W][C], Out: out i8[H][W][C]) {
      for y in 0 ..< H { for x in 0 ..< W { for c in 0 ..< C { E: Out[y][x][c] = i8(\(value)) } } }
    }
    assume H >= 1, W >= 1, C >= 1
    dataset SMALL: H = 3, W = 4, C = 5

    """
  }

  @Test(arguments: [
    ("A[y][x][c] * B[y][x][c]", "has no ALU form"),
    ("A[y][x][c] - B[y][x][c]", "subtracts a tensor"),
    ("rdiv_pot(A[y][x][c], B[y][x][c])", "shifts by a tensor"),
    ("A[y][x][c] + i8(B[y][x][c] + z)", "narrows to i8"),
  ])
  func formsTheALUCannotRunAreNamed(value: String, reason: String) throws {
    let c = try S.compile(text: Self.kernel(value))
    let e = try #require(S.error { _ = try Self.elementwise(c, ["H": 3, "W": 4, "C": 5]) })
    #expect(e.statement == "E" && e.part == "elementwise" && e.message.contains(reason), "\(e)")
  }
}
