//===- Scop.swift - The polyhedral model of a kernel ----------------------===//
//
// A `Scop` is the isl view of a checked kernel: one iteration domain per
// statement, read and write access relations, the array extents, the
// parameter context (from `assume`) and the original schedule as an isl
// schedule tree (a sequence node per block, a one-member band per loop, the
// loop iterator negated for `reverse` loops).
//
// Kernel-local scalars are zero-dimensional arrays (`sum[]`); scalar
// parameters are read-only values, not memory, and have no accesses.
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL

/// One array reference of a statement.
package struct AccessInfo: Hashable, Sendable {
  package var array: String
  package var subscripts: [Expr]
  package var isWrite: Bool
  /// The access relation in isl notation, e.g. `[n] -> { S0[i, j] -> C[i, j] }`.
  package var relation: String
  package var location: SourceLocation
}

/// One statement of the kernel body, with everything later stages need.
package struct StatementInfo: Hashable, Sendable {
  package var name: String
  /// Enclosing loop iterators, outermost first (source names).
  package var iterators: [String]
  /// The iteration domain in isl notation.
  package var domain: String
  package var target: Expr
  package var op: AssignOp
  package var value: Expr
  package var accesses: [AccessInfo]
  package var location: SourceLocation
  /// A statement of a SCoP given as isl strings: no body, C calls it as a macro
  /// with its iterators, `S0(c0, c1)`.
  package var isOpaque = false
  package var reads: [AccessInfo] { accesses.filter { !$0.isWrite } }
  package var writes: [AccessInfo] { accesses.filter { $0.isWrite } }
}

/// The size of an array (`C[i0, i1] : 0 <= i0 < ni and 0 <= i1 < nj`).
package struct ArrayInfo: Hashable, Sendable {
  package var name: String
  package var type: ScalarType
  package var dimensions: [Expr]
  package var role: ArrayRole?
  /// The extent set in isl notation.
  package var extent: String
}

package final class Scop {
  package let ctx: Context
  package let kernel: CheckedKernel
  package let statements: [StatementInfo]
  package let arrays: [ArrayInfo]
  /// `[ni, nj] -> { : ni >= 1 ... }`.
  package let context: Set
  /// The union of all statement domains (intersected with the context).
  package let domain: UnionSet
  package let reads: UnionMap
  package let writes: UnionMap
  package let originalSchedule: Schedule
  /// Value-based flow, anti and output dependences (`memoryDependences`) already computed
  /// by an earlier stage on this model (scalar expansion), for the dependence analysis to reuse.
  package internal(set) var knownDependences: (flow: UnionMap, anti: UnionMap, output: UnionMap)?

  init(ctx: Context, kernel: CheckedKernel, statements: [StatementInfo], arrays: [ArrayInfo], context: Set,
       domain: UnionSet, reads: UnionMap, writes: UnionMap, originalSchedule: Schedule) {
    self.ctx = ctx
    self.kernel = kernel
    self.statements = statements
    self.arrays = arrays
    self.context = context
    self.domain = domain
    self.reads = reads
    self.writes = writes
    self.originalSchedule = originalSchedule
  }

  /// Value-based dependences of `reads` and `writes` under `schedule`: flow
  /// (RAW), output (WAW) and anti (WAR, from each read to the next write of
  /// the same element, without the pairs that are output dependences). The
  /// one formula behind `Dependences`, the scheduler's uncoalesced validity
  /// edges and scalar expansion's check.
  ///
  /// The anti dependences are asked of isl as "the last write before each
  /// read" under the reversed schedule (`Schedule.reversedOrder`): a
  /// must-source problem like the flow dependences. The direct formulation
  /// (writes as sinks, reads as may-sources killed by writes) gives the same
  /// relation but makes isl check every read against every intervening
  /// write; on loop nests with strides and `min`/`max` bounds it took 100x
  /// longer (random program 43: 13 s instead of 0.3 s).
  package static func memoryDependences(reads: UnionMap, writes: UnionMap, schedule: Schedule) throws
    -> (flow: UnionMap, anti: UnionMap, output: UnionMap) {
    let flow = try Flow.compute(sink: reads, mustSource: writes, schedule: schedule).must
    let output = try Flow.compute(sink: writes, mustSource: writes, schedule: schedule).must
    let war: UnionMap
    if let reversed = try schedule.reversedOrder() {
      war = try Flow.compute(sink: reads, mustSource: writes, schedule: reversed).must.reverse()
    } else {
      war = try Flow.compute(sink: writes, mustSource: writes, maySource: reads, schedule: schedule).may
    }
    return (flow, try war.subtract(output), output)
  }

  /// Memory-based dependences: every pair of accesses to the same element,
  /// the first before the second under `schedule`, at least one a write
  /// (anti without the output pairs, as above). A superset of the
  /// value-based dependences, so as safe for legality, but with no kills to
  /// compute: the fallback when the dataflow analysis runs out of budget.
  /// `input`: also the read-after-read pairs.
  public static func memoryBasedDependences(reads: UnionMap, writes: UnionMap, schedule: Schedule, input: Bool = false) throws
    -> (flow: UnionMap, anti: UnionMap, output: UnionMap, input: UnionMap?) {
    let order = try schedule.map()
    let before = try order.lexLessThan(order)
    let flow = try writes.applyRange(try reads.reverse()).intersect(before)
    let output = try writes.applyRange(try writes.reverse()).intersect(before)
    let anti = try reads.applyRange(try writes.reverse()).intersect(before).subtract(output)
    let rar = input ? try reads.applyRange(try reads.reverse()).intersect(before) : nil
    return (flow, anti, output, rar)
  }

  /// The isl parameter prefix, e.g. `[ni, nj, nk] -> `.
  package var parameterPrefix: String { ScopBuilder.prefix(kernel.sizeParameters) }

  package func statement(named name: String) -> StatementInfo? { statements.first { $0.name == name } }

  /// Builds the model of a checked kernel.
  package static func build(_ kernel: CheckedKernel, ctx: Context = Context()) throws -> Scop {
    try ScopBuilder(kernel: kernel, ctx: ctx).build()
  }

  /// A readable dump of the model (`--emit scop`).
  package func render() throws -> String {
    var out = "kernel \(kernel.name)\n"
    out += "context: \(try context.description)\n"
    out += "arrays:\n"
    for a in arrays {
      let role = a.role.map { $0.rawValue } ?? "local"
      out += "  \(a.name): \(role) \(a.type.rawValue) \(a.extent)\n"
    }
    out += "statements:\n"
    for s in statements {
      out += "  \(s.name) (line \(s.location.line)): \(ExprText.statement(s.target, s.op, s.value))\n"
      out += "    domain: \(try Set(ctx, s.domain).coalesce())\n"
      for a in s.accesses {
        out += "    \(a.isWrite ? "write" : "read "): \(a.relation)\n"
      }
    }
    out += "original schedule:\n"
    out += try originalSchedule.description.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    out += "\n"
    return out
  }
}
