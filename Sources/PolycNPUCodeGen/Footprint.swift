//===- Footprint.swift - What one tile reads, computed with isl -----------===//
//
// As PPCG's memory promotion does (gpu_group.c), the footprint of the input
// access over the instances of one tile is the access relation applied to
// the tile: the statement's domain restricted to `rows x cols` output
// pixels at a symbolic origin (parameters `npu_y0`, `npu_x0`), with every
// channel and tap. Its box hull, whose size isl finds constant for every
// origin, is the input patch the tile's LOAD must bring on chip. The NPU
// backend checks the tile engine's DMA against it: a patch smaller than the
// footprint would compute on data never loaded, and is an error.
//
//===----------------------------------------------------------------------===//

import PolycISL
import PolycModel
import PolycNPU

/// The input footprint of one tile: for each canonical axis of the input (`n`, `h`, `w`, `c`) its extent.
package struct TileFootprint: Sendable, Equatable, CustomStringConvertible {
  package var extents: [String: Int]
  package var description: String { ["n", "h", "w", "c"].compactMap { a in extents[a].map { "\(a)=\($0)" } }.joined(separator: " ") }
}

extension Tensorizer {
  /// The box of input elements the tensorized statement reads over a tile of `rows x cols` pixels.
  package func inputFootprint(_ t: TensorizedReduction, rows: Int, cols: Int) throws -> TileFootprint {
    guard let s = scop.statement(named: t.statement), let access = s.reads.first(where: { $0.array == t.input.array }) else {
      throw fail("gemm", t.statement, "no access to '\(t.input.array)'")
    }
    let vars = s.iterators.indices.map { "v\($0)" }
    var constraints: [String] = []
    if let y = t.iterator(.row), let i = s.iterators.firstIndex(of: y) { constraints.append("npu_y0 <= v\(i) < npu_y0 + \(rows)") }
    if let x = t.iterator(.column), let i = s.iterators.firstIndex(of: x) { constraints.append("npu_x0 <= v\(i) < npu_x0 + \(cols)") }
    if let b = t.iterator(.batch), let i = s.iterators.firstIndex(of: b) { constraints.append("v\(i) = npu_n0") }
    let params = kernel.sizeParameters + ["npu_y0", "npu_x0", "npu_n0"]
    let tile = try PolycISL.Set(scop.ctx, "[\(params.joined(separator: ", "))] -> { \(s.name)[\(vars.joined(separator: ", "))] : \(constraints.isEmpty ? "true" : constraints.joined(separator: " and ")) }")
    let instances = try concreteDomain(s).intersect(tile)
    let touched = try instances.apply(try PolycISL.Map(scop.ctx, access.relation))
    if try touched.isEmpty() { return TileFootprint(extents: [:]) }
    guard let sizes = try touched.fixedBoxSizes() ?? touched.removingDivs().fixedBoxSizes() else {
      throw fail("gemm", s.name, "isl finds no constant-size footprint of '\(t.input.array)' over a \(rows)x\(cols) tile")
    }
    return TileFootprint(extents: Dictionary(zip(t.input.layout, sizes), uniquingKeysWith: { a, _ in a }))
  }
}

extension NPUKernel {
  /// Checks the DMA of `program` against the isl footprint of its tile; returns a note.
  func checkFootprint(_ program: NPUProgram, scop: Scop) throws -> String {
    let t = program.tiles
    let rows = gemm.iterator(.row) == nil ? 1 : t.rows
    let footprint = try Tensorizer(scop: scop, sizes: sizes).inputFootprint(gemm, rows: rows, cols: t.cols)
    let s = gemm.shape
    let patch = ["h": (rows - 1) * s.strideH + s.effectiveKernelHeight, "w": (t.cols - 1) * s.strideW + s.effectiveKernelWidth]
    for axis in ["h", "w"] {
      guard let need = footprint.extents[axis], let have = patch[axis] else { continue }
      guard need <= have else {
        throw NPUCodeGenError(kernel: name, statement: gemm.statement, part: "lowering",
                              message: "the tile's input patch has \(have) entries along \(axis) but the isl footprint of '\(gemm.input.array)' needs \(need)")
      }
    }
    return "npu: isl footprint of '\(gemm.input.array)' over a \(rows)x\(t.cols) tile: \(footprint), loaded as a \(patch["h"]!)x\(patch["w"]!) patch with halo padding"
  }
}
