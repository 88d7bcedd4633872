import Foundation

/// `homeagent status` output, kept apart from the socket code so its format
/// is tested alone.
struct AgentStatusReport: Sendable {
    var status: AgentStatus

    /// Connected, every forward has a public address, and no target is
    /// known not to answer.
    var healthy: Bool {
        status.state == .connected
            && status.forwards.allSatisfy {
                $0.error == nil && $0.publicAddress != nil && $0.targetHealth?.state != .unreachable
            }
    }

    var text: String {
        var lines = ["home \(status.home) → edge \(status.edge): \(stateText)"]
        if let error = status.configError { lines.append("config reload refused: \(error)") }
        if let expires = status.certificateExpires {
            let due = status.certificateRenewalDue.map { ", renewal due \(Self.day($0))" } ?? ""
            lines.append("certificate expires \(Self.day(expires))\(due)")
        }
        if let error = status.renewalError { lines.append("certificate renewal failed: \(error)") }
        if status.forwards.isEmpty {
            lines.append("no forwards are declared; add one with `homeagent expose`")
        }
        let width = status.forwards.map(\.name.count).max() ?? 0
        for forward in status.forwards {
            let name = forward.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let where_: String
            if let error = forward.error {
                where_ = "error: \(error.message) (\(error.code))"
            } else {
                where_ = forward.publicAddress ?? "(not synced yet)"
            }
            let type = forward.type.padding(toLength: 5, withPad: " ", startingAt: 0)
            let temporary = forward.temporary == true ? "  (temporary)" : ""
            lines.append("  \(name)  \(type)  \(where_)  → \(forward.target)\(Self.health(forward.targetHealth))\(temporary)")
        }
        return lines.joined(separator: "\n")
    }

    /// " (answers)", " (not answering: connection refused …; 3 failures, last …)",
    /// or nothing before the first dial or check.
    private static func health(_ health: TargetHealth?) -> String {
        guard let health else { return "" }
        switch health.state {
        case .unknown:
            return ""
        case .reachable:
            return " (answers)"
        case .unreachable:
            let reason = health.reason ?? "no reason given"
            let count = health.failures == 1 ? "1 failure" : "\(health.failures) failures"
            let last = health.lastFailure.map { ", last \(day($0))" } ?? ""
            return " (not answering: \(reason); \(count)\(last))"
        }
    }

    private static func day(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    private var stateText: String {
        switch status.state {
        case .connected:
            let rtt = status.rttMilliseconds.map { String(format: ", rtt %.1f ms", $0) } ?? ""
            let draining = status.edgeGoingAway.map { "; the edge is going away (\($0)): streams in flight finish, then it reconnects" } ?? ""
            return "connected\(rtt)\(draining)"
        case .connecting:
            return "connecting" + (status.lastError.map { " (last error: \($0))" } ?? "")
        case .waiting:
            let retry = status.retryAt.map { String(format: ", retrying in %.1f s", max(0, $0.timeIntervalSinceNow)) } ?? ""
            return "disconnected\(retry)" + (status.lastError.map { ": \($0)" } ?? "")
        case .refused:
            let retry = status.retryAt.map { String(format: "; trying again in %.0f s", max(0, $0.timeIntervalSinceNow)) } ?? ""
            return "refused by the edge\(retry)" + (status.lastError.map { ": \($0)" } ?? "")
        case .draining:
            return "draining"
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(status), as: UTF8.self)
    }
}
