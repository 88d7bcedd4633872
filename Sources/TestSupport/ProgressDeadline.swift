import Foundation

/// A deadline that runs out only when what is awaited stops advancing:
/// `stall` after the last change of the progress the caller observes, or at
/// `limit` whatever happens (a process busy in a loop advances forever).
public struct ProgressDeadline: Sendable {
    public let stall: Duration
    public let limit: Duration
    private let started = ContinuousClock.now
    private var lastChange = ContinuousClock.now
    private var last: ProcessProgress?

    public init(stall: Duration, limit: Duration = .seconds(300)) {
        self.stall = stall
        self.limit = limit
    }

    /// Records `progress`; true once the wait should give up.
    public mutating func expired(observing progress: ProcessProgress) -> Bool {
        let now = ContinuousClock.now
        if progress != last {
            last = progress
            lastChange = now
        }
        return now - lastChange >= stall || now - started >= limit
    }

    /// Why it ran out, for the failure message.
    public var reason: String {
        let waited = ContinuousClock.now - started
        return waited >= limit ? "still not done after \(limit)" : "no progress for \(stall) (waited \(waited) in all)"
    }
}
