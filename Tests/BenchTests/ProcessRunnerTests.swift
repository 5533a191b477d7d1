// ProcessRunner's time limit must hold whatever the child does with SIGTERM: a child spawned
// from a Dispatch or Swift concurrency thread inherits a signal mask in which SIGTERM is
// blocked (found when a random program's polyc outlived the tester's 120 s limit by 20 minutes).

import Foundation
import PolycToolchain
import Testing

@Suite struct ProcessRunnerTests {
  @Test func aChildThatIgnoresSIGTERMIsStillStoppedAtItsTimeLimit() throws {
    let start = Date()
    // `exec` keeps the ignored SIGTERM for `sleep`, which then holds the pipes.
    let r = try ProcessRunner.run("/bin/sh", ["-c", "trap '' TERM; exec sleep 60"], timeout: 1)
    #expect(r.timedOut)
    #expect(Date().timeIntervalSince(start) < 30)
  }

  @Test func aChildWithinItsLimitIsNotTimedOut() throws {
    let r = try ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], timeout: 30)
    #expect(!r.timedOut)
    #expect(r.status == 3)
    #expect(r.stdout == "out\n")
    #expect(r.stderr == "err\n")
  }
}
