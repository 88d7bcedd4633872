import NIOCore
import Synchronization
import Wire

/// The live session of each home, and the bandwidth limits it runs under.
///
/// A home has at most one session: when it reconnects while the edge still
/// holds its old, half-dead session, the new one takes the old one's place
/// atomically and the old one is closed, so routes never point at nothing and
/// a reconnect never fails with "already connected".
///
/// Limits are applied under the same lock as registration, and a limit set
/// through the API while a home was being admitted wins over the registry row
/// the admission read just before, so a change is never lost to that race.
final class HomeSessionTable: Sendable {
    private struct State {
        var sessions: [String: WireSession] = [:]
        var limits: [String: SessionRateLimits] = [:]
        /// The streams each home's current session accepts at once (its HELLO).
        var streamLimits: [String: Int] = [:]
        /// Homes disabled while this edge runs, until enabled again, with
        /// the GOAWAY reason a late session of theirs is closed with.
        var barred: [String: String] = [:]
    }

    private let state = Mutex(State())

    /// The GOAWAY Debug Data a deleted home's session ends with.
    static let deletedReason = "home deleted by the edge operator"
    /// The GOAWAY Debug Data a disabled home's session ends with.
    static let disabledReason = "home disabled by the edge operator"
    /// Said to a session another one of the same home replaced: usually a
    /// reconnect, but two agents running with one certificate keep replacing
    /// each other, and this is how their operator learns why.
    static let replacedReason = "replaced by a newer session of this home (a reconnect, or another agent running with the same certificate)"

    /// Makes `session` the home's session, running under `limits` (what the
    /// registry said at admission) unless newer limits were set meanwhile,
    /// and closes the session it replaces. A session of a barred home is
    /// closed instead: it was admitted just before the home was disabled.
    func register(_ session: WireSession, for home: String, limits: SessionRateLimits = .unlimited) {
        enum Outcome { case registered(replaced: WireSession?), barred(reason: String) }
        let outcome = state.withLock { state -> Outcome in
            if let reason = state.barred[home] { return .barred(reason: reason) }
            let current = state.limits[home] ?? limits
            state.limits[home] = current
            session.setRateLimits(current)
            state.streamLimits[home] = nil
            return .registered(replaced: state.sessions.updateValue(session, forKey: home))
        }
        switch outcome {
        case .barred(let reason):
            Self.end(session, reason: reason)
        case .registered(let replaced?) where replaced.channel !== session.channel:
            Self.end(replaced, code: .sessionReplaced, reason: Self.replacedReason)
        case .registered:
            break
        }
    }

    /// Ends the home's session, as `disconnect` does, and closes any session
    /// of it registered later, until `unbar`: the registry refuses the home
    /// from now on, but a connection admitted an instant before the registry
    /// said so may still be on its way to `register` ([SEC-2]).
    func bar(_ home: String, reason: String) {
        state.withLock { $0.barred[home] = reason }
        disconnect(home, reason: reason)
    }

    /// Lets the home's sessions register again (it was enabled).
    func unbar(_ home: String) {
        state.withLock { $0.barred[home] = nil }
    }

    /// New limits for the home, applied to its running streams at once.
    func setLimits(_ limits: SessionRateLimits, for home: String) {
        state.withLock { state in
            state.limits[home] = limits
            state.sessions[home]?.setRateLimits(limits)
        }
    }

    /// Forgets `session` if it is still the home's current one (a replaced
    /// session closing late must not remove its successor).
    func remove(_ session: WireSession, for home: String) {
        state.withLock { state in
            if state.sessions[home]?.channel === session.channel {
                state.sessions[home] = nil
                state.streamLimits[home] = nil
            }
        }
    }

    func session(for home: String) -> WireSession? {
        state.withLock { $0.sessions[home] }
    }

    /// The session and the streams it accepts at once, once its HELLO arrived.
    func sessionAndStreamLimit(for home: String) -> (WireSession, Int?)? {
        state.withLock { state in state.sessions[home].map { ($0, state.streamLimits[home]) } }
    }

    /// Records how many streams `session` accepts, if it is still the home's current one.
    func noteStreamLimit(_ limit: Int, of session: WireSession, for home: String) {
        state.withLock { state in
            if state.sessions[home]?.channel === session.channel { state.streamLimits[home] = limit }
        }
    }

    /// Ends the home's session at once (the home was deleted or revoked),
    /// telling it why first: GOAWAY NO_ERROR with `reason` as Debug Data
    /// ([ERR-4]: the home logs it), then close without waiting for streams
    /// to drain, since the home may no longer be served.
    func disconnect(_ home: String, reason: String) {
        let session = state.withLock { state in
            state.limits[home] = nil
            state.streamLimits[home] = nil
            return state.sessions.removeValue(forKey: home)
        }
        guard let session else { return }
        Self.end(session, reason: reason)
    }

    /// GOAWAY NO_ERROR with `reason`, then close at once.
    private static func end(_ session: WireSession, code: WireErrorCode = .noError, reason: String) {
        let channel = session.channel
        channel.eventLoop.execute {
            // On the loop, GOAWAY is written and flushed before the close.
            _ = session.goAway(code: code, debug: reason)
            channel.close(promise: nil)
        }
    }

    var connectedHomes: [String] {
        state.withLock { Array($0.sessions.keys) }.sorted()
    }
}

extension HomeSessionTable {
    /// Sends GOAWAY to every home and waits until their connections closed:
    /// streams in flight finish, at the latest after `timeout`.
    func drainAll(timeout: TimeAmount) async {
        await withTaskGroup(of: Void.self) { group in
            for home in connectedHomes {
                guard let session = session(for: home) else { continue }
                group.addTask { try? await session.goAway(debug: "edge shutting down", timeout: timeout).get() }
            }
        }
    }

    /// Closes every home's session at once, a drain cut short: the streams
    /// on them end with them (their public clients see a reset).
    func closeAll() {
        for home in connectedHomes { session(for: home)?.channel.close(promise: nil) }
    }
}
