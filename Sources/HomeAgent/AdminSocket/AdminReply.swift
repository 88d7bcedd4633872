import Wire

/// The agent's answer: one JSON object, then the agent closes the connection.
struct AdminReply: Codable, Equatable, Sendable {
    var ok: Bool
    var status: AgentStatus?
    var domains: DomainResult?
    /// The forward a `hold-forward` request added, as the edge placed it.
    var forward: AgentStatus.ForwardState?
    var error: String?

    static func failure(_ message: String) -> AdminReply {
        AdminReply(ok: false, error: message)
    }
}
