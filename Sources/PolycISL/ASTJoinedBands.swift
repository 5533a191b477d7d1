//===- ASTJoinedBands.swift - Split bands isl cannot generate piecewise ---===//
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
// however later passes split them, form one band. The generator first asks
// isl for the loops of the first piece alone (under the same outer
// schedule, for the instances that reach it) within `pieceProbeOperations`
// isl operations. When that succeeds, the tree is generated as it is (the
// mark dropped): isl lays out a split band's loops differently from a joint
// one (it separates statements at the start of each band), and the split
// layout is the one polyc always printed (joined, cholesky's diagonal tiles
// under the `cpu` preset lose their unroll-and-jam: 2-5% slower at LARGE).
// When it does not, the pieces are joined before isl sees the tree:
//
//   mark "joint-band:3"                    mark "parallel@1"
//     band [W]                     ==>       band [W, T1, T2]
//       mark "parallel"                        ...
//         band [T1, T2]
//           ...
//
// The schedule is the same; each mark found between the pieces moves above
// the joint band tagged with the schedule depth of the member it was on, so
// it still applies to that member's loops (`ASTGenerator.pushDown`). The
// probe counts isl operations, not time: the output is deterministic. The
// joint band has the default AST loop type and no AST build options (polyc
// sets none on the pieces).
//
//===----------------------------------------------------------------------===//

import PolycCIsl

extension ASTGenerator {
  static let jointBandPrefix = "joint-band:"

  /// isl operations the first piece of a split `joint-band` may take to be generated alone.
  /// The wavefront loops of the `cpu` preset's kernels take 20,000-80,000 (jacobi-2d's
  /// 100,000-150,000: joined, it prints the same C in a third of the time); the reproducer of the
  /// header passes 100,000 after half a second and never finishes.
  package static let pieceProbeOperations: UInt = 100_000

  /// The name of the mark saying that the `members` band members below it form one band.
  package static func jointBandMark(members: Int) -> String { "\(jointBandPrefix)\(members)" }

  /// The member count of a `joint-band:<n>` mark, or nil for any other mark.
  static func jointBandMembers(_ markName: String) -> Int? {
    guard markName.hasPrefix(jointBandPrefix) else { return nil }
    return Int(markName.dropFirst(jointBandPrefix.count))
  }

  /// `schedule` with every `joint-band` mark removed, and the pieces of the band below it joined
  /// when isl cannot generate the first piece alone within `probeOperations` under `context`.
  package static func joiningBands(_ schedule: Schedule, context: Set,
                                   probeOperations: UInt = pieceProbeOperations) throws -> Schedule {
    guard schedule.description.contains(jointBandPrefix) else { return schedule }
    return try joinBelow(try schedule.root(), context: context, probeOperations: probeOperations).schedule()
  }

  /// `joiningBands` at and below `node`; returns the node at `node`'s position.
  static func joinBelow(_ node: ScheduleNode, context: Set, probeOperations: UInt) throws -> ScheduleNode {
    var n = node
    if try n.kind() == .mark, let members = jointBandMembers(try n.markId().name) {
      n = try n.delete()
      if try !generatesAlone(n, members: members, context: context, probeOperations: probeOperations) {
        n = try join(n, members: members)
      }
    }
    for i in 0..<(try n.childCount()) {
      n = try joinBelow(try n.child(i), context: context, probeOperations: probeOperations).parent()
    }
    return n
  }

  /// Whether `piece`, a band with fewer than `members` members, is generated alone (under its
  /// outer schedule, for the instances that reach it) within `probeOperations`; true for a band
  /// that was not split.
  static func generatesAlone(_ piece: ScheduleNode, members: Int, context: Set, probeOperations: UInt) throws -> Bool {
    guard try piece.kind() == .band, try piece.bandMemberCount() < members else { return true }
    var probe = try Schedule.fromDomain(try piece.domain()).insertPartialSchedule(try piece.bandPartialSchedule())
    let outer = try piece.prefixScheduleMultiUnionPwAff()
    if try outer.size() > 0 { probe = try probe.insertPartialSchedule(outer) }
    do {
      _ = try piece.ctx.withBudget(probeOperations) { try generateOnce(probe, context: context, reserved: []) }
      return true
    } catch let e as ISLError where e.isQuota {
      return false
    }
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
