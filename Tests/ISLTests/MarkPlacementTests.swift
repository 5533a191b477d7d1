// Marks in the generated AST apply to the loop of the band member they were
// put on, or to nothing. isl drops a loop that runs once; the mark above it
// must not move onto the loop below (that loop may carry dependences: the
// data race of issue 12).

import Foundation
import PolycISL
import Testing

@Suite struct MarkPlacementTests {
  /// The loops `mark` sits right above, by iterator, in AST order.
  static func markedLoops(_ node: ASTNode, _ mark: String, under marks: [String] = []) -> [String] {
    switch node {
    case .mark(let name, let child): return markedLoops(child, mark, under: marks + [name])
    case .forLoop(let it, _, _, _, let body, _): return (marks.contains(mark) ? [it] : []) + markedLoops(body, mark)
    case .block(let children): return children.flatMap { markedLoops($0, mark, under: marks) }
    case .ifStmt(_, let then, let otherwise):
      return markedLoops(then, mark, under: marks) + (otherwise.map { markedLoops($0, mark, under: marks) } ?? [])
    case .user: return []
    }
  }

  static func ast(_ tree: String, context: String = "{ : }") throws -> ASTNode {
    let ctx = Context()
    return try ASTGenerator.generate(try Schedule(ctx, tree), context: try Set(ctx, context))
  }

  @Test func markOnALoopThatRunsOnceAppliesToNothing() throws {
    let ast = try Self.ast("""
      domain: "[n] -> { S[t, i] : t = 0 and 0 <= i < n }"
      child:
        mark: "parallel"
        child:
          schedule: "[n] -> [{ S[t, i] -> [(t)] }]"
          child:
            schedule: "[n] -> [{ S[t, i] -> [(i)] }]"
      """, context: "[n] -> { : n > 0 }")
    #expect(Self.markedLoops(ast, "parallel").isEmpty, "\(ast)")
    guard case .forLoop(let it, _, _, _, _, _) = ast else { Issue.record("the i loop must remain: \(ast)"); return }
    #expect(it == "c1")
  }

  @Test func markStaysOnItsOwnLoop() throws {
    let ast = try Self.ast("""
      domain: "[n] -> { S[t, i] : 0 <= t < n and 0 <= i < n }"
      child:
        schedule: "[n] -> [{ S[t, i] -> [(t)] }]"
        child:
          mark: "simd"
          child:
            schedule: "[n] -> [{ S[t, i] -> [(i)] }]"
      """, context: "[n] -> { : n > 0 }")
    #expect(Self.markedLoops(ast, "simd") == ["c1"], "\(ast)")
  }

  /// isl splits a loop into pieces when a statement runs only at its first
  /// iteration; the pieces where the marked loop collapses must not pass the
  /// mark to the inner loop.
  @Test func markFollowsEveryPieceOfItsLoopAndNoOther() throws {
    let ast = try Self.ast("""
      domain: "[n] -> { S[i, j] : 0 <= i < n and 0 <= j < n; T[i, j] : i = 0 and 0 <= j < n }"
      child:
        mark: "parallel"
        child:
          schedule: "[n] -> [{ S[i, j] -> [(i)]; T[i, j] -> [(i)] }]"
          child:
            schedule: "[n] -> [{ S[i, j] -> [(j)]; T[i, j] -> [(j)] }]"
            child:
              sequence:
              - filter: "[n] -> { T[i, j] }"
              - filter: "[n] -> { S[i, j] }"
      """, context: "[n] -> { : n > 1 }")
    let marked = Self.markedLoops(ast, "parallel")
    #expect(!marked.isEmpty && marked.allSatisfy { $0 == "c0" }, "\(marked): \(ast)")
  }

  /// `tree` with its `joint-band` marks resolved, the pieces always joined (a probe budget of one
  /// operation), and the AST of the result.
  static func joined(_ tree: String, context: String = "[n] -> { : n > 0 }") throws -> (Schedule, ASTNode) {
    let ctx = Context()
    let c = try Set(ctx, context)
    let schedule = try ASTGenerator.joiningBands(try Schedule(ctx, tree), context: c, probeOperations: 1)
    return (schedule, try ASTGenerator.generate(schedule, context: c))
  }

  static let splitBand = """
    domain: "[n] -> { S[t, i] : 0 <= t < n and 0 <= i < n }"
    child:
      mark: "\(ASTGenerator.jointBandMark(members: 2))"
      child:
        schedule: "[n] -> [{ S[t, i] -> [(t + i)] }]"
        child:
          mark: "parallel"
          child:
            schedule: "[n] -> [{ S[t, i] -> [(i)] }]"
    """

