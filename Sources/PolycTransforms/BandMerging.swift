//===- BandMerging.swift - Merge a band with its only child band ----------===//
//
// A tree built from the source has one single-member band per loop. When a
// band's only child is a band and the merged band is permutable, they become
// one band, so that perfectly nested loops can be tiled together:
//
//   band [i]                     band [i, j]   (permutable)
//     band [j]           ==>       leaf
//       leaf
//
// The flat schedule does not change, so the merge is always legal.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum BandMerging {
  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.bottomUp(root) { node in
      guard try node.kind() == .band, try node.childCount() == 1 else { return node }
      let child = try node.child(0)
      guard try child.kind() == .band else { return node }
      let merged = try node.bandPartialScheduleUnionMap().flatRangeProduct(try child.bandPartialScheduleUnionMap())
      let candidate = try TreeWalk.replaceBand(try child.delete().parent(), partial: merged)
      let props = try cx.oracle.properties(of: candidate)
      guard props.permutable else { return node }
      return try cx.annotate(candidate, props)
    }
  }
}
