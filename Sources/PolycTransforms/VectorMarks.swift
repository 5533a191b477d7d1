//===- VectorMarks.swift - `simd` marks on vectorizable innermost loops ---===//
//
// The last member of a band with no band below it is the innermost loop of
// every statement it schedules. It gets a `simd` mark (printed as
// `#pragma omp simd`) when it carries no dependence and every access is
// invariant or stride-1 along it (AccessStride); the band is split so that
// the member has its own band:
//
//   band [i, j] (j parallel, stride-1)     band [i]
//                                   ==>      mark "simd"
//                                              band [j]
//
//===----------------------------------------------------------------------===//

import PolycISL

enum VectorMarks {
  static let name = "simd"

  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band, !(try TreeWalk.hasBandBelow(node)) else { return node }
      let props = try cx.oracle.properties(of: node)
      let last = props.memberCount - 1
      guard props.parallel[last] else {
        cx.note("simd: \(cx.describe(node)): innermost loop carries a dependence, not marked")
        return node
      }
      let stride = try cx.strideScore(node, member: last)
      guard stride.allContiguous else {
        cx.note("simd: \(cx.describe(node)): \(stride.other) strided access(es) in the innermost loop, not marked")
        return node
      }
      cx.note("simd: \(cx.describe(node)): innermost loop marked simd")
      if last == 0 { return try node.insertMark(name) }
      let outer = try ParallelMarks.annotateSplit(try node.bandSplit(last), of: props, at: last, cx)
      return try outer.child(0).insertMark(name).parent()
    }
  }
}
