//===- TreeBuilder.swift - Tree -> isl schedule tree ----------------------===//
//
// Leaves are `Schedule.fromDomain`, sequences `Schedule.sequence` (isl adds
// the filters), bands `insertPartialSchedule` with the permutable and
// coincident flags set through the ScheduleNode API.
//
//===----------------------------------------------------------------------===//

import PolycISL

struct TreeBuilder {
  let problem: Problem

  func build(_ t: Tree) throws -> Schedule {
    switch t {
    case .leaf(let ss):
      return try Schedule.fromDomain(try domain(ss))
    case .sequence(let parts):
      var result: Schedule?
      for p in parts {
        let s = try build(p)
        result = try result.map { try Schedule.sequence($0, s) } ?? s
      }
      guard let result else { return try Schedule.fromDomain(try UnionSet.empty(problem.ctx)) }
      return result
    case .band(let members, let permutable, let coincident, let child):
      let sub = try build(child)
      let text = problem.prefix + "[" + members.map(memberText).joined(separator: ", ") + "]"
      let banded = try sub.insertPartialSchedule(try MultiUnionPwAff(problem.ctx, text))
      var node = try banded.root().child(0)
      node = try node.bandSetPermutable(permutable)
      for (i, c) in coincident.enumerated() { node = try node.bandMemberSetCoincident(i, c) }
      return try node.schedule()
    }
  }

  func memberText(_ rows: [Int: Row]) -> String {
    "{ " + rows.keys.sorted().map { s in
      let n = problem.nodes[s]
      return "\(problem.tuple(n, n.tupleVars)) -> [(\(problem.rowText(rows[s]!, vars: n.tupleVars)))]"
    }.joined(separator: "; ") + " }"
  }

  func domain(_ ss: [Int]) throws -> UnionSet {
    var u = try UnionSet.empty(problem.ctx)
    for s in ss {
      if let d = try problem.scop.domain.set(named: problem.nodes[s].name) { u = try u.union(try d.toUnionSet()) }
    }
    return u
  }
}
