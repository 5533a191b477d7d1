// The GEMM intrinsic found on access relations: roles of the iterators and the
// operand layouts for several loop orders and layouts (positive), and kernels
// that are not a GEMM (negative: the error names the statement and the reason).

import PolycDriver
import PolycNPU
import PolycNPUCodeGen
import Testing
import TestSupport

@Suite struct TensorizeTests {
  typealias S = NPUTestSupport

  @Test(arguments: [
    ("for i in 0 ..< M { for k in 0 ..< K { for j in 0 ..< N { MAC } } }", "ikj"),
    ("for k in 0 ..< K { for j in 0 ..< N { for i in 0 ..< M { MAC } } }", "kji"),
    ("for j in 0 ..< N { for i in 0 ..< M { for k in 0 ..< K { MAC } } }", "jik"),
  ])
  func anyLoopOrderGivesTheSameRoles(loops: String, name: String) throws {
    let text = S.kernel(params: "", arrays: "A: in i8[M][K], W: in i8[K][N]", loops: loops, mac: "(A[i][k] - za) * W[k][j]")
    let k = try S.analyze(try S.compile(text: text), sizes: ["M": 20, "N": 18, "K": 33])
    #expect(k.gemm.axes == ["i": .column, "j": .outChannel, "k": .inChannel], "\(name)")
    #expect(k.gemm.input.array == "A" && k.gemm.input.layout == ["w", "c"])
    #expect(k.gemm.weights.array == "W" && k.gemm.weights.layout == ["c", "o"])
    #expect(k.gemm.shape.outputWidth == 20 && k.gemm.shape.outChannels == 18 && k.gemm.shape.inChannels == 33)
  }

  @Test func operandsInEitherOrderAndTransposed() throws {
    let loops = "for i in 0 ..< M { for j in 0 ..< N { for k in 0 ..< K { MAC } } }"
    let text = S.kernel(params: "", arrays: "At: in i8[K][M], Wt: in i8[N][K]", loops: loops, mac: "Wt[j][k] * (At[k][i] - za)")
    let k = try S.analyze(try S.compile(text: text), sizes: ["M": 20, "N": 18, "K": 33])
    #expect(k.gemm.input.array == "At" && k.gemm.input.layout == ["c", "w"] && k.gemm.input.zeroPoint == .parameter("za"))
    #expect(k.gemm.weights.array == "Wt" && k.gemm.weights.layout == ["o", "c"] && k.gemm.weights.zeroPoint == nil)
  }

  @Test func convolutionGeometryFromSubscripts() throws {
    let k = try S.analyze(try S.compile(kernel: "qconv_dilated"), sizes: ["H": 9, "W": 11, "C": 5, "K": 7])
    let s = k.gemm.shape
    #expect(s.kernelHeight == 3 && s.dilationH == 2 && s.dilationW == 2 && s.padTop == 2 && s.padLeft == 2)
    #expect(s.outputHeight == 9 && s.outputWidth == 11)
    #expect(k.gemm.axes["kh"] == .tapRow && k.gemm.axes["kw"] == .tapColumn && k.gemm.axes["c"] == .inChannel)
    let nchw = try S.analyze(try S.compile(kernel: "qconv_nchw"), sizes: ["H": 6, "W": 5, "C": 4, "K": 3])
    #expect(nchw.gemm.input.layout == ["c", "h", "w"] && nchw.gemm.weights.layout == ["o", "c", "kh", "kw"])
    #expect(nchw.gemm.outputLayout == ["o", "y", "x"] && nchw.epilogue.requant?.outputLayout == ["o", "y", "x"])
  }

  @Test func bothZeroPointsAndPerTensorRequant() throws {
    let k = try S.analyze(try S.compile(kernel: "qgemm_zp2"), sizes: ["L": 5, "S": 7, "D": 9])
    #expect(k.gemm.input.zeroPoint == .parameter("zq") && k.gemm.weights.zeroPoint == .parameter("zk"))
    #expect(k.epilogue.bias == nil && k.epilogue.requant?.multiplier == .perTensor("mult"))
  }

  @Test func theTensorizedBandIsMarked() throws {
    let k = try S.analyze(try S.compile(kernel: "qmatmul"), sizes: ["M": 20, "N": 18, "K": 33])
    #expect(k.markedSchedule.contains("mark: \"\(NPUCodeGen.markName)\""), "\(k.markedSchedule)")
  }

  // Negative cases.

