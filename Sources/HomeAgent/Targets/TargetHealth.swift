import Foundation

/// Whether a forward's target answers, as the agent last saw it: from the
/// connections the edge sent (each dial is a real check) and, for targets
/// that carried none lately, from a periodic cheap check (`TargetChecker`).
/// Shown per forward by `homeagent status`, so a service that is down at
/// home is seen there and not only by the public client it turned away.
struct TargetHealth: Codable, Equatable, Sendable {
    enum State: String, Codable, Sendable {
        /// Not dialled or checked yet.
        case unknown
        case reachable
        case unreachable
    }

    var state: State = .unknown
    /// Why the last dial or check failed, in plain words (`NetworkErrorText`).
    var reason: String?
    /// Failed dials and checks since the target last answered.
    var failures = 0
    var lastFailure: Date?
    /// When a dial or check last reached the target.
    var lastSuccess: Date?

    enum CodingKeys: String, CodingKey {
        case state, reason, failures
        case lastFailure = "last_failure"
        case lastSuccess = "last_success"
    }

    /// Records a dial or check that reached the target; true when that
    /// changed the state (it was unreachable), worth a log line.
    mutating func succeeded(at now: Date) -> Bool {
        let recovered = state == .unreachable
        state = .reachable
        failures = 0
        reason = nil
        lastSuccess = now
        return recovered
    }

    /// Records a dial or check that failed; true on the first failure after
    /// the target answered (or was never tried), worth a log line.
    mutating func failed(reason: String, at now: Date) -> Bool {
        let changed = state != .unreachable
        state = .unreachable
        failures += 1
        self.reason = reason
        lastFailure = now
        return changed
    }
}