  /// Joined, the pieces of a `joint-band` become one band; the mark between them keeps to its
  /// member's loop.
  @Test func jointBandKeepsTheMarkBetweenItsPiecesOnItsOwnLoop() throws {
    let (schedule, ast) = try Self.joined(Self.splitBand)
    let mark = try schedule.root().child(0)
    #expect(try mark.kind() == .mark && mark.markId().name == "parallel@1", "\(schedule)")
    #expect(try mark.child(0).bandMemberCount() == 2, "\(schedule)")
    #expect(Self.markedLoops(ast, "parallel") == ["c1"], "\(ast)")
  }

  /// A first piece isl generates alone within the probe's budget stays split: the C is what the
  /// tree without the mark gives.
  @Test func jointBandWhoseFirstPieceIsEasyStaysSplit() throws {
    let ctx = Context()
    let resolved = try ASTGenerator.joiningBands(try Schedule(ctx, Self.splitBand), context: try Set(ctx, "[n] -> { : n > 0 }"))
    let band = try resolved.root().child(0)
    #expect(try band.kind() == .band && band.bandMemberCount() == 1, "\(resolved)")
    #expect(try band.child(0).kind() == .mark && band.child(0).markId().name == "parallel", "\(resolved)")
    let plain = Self.splitBand.replacingOccurrences(of: "mark: \"\(ASTGenerator.jointBandMark(members: 2))\"", with: "mark: \"other\"")
    #expect(try Self.ast(Self.splitBand, context: "[n] -> { : n > 0 }") == Self.unmarked(try Self.ast(plain, context: "[n] -> { : n > 0 }"), "other"))
  }

  /// `node` without the marks named `name`.
  static func unmarked(_ node: ASTNode, _ name: String) -> ASTNode {
    switch node {
    case .mark(let m, let child): return m == name ? unmarked(child, name) : .mark(m, unmarked(child, name))
    case .forLoop(let it, let i, let c, let inc, let body, let d):
      return .forLoop(iterator: it, initial: i, condition: c, increment: inc, body: unmarked(body, name), degenerate: d)
    case .block(let children): return .block(children.map { unmarked($0, name) })
    case .ifStmt(let c, let then, let otherwise): return .ifStmt(condition: c, then: unmarked(then, name), else: otherwise.map { unmarked($0, name) })
    case .user: return node
    }
  }

  /// A piece that reaches past the mark's member count is split: only the members asked for join.
  @Test func jointBandTakesNoMoreMembersThanItsMarkSays() throws {
    let (schedule, _) = try Self.joined("""
      domain: "[n] -> { S[t, i, j] : 0 <= t < n and 0 <= i < n and 0 <= j < n }"
      child:
        mark: "\(ASTGenerator.jointBandMark(members: 2))"
        child:
          schedule: "[n] -> [{ S[t, i, j] -> [(t + i)] }]"
          child:
            mark: "parallel"
            child:
              schedule: "[n] -> [{ S[t, i, j] -> [(i)] }, { S[t, i, j] -> [(j)] }]"
      """)
    let mark = try schedule.root().child(0)
    #expect(try mark.kind() == .mark && mark.markId().name == "parallel@1", "\(schedule)")
    #expect(try mark.child(0).bandMemberCount() == 2, "\(schedule)")
    #expect(try mark.child(0).child(0).bandMemberCount() == 1, "\(schedule)")
  }

  /// Joined, a mark whose loop isl drops (it runs once) still applies to nothing.
  @Test func jointBandMarkOnALoopThatRunsOnceAppliesToNothing() throws {
    let (_, ast) = try Self.joined("""
      domain: "[n] -> { S[t, i, j] : 0 <= t < n and i = 0 and 0 <= j < n }"
      child:
        mark: "\(ASTGenerator.jointBandMark(members: 3))"
        child:
          schedule: "[n] -> [{ S[t, i, j] -> [(t)] }]"
          child:
            mark: "parallel"
            child:
              schedule: "[n] -> [{ S[t, i, j] -> [(i)] }, { S[t, i, j] -> [(j)] }]"
      """)
    #expect(Self.markedLoops(ast, "parallel").isEmpty, "\(ast)")
  }

  @Test func nestedMarksOnOneMemberBothReachIt() throws {
    let ast = try Self.ast("""
      domain: "[n] -> { S[i] : 0 <= i < n }"
      child:
        mark: "parallel"
        child:
          mark: "simd"
          child:
            schedule: "[n] -> [{ S[i] -> [(i)] }]"
      """, context: "[n] -> { : n > 0 }")
    #expect(Self.markedLoops(ast, "parallel") == ["c0"])
    #expect(Self.markedLoops(ast, "simd") == ["c0"])
  }
}
