import Foundation

public extension Process {
    /// Sends SIGKILL (by PID) if the process still runs, without waiting:
    /// for `deinit` and other places that must not block or suspend.
    func killNow() {
        if isRunning { kill(processIdentifier, SIGKILL) }
    }

    /// Sends SIGKILL and suspends until the process is gone, for at most
    /// `timeout`. Suspends rather than blocks: a blocked cooperative thread
    /// starved the in-process servers of other tests running in parallel.
    func killAndWait(timeout: Duration = .seconds(5)) async {
        killNow()
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
