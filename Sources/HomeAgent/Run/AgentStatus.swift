import Foundation
import Synchronization
import Wire

/// What `homeagent status` shows: the session, its round trip and each
/// forward's public address or error, as the running agent last saw them.
struct AgentStatus: Codable, Equatable, Sendable {
    enum State: String, Codable, Sendable {
        case connecting
        case connected
        case waiting
        /// The edge turned this home away after TLS (deleted or disabled):
        /// retried only rarely, and at once after a reload or a new join.
        case refused
        case draining
    }

    struct ForwardState: Codable, Equatable, Sendable {
        var name: String
        var type: String
        var target: String
        var publicAddress: String?
        var error: ControlError?
        /// Whether `target` answers; nil before the first dial or check.
        var targetHealth: TargetHealth?
        /// A forward `homeagent http` / `tcp` added for as long as it runs,
        /// not in the config file.
        var temporary: Bool?

        enum CodingKeys: String, CodingKey {
            case name, type, target, error, temporary
            case publicAddress = "public_address"
            case targetHealth = "target_health"
        }
    }

    var home: String
    var edge: String
    var state: State
    var connectedSince: Date?
    var rttMilliseconds: Double?
    /// The edge's GOAWAY on the current session (it is draining): the
    /// session carries the streams in flight until it closes, then the
    /// agent reconnects. Nil on a session that got none.
    var edgeGoingAway: String?
    /// Why the last connection attempt or session failed.
    var lastError: String?
    /// When the next attempt is due, while waiting.
    var retryAt: Date?
    /// The last reload that failed (the agent kept the previous config).
    var configError: String?
    var forwards: [ForwardState]
    /// The end of the home certificate's validity, and when the agent renews it ([CERT-2]).
    var certificateExpires: Date?
    var certificateRenewalDue: Date?
    /// Why the last renewal attempt failed; nil once one succeeds.
    var renewalError: String?

    enum CodingKeys: String, CodingKey {
        case home, edge, state, forwards
        case connectedSince = "connected_since"
        case rttMilliseconds = "rtt_ms"
        case edgeGoingAway = "edge_going_away"
        case lastError = "last_error"
        case retryAt = "retry_at"
        case configError = "config_error"
        case certificateExpires = "certificate_expires"
        case certificateRenewalDue = "certificate_renewal_due"
        case renewalError = "renewal_error"
    }

    init(config: HomeConfig) {
        home = config.home
        edge = config.edge.description
        state = .connecting
        forwards = []
        declare(config.forwards)
    }

    /// Lists the config's forwards (then the temporary ones), keeping what
    /// the edge said about those that did not change, and what is known of
    /// their targets while they dial the same one.
    mutating func declare(_ declared: [HomeConfig.Forward], temporary: [HomeConfig.Forward] = []) {
        let previous = Dictionary(forwards.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let temporaryNames = Set(temporary.map(\.name))
        forwards = (declared + temporary).map { forward in
            var state = ForwardState(
                name: forward.name, type: forward.type.rawValue, target: forward.target.description)
            if temporaryNames.contains(forward.name) { state.temporary = true }
            if let old = previous[forward.name], old.type == state.type {
                state.publicAddress = old.publicAddress
                state.error = old.error
            }
            if let old = previous[forward.name], old.target == state.target {
                state.targetHealth = old.targetHealth
            }
            return state
        }
    }

    /// Forgets every public address and error the edge gave: they are not
    /// this home's while the edge refuses it.
    mutating func forgetPlacements() {
        for index in forwards.indices {
            forwards[index].publicAddress = nil
            forwards[index].error = nil
        }
    }

    /// Records the edge's answer to a sync.
    mutating func apply(_ statuses: [ForwardStatus]) {
        for status in statuses {
            guard let index = forwards.firstIndex(where: { $0.name == status.name }) else { continue }
            forwards[index].publicAddress = status.publicAddress
            forwards[index].error = status.error
        }
    }
}

/// The running agent's status, shared between the reconnect loop, the
/// session's event handler and the control socket.
final class StatusBoard: Sendable {
    private let status: Mutex<AgentStatus>

    init(_ status: AgentStatus) {
        self.status = Mutex(status)
    }

    var current: AgentStatus { status.withLock { $0 } }

    func update(_ body: (inout AgentStatus) -> Void) {
        status.withLock { body(&$0) }
    }
}
