import Foundation
import Synchronization

/// Starts child processes for the tests, one at a time.
///
/// Foundation's `Process.run()` on Linux is not safe to call from several
/// threads at once: with many tests launching `openssl`, `curl`, `haproxy`
/// and the agents in parallel, the test binary was seen crashing inside
/// `Process.run()` (a memcpy in its setup). Every test target launches
/// through this one lock instead; the processes themselves still run
/// concurrently.
public enum ProcessLaunch {
    private static let lock = Mutex<Void>(())

    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }
}
