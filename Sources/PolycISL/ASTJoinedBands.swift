//===- ASTJoinedBands.swift - Split bands generated as one band -----------===//
//
// A pass that puts a mark on a band's second member splits the band: the
// members before the mark become a band of their own, and isl's AST
// generator builds that piece's loops alone, from the image of the
// statement instances under its members only. For a wavefront-skewed tile
// band that image is costly and sometimes hopeless: `floor(t/64) +
// floor((2t + i)/32)` alone (jacobi-2d, tiles 64x32x32) keeps isl 0.25's
// stride detection (`isl_ast_build_detect_strides` -> affine hull ->
// generalised basis reduction over the projected-out instance and division
// variables) running for hours on GMP numbers that keep growing. With the
// tile loops it was skewed against in the same band, `W - T1` is the first
// tile coordinate and no division is left to project out: the same tree
// takes 0.1 s (docs/testing.md, "AST generation of wavefront-skewed tiles").
//
// A mark `joint-band:<n>` above a band says that the `n` members below it,
// however later passes split them, form one band; the generator joins the
// pieces before isl sees the tree:
//
//   mark "joint-band:3"                    mark "parallel@1"
//     band [W]                     ==>       band [W, T1, T2]
//       mark "parallel"                        ...
//         band [T1, T2]
//           ...
//
// The schedule is the same; each mark found between the pieces moves above
// the joint band tagged with the schedule depth of the member it was on, so
// it still applies to that member's loops (`ASTGenerator.pushDown`). isl
// may lay out a joint band's loops differently from its pieces (it
// separates the statements at the start of each band). The joint band has
// the default AST loop type and no AST build options (polyc sets none on
// the pieces).
//
//===----------------------------------------------------------------------===//

import PolycCIsl

extension ASTGenerator {
  static let jointBandPrefix = "joint-band:"

  /// The name of the mark saying that the `members` band members below it form one band.
  package static func jointBandMark(members: Int) -> String { "\(jointBandPrefix)\(members)" }

  /// The member count of a `joint-band:<n>` mark, or nil for any other mark.
  static func jointBandMembers(_ markName: String) -> Int? {
    guard markName.hasPrefix(jointBandPrefix) else { return nil }
    return Int(markName.dropFirst(jointBandPrefix.count))
  }

  /// `schedule` with every `joint-band` mark removed and the pieces of the band below it joined.
  package static func joiningBands(_ schedule: Schedule) throws -> Schedule {
    guard schedule.description.contains(jointBandPrefix) else { return schedule }
    return try joinBelow(try schedule.root()).schedule()
  }

  /// `joiningBands` at and below `node`; returns the node at `node`'s position.
  static func joinBelow(_ node: ScheduleNode) throws -> ScheduleNode {
    var n = node
    if try n.kind() == .mark, let members = jointBandMembers(try n.markId().name) {
      n = try join(try n.delete(), members: members)
    }
    for i in 0..<(try n.childCount()) {
      n = try joinBelow(try n.child(i)).parent()
    }
    return n
  }

  /// The band at `band`'s position with the bands and marks below it joined until it has
  /// `members` members (a band reaching past them is split first) or the chain of bands and
  /// marks ends; the marks go above it, tagged with their depth. Returns the topmost node at
  /// `band`'s position.
  static func join(_ band: ScheduleNode, members: Int) throws -> ScheduleNode {
    guard try band.kind() == .band else { return band }
    let position = try band.treeDepth()
    let depth = try band.scheduleDepth()
    var partial = try band.bandPartialSchedule()
    var count = try partial.size()
    var marks: [String] = []
    var joined = false
    var below = try band.child(0)
    chain: while count < members {
      switch try below.kind() {
      case .mark:
        marks.append("\(try below.markId().name)\(markDepthSeparator)\(depth + count)")
      case .band:
        if try below.bandMemberCount() > members - count { below = try below.bandSplit(members - count) }
        let piece = try below.bandPartialSchedule()
        partial = try partial.flatRangeProduct(piece)
        count += try piece.size()
      default:
        break chain
      }
      below = try below.delete()
      joined = true
    }
    guard joined else { return band }
    var top = below
    while try top.treeDepth() > position { top = try top.parent() }
    var joint = try top.delete().insertPartialSchedule(partial)
    for m in marks.reversed() { joint = try joint.insertMark(m) }
    return joint
  }
}
