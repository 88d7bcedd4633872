import Foundation
import Wire

/// A request on the running agent's control socket: one JSON object on one
/// line. The socket is the only way the CLI talks to a running agent, so
/// that `expose`, `sync` and `domain` reuse its session instead of opening a
/// second one (which the edge would treat as a takeover of the first).
struct AgentRequest: Codable, Equatable, Sendable {
    enum Command: String, Codable, Sendable {
        case status
        case reload
        case domainAdd = "domain-add"
        case domainRemove = "domain-remove"
        case domainList = "domain-list"
        /// Renew the home certificate over the running session ([CERT-2]).
        case renew
    }

    var command: Command
    var domain: String?
}

/// The agent's answer: one JSON object, then the agent closes the connection.
struct AgentReply: Codable, Equatable, Sendable {
    var ok: Bool
    var status: AgentStatus?
    var domains: DomainResult?
    var error: String?

    static func failure(_ message: String) -> AgentReply {
        AgentReply(ok: false, error: message)
    }
}

enum AgentControlCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Where a config's agent listens: next to the config file, named after
    /// it (`homeagent.yaml` → `homeagent.sock`).
    static func socketPath(forConfig configPath: String) -> String {
        let url = URL(fileURLWithPath: configPath)
        let base = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(base + ".sock").path
    }
}
