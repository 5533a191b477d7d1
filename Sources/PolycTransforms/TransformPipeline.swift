//===- TransformPipeline.swift - The CPU transforms, in order -------------===//
//
// scheduled tree
//   -> BandMerging          (perfectly nested bands into permutable bands)
//   -> MatmulOptimizer      (matrix multiplications: cache and register tiles;
//                            the later passes skip its subtree)
//   -> Tiling (+Wavefront)  (permutable bands; wavefront when no tile loop is parallel)
//   -> IntraTileReordering  (stride-1 parallel innermost loop)
//   -> InnermostDistribution (per-statement innermost loops, when that makes them parallel)
//   -> UnrollAndJam         (optional)
//   -> ParallelMarks, VectorMarks
//   -> MarkAudit            (every mark re-checked against the dependences)
//
// Each pass is thin and may fail: an isl error, or a result that violates a
// dependence, drops that pass (the tree before it is kept) with a note, in
// the spirit of Polly's fallbacks. The passes first run one after the other
// with a single legality check of the result, under one
// `budget.transformOperations` budget: every pass only makes changes the
// dependence oracle allowed, so this is the common case. When that result
// violates a dependence, a pass fails or the budget runs out, the passes run
// again from the start, step by step: each under its own budget (past it the
// pass is skipped with a note and the tree before it kept), and each pass
// that changes the order of the instances (merge, matmul, tiling,
// reordering, distribution) checked, so the pass at fault is the one dropped.
// The others insert marks or split bands, which leaves the schedule relation
// as it was (marks are re-checked by MarkAudit, jams by UnrollAndJam itself).
// The Driver checks the final tree again. The dependence oracle every pass
// asks is built under the same budget; past it no pass runs.
//
//===----------------------------------------------------------------------===//

import PolycDependences
import PolycISL
import PolycModel
import PolycScheduler

/// The transformed schedule and what each pass did or skipped.
package struct TransformResult {
  package let schedule: Schedule
  package let notes: [String]
  /// Bands the tiling pass tiled.
  package var tiledBands = 0

  package init(schedule: Schedule, notes: [String]) {
    self.schedule = schedule
    self.notes = notes
  }

  /// Whether the transforms found anything to exploit: a parallel or vector
  /// loop, or a tiled band.
  package func gains() throws -> Bool {
    if tiledBands > 0 { return true }
    func walk(_ n: ScheduleNode) throws -> Bool {
      if try n.kind() == .mark, ["parallel", "simd"].contains(try n.markId().name) { return true }
      for i in 0..<(try n.childCount()) where try walk(try n.child(i)) { return true }
      return false
    }
    return try walk(try schedule.root())
  }
}

package enum TransformPipeline {
  /// One pass: `reorders` when it may change the order of the instances (checked for legality
  /// in the step-by-step run).
  struct Pass {
    var name: String
    var reorders: Bool
    var run: (ScheduleNode, TransformContext) throws -> ScheduleNode
  }

  /// The enabled passes, in order.
  static func passes(_ options: TransformOptions) -> [Pass] {
    let all: [(String, Bool, Bool, (ScheduleNode, TransformContext) throws -> ScheduleNode)] = [
      ("merge", options.mergeNestedBands, true, BandMerging.apply),
      ("matmul", options.matmul != nil, true, MatmulOptimizer.apply),
      ("tiling", options.tile, true, Tiling.apply),
      ("reorder", options.intraTileReorder && (options.tile || options.vectorize), true, IntraTileReordering.apply),
      ("distribution", options.vectorize && options.distributeInnermost, true, InnermostDistribution.apply),
      ("unroll-and-jam", !options.unrollAndJam.isEmpty, false, UnrollAndJam.apply),
      ("parallel", options.parallel, false, ParallelMarks.apply),
      ("simd", options.vectorize, false, VectorMarks.apply),
      ("audit", options.parallel || options.vectorize, false, MarkAudit.apply),
    ]
    return all.filter(\.1).map { Pass(name: $0.0, reorders: $0.2, run: $0.3) }
  }

  /// `directives`: the scheduler's directives the schedule honours; a loop of
  /// an iterator with a `serial` directive is never marked parallel.
  package static func apply(schedule: Schedule, scop: Scop, dependences: Dependences,
                           options: TransformOptions, directives: [Directive] = []) throws -> TransformResult {
    try apply(schedule: schedule, scop: scop, dependences: dependences, options: options, directives: directives, extra: [])
  }

  /// `extra`: passes run after the enabled ones (the tests inject a faulty pass through it).
  static func apply(schedule: Schedule, scop: Scop, dependences: Dependences,
                    options: TransformOptions, directives: [Directive], extra: [Pass]) throws -> TransformResult {
    guard options.isEnabled else { return TransformResult(schedule: schedule, notes: []) }
    let cx: TransformContext
    do {
      cx = try scop.ctx.withBudget(options.operations) {
        try TransformContext(scop: scop, dependences: dependences, options: options,
                             serial: directives.filter { $0.kind == .serial })
      }
    } catch let e as ISLError where e.isQuota {
      return TransformResult(schedule: schedule, notes: [skipped("every transform", options)])
    }
    let passes = Self.passes(options) + extra
    func result(_ tree: Schedule) -> TransformResult {
      var r = TransformResult(schedule: tree, notes: cx.notes)
      r.tiledBands = cx.tiledBands
      return r
    }

    // One unchecked run and one check of its result (see the header); any failure falls
    // through to the step-by-step run.
    do {
      let final = try scop.ctx.withBudget(options.operations) { () -> Schedule? in
        var tree = schedule
        for pass in passes { tree = try pass.run(try tree.root(), cx).schedule() }
        return try dependences.violation(of: tree) == nil ? tree : nil
      }
      if let final { return result(final) }
    } catch {}
    cx.forgetRun()

    var current = schedule
    for pass in passes {
      do {
        let (next, violation) = try scop.ctx.withBudget(options.operations) {
          let next = try pass.run(try current.root(), cx).schedule()
          return (next, pass.reorders ? try dependences.violation(of: next) : nil)
        }
        if let v = violation {
          cx.note("\(pass.name): result violates a dependence (\(v)); pass dropped")
          continue
        }
        current = next
      } catch let e as ISLError where e.isQuota {
        cx.note(skipped(pass.name, options))
      } catch DependenceError.legalityBudgetExhausted {
        cx.note(skipped(pass.name, options))
      } catch {
        cx.note("\(pass.name): failed (\(error)); pass dropped")
      }
    }
    return result(current)
  }

  static func skipped(_ what: String, _ options: TransformOptions) -> String {
    "\(what): skipped, exceeded its budget of \(options.operations) isl operations (budget.transformOperations); "
      + "the schedule before it is kept" as String
  }
}
