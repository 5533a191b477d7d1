//===- ParallelMarks.swift - `parallel` marks for OpenMP ------------------===//
//
// Walking down from the root, the first band on each path with a parallel
// member (no live dependence carried, see BandAnalysis) gets a `parallel`
// mark above that member's loop; the code generator prints it as
// `#pragma omp parallel for`. When the member is not the band's first, the
// band is split so that it becomes the first member of its own band:
//
//   band [t, i] (i parallel)     band [t]
//                          ==>     mark "parallel"
//                                    band [i]
//
// Nothing below a parallel loop is marked parallel (no nested teams). With
// `requireNestedWorkInParallelLoops`, a parallel loop that encloses no other
// loop and sits inside a sequential loop is not marked: one fork/join per
// outer iteration costs more than its work. A member whose schedule depends on
// an iterator with a `serial` directive is never marked. A member that runs
// once for each iteration of the loops around it (`for t in 0 ..< 1`, or a band
// tiled so that one tile covers the domain) is not marked either: isl drops
// such a loop, so its mark would apply to nothing; the next parallel member
// is taken instead.
//
//===----------------------------------------------------------------------===//

import PolycISL

enum ParallelMarks {
  static let name = "parallel"

  static func apply(_ root: ScheduleNode, _ cx: TransformContext) throws -> ScheduleNode {
    try TreeWalk.topDown(root) { node in
      guard try node.kind() == .band else { return (node, true) }
      let props = try cx.oracle.properties(of: node)
      var allowed = props.parallel
      for m in allowed.indices where allowed[m] {
        if let d = try cx.serialDirective(forbidding: m, of: node) {
          allowed[m] = false
          cx.note("parallel: \(cx.describe(node)): member \(m) not marked, directive '\(d.label)'")
        }
      }
      for m in allowed.indices where allowed[m] {
        if try runsOnce(member: m, of: node) {
          allowed[m] = false
          cx.note("parallel: \(cx.describe(node)): member \(m) runs once per outer iteration, not marked")
        }
      }
      guard let k = allowed.firstIndex(of: true) else { return (node, true) }
      if cx.options.requireNestedWorkInParallelLoops {
        let bandBelow = try TreeWalk.hasBandBelow(node)
        let nested = k < props.memberCount - 1 || bandBelow
        let outermost = (try TreeWalk.loopDepthAbove(node)) + k == 0
        if !nested && !outermost {
          cx.note("parallel: \(cx.describe(node)): member \(k) is parallel but encloses no loop inside a sequential loop, not marked")
          return (node, true)
        }
      }
      cx.note("parallel: \(cx.describe(node)): member \(k) marked parallel")
      if k == 0 { return (try node.insertMark(name), false) }
      let marked = try annotateSplit(try node.bandSplit(k), of: props, at: k, cx).child(0).insertMark(name)
      return (try marked.parent(), false)
    }
  }

  /// Whether band member `member` takes one value for each value of the
  /// schedule dimensions above it (outer bands and the band's earlier members).
  static func runsOnce(member: Int, of band: ScheduleNode) throws -> Bool {
    let domain = try band.domain()
    let partial = try band.bandPartialSchedule()
    var outer = try band.prefixScheduleUnionMap().intersectDomain(domain)
    for m in 0..<member { outer = try outer.flatRangeProduct(try partial.member(m).intersectDomain(domain)) }
    let values = try partial.member(member).intersectDomain(domain)
    return try outer.reverse().applyRange(values).isSingleValued()
  }

  /// Sets the flags of both halves of a band of properties `props` split after member `at`
  /// (derived from `props` when the band is permutable, see `DependenceOracle.recordSplit`).
  static func annotateSplit(_ outer: ScheduleNode, of props: BandProperties, at: Int, _ cx: TransformContext) throws -> ScheduleNode {
    try cx.oracle.recordSplit(outer, of: props, at: at)
    let o = try cx.annotate(outer)
    return try cx.annotate(try o.child(0)).parent()
  }
}
