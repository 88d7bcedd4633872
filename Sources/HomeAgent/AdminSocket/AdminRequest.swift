/// A request on the running agent's admin socket: one JSON object on one
/// line. The socket is the only way the CLI talks to a running agent, so
/// that `expose`, `sync` and `domain` reuse its session instead of opening a
/// second one (which the edge would treat as a takeover of the first).
struct AdminRequest: Codable, Equatable, Sendable {
    enum Command: String, Codable, Sendable {
        case status
        case reload
        case domainAdd = "domain-add"
        case domainRemove = "domain-remove"
        case domainList = "domain-list"
        /// Renew the home certificate over the running session ([CERT-2]).
        case renew
        /// Add `forward` for as long as this connection stays open
        /// (`homeagent http` / `tcp`): the agent answers once the edge placed
        /// it, keeps the connection, and removes the forward when it closes.
        case holdForward = "hold-forward"
    }

    var command: Command
    var domain: String?
    var forward: HomeConfig.Forward?
}
