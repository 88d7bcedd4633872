import Foundation
import Wire

/// The edge's answer to a forward sync as the operator sees it: one line per
/// forward (`web  https://blog.example.com`, `app  error: …`) or JSON for
/// scripts. Kept apart from the network code so its format is tested alone.
struct ForwardStatusReport: Sendable {
    var home: String
    var statuses: [ForwardStatus]

    /// Whether the edge turned down any forward; the commands then exit 1.
    var hasRejections: Bool { statuses.contains { $0.error != nil || $0.publicAddress == nil } }

    /// Names padded to one column, then the address or `error: <message>`.
    var text: String {
        guard !statuses.isEmpty else {
            return "no forwards are declared; add one with `homeagent expose`"
        }
        let width = statuses.map(\.name.count).max() ?? 0
        return statuses.map { status in
            let name = status.name.padding(toLength: width, withPad: " ", startingAt: 0)
            if let error = status.error {
                return "\(name)  error: \(error.message) (\(error.code))"
            }
            return "\(name)  \(status.publicAddress ?? "error: the edge gave no public address")"
        }.joined(separator: "\n")
    }

    /// `{"home": …, "forwards": [{"name", "public_address", "error": {"code", "message"}}]}`,
    /// the field names of FORWARDS_RESULT so scripts see what the edge said.
    func json() throws -> String {
        struct Document: Encodable {
            var home: String
            var forwards: [ForwardStatus]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Document(home: home, forwards: statuses)), as: UTF8.self)
    }
}
