import Foundation
import Synchronization

/// Starts child processes for the tests, one at a time.
///
/// Foundation's `Process.run()` on Linux is not safe to call from several
/// threads at once: with many tests launching `openssl`, `curl`, `haproxy`
/// and the agents in parallel, the test binary was seen crashing inside
/// `Process.run()` (a memcpy in its setup). Every test target launches
/// through this one lock instead; the processes themselves still run
/// concurrently. The lock made it rarer, not impossible, so the servers and
/// tools the tests start most often use `SpawnedProcess` instead.
public enum ProcessLaunch {
    private static let lock = Mutex<Void>(())

    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }

    /// Runs `body` (a `posix_spawn`) under the same lock, so no Foundation
    /// launch is ever in the middle of its setup while another process starts.
    static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in try body() }
    }
}