  @Test func aFloat64KernelIsRejectedNamingTheTypes() throws {
    let c = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: "\(TestSupportPaths.polybench)/gemm.loop"), strategy: try S.strategy())
    let e = try #require(S.error { _ = try S.analyze(c, sizes: ["ni": 4, "nj": 4, "nk": 4]) })
    #expect(e.part == "gemm" && e.statement == "S1" && e.message.contains("not a product of two array elements"), "\(e)")
  }

  @Test func depthwiseChannelIsTheOutputChannelAndTheInputChannel() throws {
    let text = """
      kernel dw(H, W, C, zi: i32, zo: i32, In: in i8[H][W][C], Wt: in i8[C][3][3], bias: in i32[C],
                mult: in i32[C], shift: in i32[C], Out: out i8[H][W][C]) {
        var acc: int[H][W][C]
        for y in 0 ..< H { for x in 0 ..< W { for c in 0 ..< C { Bias: acc[y][x][c] = bias[c] } } }
        for y in 0 ..< H { for x in 0 ..< W { for c in 0 ..< C { for kh in 0 ..< 3 { for kw in 0 ..< 3 {
          if y + kh >= 1 && y + kh <= H && x + kw >= 1 && x + kw <= W {
            Mac: acc[y][x][c] += (In[y + kh - 1][x + kw - 1][c] - zi) * Wt[c][kh][kw]
          } } } } } }
        for y in 0 ..< H { for x in 0 ..< W { for c in 0 ..< C {
          Requant: Out[y][x][c] = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc[y][x][c], max(shift[c], 0)), mult[c]), max(-shift[c], 0)), -128, 127))
        } } }
      }
      assume H >= 1, W >= 1, C >= 1
      dataset SMALL: H = 5, W = 5, C = 4

      """
    let k = try S.analyze(try S.compile(text: text), sizes: ["H": 5, "W": 5, "C": 4])
    #expect(k.gemm.isDepthwise && k.gemm.axes["c"] == .outChannel && k.gemm.weights.layout == ["o", "kh", "kw"])
    #expect(k.gemm.shape.inChannels == 4 && k.gemm.shape.outChannels == 4)
  }

  @Test func aBatchWithItsOwnWeightsIsAWeightSetPerImage() throws {
    let k = try S.analyze(try S.compile(kernel: "qbmm"), sizes: ["Bt": 3, "M": 5, "N": 6, "K": 7])
    #expect(k.gemm.axes["b"] == .batch && k.gemm.shape.weightSets == 3 && k.gemm.weights.layout == ["s", "c", "o"])
  }

  @Test func twoIteratorsSharedByBothOperandsAreRejected() throws {
    let loops = "for i in 0 ..< M { for j in 0 ..< N { for k in 0 ..< K { MAC } } }"
    let text = S.kernel(params: "", arrays: "A: in i8[M][N][K], W: in i8[M][N][K]", loops: loops, mac: "(A[i][j][k] - za) * W[i][j][k]")
    let e = try #require(S.error { _ = try S.analyze(try S.compile(text: text), sizes: ["M": 3, "N": 4, "K": 5]) })
    #expect(e.statement == "Mac" && e.message.contains("'i', 'j'"), "\(e)")
  }

  @Test func aStatementOutsideThePatternIsNamed() throws {
    var text = try String(contentsOfFile: S.npuKernel("qmatmul"), encoding: .utf8)
    text = text.replacingOccurrences(of: "  for i in 0 ..< M {\n    for k in 0 ..< K {", with: "  for i in 0 ..< M { Extra: acc[i][0] = 1 }\n  for i in 0 ..< M {\n    for k in 0 ..< K {")
    let e = try #require(S.error { _ = try S.analyze(try S.compile(text: text), sizes: ["M": 4, "N": 4, "K": 4]) })
    #expect(e.part == "bias" || e.part == "statements", "\(e)")
  }

  @Test func aTriangularReductionIsNotAConvolution() throws {
    let loops = "for i in 0 ..< M { for j in 0 ..< N { for k in 0 ..< min(K, i + 1) { MAC } } }"
    let text = S.kernel(params: "", arrays: "A: in i8[M][K], W: in i8[K][N]", loops: loops, mac: "(A[i][k] - za) * W[k][j]")
    let e = try #require(S.error { _ = try S.analyze(try S.compile(text: text), sizes: ["M": 20, "N": 18, "K": 33]) })
    #expect(e.statement == "Mac" && e.message.contains("iteration domain"), "\(e)")
  }

  @Test func aBroadcastOutputIteratorIsRejected() throws {
    let loops = "for i in 0 ..< M { for j in 0 ..< N { for k in 0 ..< K { MAC } } }"
    let text = S.kernel(params: "", arrays: "A: in i8[K], W: in i8[K][N]", loops: loops, mac: "(A[k] - za) * W[k][j]")
    let e = try #require(S.error { _ = try S.analyze(try S.compile(text: text), sizes: ["M": 3, "N": 4, "K": 5]) })
    #expect(e.message.contains("'i'"), "\(e)")
  }
}

enum TestSupportPaths {
  static var polybench: String { "\(TestSupport.Fixtures.root)/Kernels/polybench" }
}
