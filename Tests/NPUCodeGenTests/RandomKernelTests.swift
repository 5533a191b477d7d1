// Random quantized convolutions for the NPU backend: seeded, reproducible
// kernels with random sizes, strides, dilations, paddings, loop orders,
// operand layouts (dimension permutations), zero points and requantization
// forms. Each must map onto the NPU and equal, byte for byte, the same kernel
// compiled to C by polyc. A failure prints the seed and the kernel.

import PolycDriver
import PolycToolchain
import Foundation
import PolycNPU
import Testing
import TestSupport

extension SplitMix64 {
  mutating func bool() -> Bool { next() & 1 == 1 }
  mutating func shuffled<T>(_ xs: [T]) -> [T] {
    var a = xs
    for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(0...i)) }
    return a
  }
}

enum RandomConvKernel {
  /// A `.loop` text for `seed`.
  static func source(seed: UInt64) -> String {
    var g = SplitMix64(seed: seed)
    let kh = g.int(1...3), kw = g.int(1...3), sh = g.int(1...2), sw = g.int(1...2)
    let dh = kh > 1 ? g.int(1...2) : 1, dw = kw > 1 ? g.int(1...2) : 1
    let effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1
    let ph = g.int(0...(effH - 1)), pw = g.int(0...(effW - 1))
    let h = g.int(max(1, effH - 2 * ph)...9), w = g.int(max(1, effW - 2 * pw)...9)
    let c = g.int(1...20), k = g.int(1...20)
    let oh = (h + 2 * ph - effH) / sh + 1, ow = (w + 2 * pw - effW) / sw + 1
    let ext = ["y": oh, "x": ow, "o": k, "kh": kh, "kw": kw, "c": c]
    let inLayout = g.shuffled(["h", "w", "c"]), wLayout = g.shuffled(["o", "kh", "kw", "c"]), outLayout = g.shuffled(["y", "x", "o"])
    let inDims = ["h": h, "w": w, "c": c], wDims = ["o": k, "kh": kh, "kw": kw, "c": c], outDims = ["y": oh, "x": ow, "o": k]
    let rowIndex = "\(sh == 1 ? "y" : "\(sh) * y") + \(dh == 1 ? "kh" : "\(dh) * kh") - \(ph)"
    let colIndex = "\(sw == 1 ? "x" : "\(sw) * x") + \(dw == 1 ? "kw" : "\(dw) * kw") - \(pw)"
    let inIndex = ["h": rowIndex, "w": colIndex, "c": "c"]
    func dims(_ layout: [String], _ d: [String: Int]) -> String { layout.map { "[\(d[$0]!)]" }.joined() }
    func index(_ layout: [String], _ i: [String: String]) -> String { layout.map { "[\(i[$0] ?? $0)]" }.joined() }
    let weightZero = g.bool(), perTensor = g.bool(), relu = g.bool()
    let order = g.shuffled(["y", "x", "o", "kh", "kw", "c"])
    let guardText = "\(rowIndex) >= 0 && \(rowIndex) < \(h) && \(colIndex) >= 0 && \(colIndex) < \(w)"
    var mac = "Mac: acc\(index(outLayout, [:])) += (In\(index(inLayout, inIndex)) - zi) * \(weightZero ? "(Wt\(index(wLayout, [:])) - zw)" : "Wt\(index(wLayout, [:]))")"
    mac = "if \(guardText) { \(mac) }"
    var body = mac
    for it in order.reversed() { body = "for \(it) in 0 ..< \(ext[it]!) { \(body) }" }
    let m = perTensor ? "mult" : "mult[o]", s = perTensor ? "shift" : "shift[o]"
    let params = perTensor ? ", mult: i32, shift: i32" : ""
    let arrays = perTensor ? "" : ", mult: in i32[\(k)], shift: in i32[\(k)]"
    return """
      // random NPU kernel, seed \(seed)
      kernel rnd(zi: i32, zo: i32\(weightZero ? ", zw: i32" : "")\(params),
                 In: in i8\(dims(inLayout, inDims)), Wt: in i8\(dims(wLayout, wDims)), bias: in i32[\(k)]\(arrays),
                 Out: out i8\(dims(outLayout, outDims))) {
        var acc: int\(dims(outLayout, outDims))
        for y in 0 ..< \(oh) { for x in 0 ..< \(ow) { for o in 0 ..< \(k) { Bias: acc\(index(outLayout, [:])) = bias[o] } } }
        \(body)
        for y in 0 ..< \(oh) { for x in 0 ..< \(ow) { for o in 0 ..< \(k) {
          Requant: Out\(index(outLayout, [:])) = i8(clamp(zo + rdiv_pot(sat_rdhm(shl(acc\(index(outLayout, [:])), max(\(s), 0)), \(m)), max(-\(s), 0)), \(relu ? "zo" : "-128"), 127))
        } } }
      }

      """
  }
}

@Suite struct RandomKernelTests {
  /// `make test` runs these seeds; POLYC_NPU_FUZZ=N (read by this test only) runs N more.
  static var seeds: [UInt64] {
    let extra = Int(ProcessInfo.processInfo.environment["POLYC_NPU_FUZZ"] ?? "") ?? 0
    return Array(1...10) + (extra > 0 ? (1000..<(1000 + UInt64(extra))).map { $0 } : [])
  }

  @Test(arguments: seeds)
  func randomConvolutionIsBitExact(seed: UInt64) throws {
    let text = RandomConvKernel.source(seed: seed)
    let c = try NPUTestSupport.compile(text: text)
    let r = try NPURunner.run(c, sizes: [:], options: NPUKernelRunOptions(seed: seed, cpuRunner: SystemCProgramRunner()))
    #expect(r.bitExact && r.cpuMismatches == 0, "seed \(seed): \(String(describing: r.cpuMismatches)) mismatches\n\(text)")
  }
}
