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
