import Foundation
import Testing
import TestSupport

/// The deadline the tests' process waits use (`ProgressDeadline`): it runs
/// out after a stall of the process, not after a fixed time, so a process
/// that keeps working is waited for and one that hangs is given up on.
@Suite("Test support: waits on processes measure their progress", .timeLimit(.minutes(1)))
struct ProgressDeadlineTests {
    @Test("a process that neither runs nor writes is given up on after the stall")
    func silentProcessStalls() async throws {
        let sleeper = try SpawnedProcess("/bin/sleep", ["30"])
        let started = ContinuousClock.now
        await sleeper.waitForExit(stallingFor: .milliseconds(500), logs: [])
        let waited = ContinuousClock.now - started
        #expect(sleeper.isRunning)
        #expect(waited >= .milliseconds(500) && waited < .seconds(20), "waited \(waited)")
        await sleeper.killAndWait()
    }

    @Test("a process that keeps writing is waited for past the stall, until it exits")
    func workingProcessIsWaitedFor() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("portico-progress-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        // Writes a line every 100 ms for 4 s: twice the stall, never silent for one.
        let writer = try SpawnedProcess("/bin/sh", ["-c", "for i in $(seq 40); do echo $i; sleep 0.1; done"], output: log)
        await writer.waitForExit(stallingFor: .seconds(2), logs: [log])
        #expect(!writer.isRunning, "given up on while it was still writing")
        #expect(writer.terminationStatus == 0)
    }

    @Test("the limit ends a wait on a process that never stops advancing")
    func limitBoundsEndlessProgress() {
        var deadline = ProgressDeadline(stall: .seconds(10), limit: .zero)
        let expired = deadline.expired(observing: ProcessProgress(pid: getpid(), logs: []))
        #expect(expired)
        #expect(deadline.reason.hasPrefix("still not done"))
    }
}
