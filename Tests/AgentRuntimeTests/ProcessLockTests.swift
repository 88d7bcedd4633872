import AgentRuntime
import Foundation
import Testing

@Suite("Process lock")
struct ProcessLockTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("portico-lock-\(UUID().uuidString)").path

    @Test("one owner at a time, even within one process; the holder's pid is in the message; released when dropped")
    func oneOwnerAtATime() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(!ProcessLock.isHeld(path))
        var first: ProcessLock? = try ProcessLock.acquire(path, what: "the thing", advice: "stop it first")
        #expect(ProcessLock.isHeld(path))
        #expect(throws: ProcessLockError.self) { try ProcessLock.acquire(path, what: "the thing", advice: "stop it first") }
        do {
            _ = try ProcessLock.acquire(path, what: "the thing", advice: "stop it first")
        } catch {
            #expect(
                "\(error)" == "another process (pid \(getpid())) is already using the thing: stop it first (lock file \(path))")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        withExtendedLifetime(first) {}
        first = nil
        #expect(!ProcessLock.isHeld(path))
        let again = try ProcessLock.acquire(path, what: "the thing", advice: "stop it first")
        #expect(ProcessLock.isHeld(again.path))
    }

    @Test("a lock file in a directory that does not exist: a clear error, not a crash")
    func missingDirectory() {
        #expect(throws: ProcessLockError.self) {
            try ProcessLock.acquire("/nonexistent-\(UUID().uuidString)/x.lock", what: "x", advice: "y")
        }
    }
}
