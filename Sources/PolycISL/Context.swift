//===- Context.swift - isl context, errors and operation budgets ----------===//
//
// The ISL module is the only place where raw isl pointers live. Every isl
// object is owned by one final class that frees it in `deinit` and keeps its
// `Context` alive, so the context is freed last. isl is configured with
// `ISL_ON_ERROR_CONTINUE`: an isl error never aborts the process; a NULL
// result becomes a thrown `ISLError` carrying isl's message.
//
// One context per thread: wrappers are deliberately not Sendable.
//
//===----------------------------------------------------------------------===//

import Dispatch
import PolycCIsl

/// An error reported by isl (or a NULL result without an error code).
public struct ISLError: Error, CustomStringConvertible, Sendable, Equatable {
  /// isl's error code (`isl_error_*`), or `nullResult` for a NULL result without one.
  public enum Kind: String, Sendable {
    case abort, alloc, unknown, `internal`, invalid, quota, unsupported, nullResult
    /// The computation ran past `Context.timeLimit` (isl aborted it at its next operation).
    case timeLimit
  }
  /// The error code.
  public var kind: Kind
  /// isl's message, or the operation that returned NULL.
  public var message: String
  /// `isl error (kind): message`.
  public var description: String { "isl error (\(kind.rawValue)): \(message)" }
  /// The same text as `description`.
  public var localizedDescription: String { description }
  /// isl ran out of its operation budget (`isl_error_quota`) or of its time limit: either way
  /// the computation was cut short and the caller's fallback applies.
  public var isQuota: Bool { kind == .quota || kind == .timeLimit }
}

