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

    /// SIGTERM, then the exit status once it exited; nil if it did not exit
    /// within `timeout` (it is then killed).
    func terminate(timeout: Duration) async -> Int32? {
        guard isRunning else { return terminationStatus }
        kill(processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if isRunning {
            await killAndWait()
            return nil
        }
        return terminationStatus
    }
}
