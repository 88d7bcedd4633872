import Foundation

public extension Process {
    /// Kills the process (SIGKILL, by PID) if it still runs and waits until it
    /// is gone, for at most `timeout`. Used instead of `waitUntilExit()`,
    /// which has no bound.
    func killAndReap(timeout: Duration = .seconds(5)) {
        if isRunning { kill(processIdentifier, SIGKILL) }
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { usleep(5_000) }
    }
}

public extension Process {
    /// SIGTERM, then the exit status once it exited; nil if it did not exit
    /// within `timeout` (it is then killed). Suspends rather than blocks, so
    /// an in-process server under test keeps its threads.
    func terminate(timeout: Duration) async -> Int32? {
        guard isRunning else { return terminationStatus }
        kill(processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if isRunning {
            killAndReap()
            return nil
        }
        return terminationStatus
    }
}