package final class Context {
  let raw: OpaquePointer
  /// When true, `deinit` switches isl to abort-on-error before freeing, so a
  /// leaked isl object makes `isl_ctx_free` abort (used by leak tests).
  package var abortOnLeakAtFree = false

  package init() {
    raw = isl_ctx_alloc()
    isl_options_set_on_error(raw, ISL_ON_ERROR_CONTINUE)
  }

  deinit {
    if abortOnLeakAtFree { isl_options_set_on_error(raw, ISL_ON_ERROR_ABORT) }
    isl_ctx_free(raw)
  }

  /// The maximal number of isl operations before a computation fails with
  /// a quota error (0: unlimited).
  package var maxOperations: UInt {
    get { UInt(isl_ctx_get_max_operations(raw)) }
    set { isl_ctx_set_max_operations(raw, UInt(newValue)) }
  }

  package func resetOperations() { isl_ctx_reset_operations(raw) }

  /// How many `withBudget` calls are running.
  private var budgetDepth = 0

  /// Seconds of wall-clock time allowed to each outermost `withBudget` computation (0: no
  /// limit; the strategy's `budget.seconds`). isl's operation counter counts tableau pivots,
  /// whose cost grows with the tableau and its numbers: one random program's ILP took 32 s
  /// for fewer than 100,000 pivots. The limit catches that: a watchdog calls
  /// `isl_ctx_abort` and the computation fails at isl's next operation with a `.timeLimit`
  /// error, which callers treat as an exhausted budget.
  package var timeLimit: Double = 0

  /// The armed watchdog of the running outermost `withBudget`, if any.
  private var watchdog: Watchdog?

  /// Aborts the context's computation after a delay unless disarmed first. The handler
  /// and `disarm` run on one serial queue, so once `disarm` returns no abort can follow.
  private final class Watchdog: @unchecked Sendable {
    let queue = DispatchQueue(label: "polyc.isl.watchdog")
    let timer: DispatchSourceTimer
    var active = true
    var fired = false
    let seconds: Double

    init(ctx: OpaquePointer, seconds: Double) {
      self.seconds = seconds
      timer = DispatchSource.makeTimerSource(queue: queue)
      nonisolated(unsafe) let raw = ctx
      timer.setEventHandler { [unowned self] in
        guard self.active else { return }
        self.fired = true
        isl_ctx_abort(raw)
      }
      timer.schedule(deadline: .now() + seconds)
      timer.activate()
    }

    /// Whether the timer has aborted the computation.
    var hasFired: Bool { queue.sync { fired } }

    /// The error of a computation this watchdog aborted.
    var error: ISLError {
      ISLError(kind: .timeLimit, message: "time limit of \(Context.seconds(seconds)) s exceeded (budget.seconds)")
    }

    /// Stops the timer.
    func disarm() {
      queue.sync {
        active = false
        timer.cancel()
      }
    }
  }

  /// Runs `body` under an operation budget; the budget is lifted afterwards.
  /// Inside another `withBudget` with a limit, the outer budget alone bounds
  /// `body` (isl has one operation counter, and resetting it would let the
  /// outer computation run past its budget).
  ///
  /// The outermost call also runs under `timeLimit`: past it the computation fails with a
  /// `.timeLimit` error (`isQuota`) at isl's next operation.
  package func withBudget<T>(_ operations: UInt, _ body: () throws -> T) rethrows -> T {
    if budgetDepth > 0 && maxOperations != 0 { return try body() }
    let old = maxOperations
    resetOperations()
    maxOperations = operations
    budgetDepth += 1
    let armed = watchdog == nil && timeLimit > 0 ? Watchdog(ctx: raw, seconds: timeLimit) : nil
    if let armed { watchdog = armed }
    defer {
      budgetDepth -= 1
      maxOperations = old
      resetOperations()
      isl_ctx_reset_error(raw)
      if let armed {
        armed.disarm()
        watchdog = nil
        isl_ctx_resume(raw)
      }
    }
    return try body()
  }

  /// `seconds` without a trailing `.0`.
  static func seconds(_ s: Double) -> String {
    s == s.rounded() && abs(s) < 1e15 ? String(Int(s)) : String(s)
  }

  /// The pending isl error, cleared.
  func takeError(_ fallback: String) -> ISLError {
    let code = isl_ctx_last_error(raw)
    let msgPtr = isl_ctx_last_error_msg(raw)
    let msg = msgPtr.map { String(cString: $0) } ?? fallback
    isl_ctx_reset_error(raw)
    let kind: ISLError.Kind
    switch code {
    case isl_error_abort:
      if let w = watchdog, w.hasFired { return w.error }
      kind = .abort
    case isl_error_alloc: kind = .alloc
    case isl_error_unknown: kind = .unknown
    case isl_error_internal: kind = .internal
    case isl_error_invalid: kind = .invalid
    case isl_error_quota: kind = .quota
    case isl_error_unsupported: kind = .unsupported
    default: kind = .nullResult
    }
    return ISLError(kind: kind, message: msg)
  }

  /// Checks an isl result pointer; throws the pending isl error on NULL.
  func check(_ p: OpaquePointer?, _ what: @autoclosure () -> String) throws -> OpaquePointer {
    guard let p else { throw takeError("\(what()) returned NULL") }
    return p
  }

  /// `check` for the result of an `isl_*_read_from_str`. isl's parser counts operations; when the
  /// budget (or the time limit) ends in the middle of a parse, isl reports the leftover tokens
  /// as a syntax error, which would hide the exhausted budget from the caller's fallback. A
  /// failed parse under a budget is therefore followed by a parse of `{ : }`, which fails only
  /// when the budget is gone, and then reported as the budget error.
  func checkParsed(_ p: OpaquePointer?, _ what: @autoclosure () -> String) throws -> OpaquePointer {
    if let p { return p }
    let error = takeError("\(what()) returned NULL")
    guard error.kind == .invalid, maxOperations != 0 || watchdog != nil else { throw error }
    guard let probe = isl_set_read_from_str(raw, "{ : }") else {
      isl_ctx_reset_error(raw)
      if let w = watchdog, w.hasFired { throw w.error }
      throw ISLError(kind: .quota, message: "maximal number of operations exceeded (while reading \(what()))")
    }
    isl_set_free(probe)
    throw error
  }

  func checkBool(_ b: isl_bool, _ what: @autoclosure () -> String) throws -> Bool {
    if b == isl_bool_error { throw takeError("\(what()) failed") }
    return b == isl_bool_true
  }

  func checkSize(_ n: isl_size, _ what: @autoclosure () -> String) throws -> Int {
    if n < 0 { throw takeError("\(what()) failed") }
    return Int(n)
  }

  func checkStat(_ s: isl_stat, _ what: @autoclosure () -> String) throws {
    if s == isl_stat_error { throw takeError("\(what()) failed") }
  }

  /// Converts an isl-allocated `char *` to a Swift string and frees it.
  func takeString(_ p: UnsafeMutablePointer<CChar>?) -> String {
    guard let p else { return "" }
    defer { free(p) }
    return String(cString: p)
  }

  /// isl's version string.
  package static var islVersion: String { String(cString: isl_version()) }
}

/// Boxes a Swift closure for a C callback's `user` pointer.
final class CallbackBox<T> {
  let body: (T) throws -> Void
  var error: Error?
  init(_ body: @escaping (T) throws -> Void) { self.body = body }
}
