//===- TileReuse.swift - Does tiling a band pay? --------------------------===//
//
// Tiling pays when data reused along a loop is evicted before it is reused:
// when the accesses made between two reuses (the footprint of the loops
// inside the reusing loop) do not fit in the cache. This is a small
// dimension-counting model, not a cache simulator. For a statement below the
// band, iterator x *carries reuse* of access a when a is invariant along x or
// moves by one element of its last subscript (same cache line). The loops
// inside x's loop are the statement's other iterators whose first band member
// comes after x's. The footprint of a between two reuses is
//
//   large  when a moves along two or more of those inner iterators (a 2-D or
//          bigger slab: a row panel of B in gemm, the whole grid of a stencil
//          between two time steps), or along one with a non-unit stride
//          (one cache line per iteration, a column);
//   small  otherwise (a vector, which stays in cache untiled).
//
// A band is worth tiling when some access has reuse with a large footprint:
//
//   gemm (i, k, j):   B[k][j] invariant along i, moves along k and j   -> tile
//   jacobi-2d (t, t+i, t+j): A[i][j] invariant along t, moves along i, j  -> tile
//   floyd-warshall (i, j) under k: path[k][j] invariant along i, moves
//       along j only (unit stride)                                     -> don't
//   gesummv (i, j):   x[j] invariant along i, moves along j only       -> don't
//
// Untiled bands still get parallel marks, unroll-and-jam and simd marks.
//
//===----------------------------------------------------------------------===//

import PolycISL
import PolycModel

enum TileReuse {
  /// Whether tiling `band` improves locality under the model above; `why`
  /// names the access and loop that decided it.
  static func worthTiling(_ band: ScheduleNode, _ cx: TransformContext) throws -> (Bool, String) {
    let ctx = cx.scop.ctx
    let partial = try band.bandPartialScheduleUnionMap()
    for f in try partial.maps() {
      guard let name = f.domainTupleName, let st = cx.scop.statement(named: name) else { continue }
      let dims = st.iterators.count
      // The first band member that depends on each iterator (nil: outside the band).
      let members = try f.outputDimensionCount()
      var first: [Int?] = Array(repeating: nil, count: dims)
      for x in 0..<dims {
        let moved = try moves(f, along: x, statement: name, dims: dims, ctx)
        guard !(try moved.isEmpty()) else { continue }
        for m in 0..<members {
          let zeroHere = try Set(ctx, "{ [\((0..<members).map { "d\($0)" }.joined(separator: ", "))] : d\(m) = 0 }")
          if !(try moved.isSubset(of: zeroHere)) { first[x] = m; break }
        }
      }
      for a in st.accesses {
        let rel = try Map(ctx, a.relation)
        let stride = try (0..<dims).map { x in
          try AccessStride.kind(of: try moves(rel, along: x, statement: name, dims: dims, ctx), ctx)
        }
        for x in 0..<dims {
          guard let fx = first[x], stride[x] == .invariant || stride[x] == .unit else { continue }
          let inner = (0..<dims).filter { y in y != x && (first[y].map { $0 > fx } ?? false) && stride[y] != .invariant }
          let large = inner.count >= 2 || inner.contains { stride[$0] == .other }
          if large {
            return (true, "\(a.array) in \(name) reused along \(st.iterators[x])")
          }
        }
      }
    }
    return (false, "no reuse beyond a one-dimensional footprint")
  }

  /// The differences f(i + e_x) - f(i) over the domain of `f`.
  static func moves(_ f: Map, along x: Int, statement: String, dims: Int, _ ctx: Context) throws -> Set {
    try AccessStride.moves(f, step: try Map(ctx, AccessStride.nextIterationMap(dims: dims, at: x, tuple: statement)))
  }
}
