import Foundation

/// A home as the API returned it, in the few lines an operator reads:
/// state, and per direction the limit and what the live session carries.
struct HomeSummary {
    let home: [String: Any]

    init(_ home: [String: Any]) { self.home = home }

    var name: String { home["name"] as? String ?? "?" }

    var text: String {
        let connected = home["connected"] as? Bool ?? false
        var lines = [
            "home      \(name)",
            "state     \(home["state"] as? String ?? "?"), \(connected ? "connected" : "not connected")",
        ]
        let traffic = home["traffic"] as? [String: Any]
        for (direction, limitKey) in [("upload", "bandwidth_limit_kbps"), ("download", "download_limit_kbps")] {
            guard let live = traffic?[direction] as? [String: Any] else {
                lines.append(Self.column(direction, 10) + limit(home[limitKey], burst: nil))
                continue
            }
            lines.append(
                Self.column(direction, 10) + limit(live["limit_kbps"], burst: live["burst_bytes"])
                    + " · now \(Self.number(live["rate_kbps"], places: 1)) kbit/s"
                    + " · \(Self.bytes(live["bytes"])) since connected"
                    + " · throttled \(Self.number(live["throttled_seconds"], places: 1)) s")
        }
        lines.append(Self.column("tcp ports", 10) + "at most \(tcpPortQuota)")
        return lines.joined(separator: "\n")
    }

    private var tcpPortQuota: String {
        (home["tcp_port_quota"] as? NSNumber).map { "\($0.intValue)" } ?? "?"
    }

    static let listHeaders = ["NAME", "STATE", "CONNECTED", "UPLOAD kbit/s", "DOWNLOAD kbit/s"]

    /// `alice  active  yes  19998.2 / 20000  0.0 / unlimited`: now / limit,
    /// as cells of a ``TextTable`` (names run to 63 characters).
    var listRow: [String] {
        let connected = home["connected"] as? Bool ?? false
        let traffic = home["traffic"] as? [String: Any]
        func direction(_ key: String, _ limitKey: String) -> String {
            let rate = (traffic?[key] as? [String: Any]).map { Self.number($0["rate_kbps"], places: 1) } ?? "-"
            let limit = (home[limitKey] as? NSNumber).map { "\($0.intValue)" } ?? "unlimited"
            return "\(rate) / \(limit)"
        }
        return [
            name, home["state"] as? String ?? "?", connected ? "yes" : "no",
            direction("upload", "bandwidth_limit_kbps"), direction("download", "download_limit_kbps"),
        ]
    }

    private static func column(_ text: String, _ width: Int) -> String {
        text.count < width ? text.padding(toLength: width, withPad: " ", startingAt: 0) : text + " "
    }

    /// One line after a change:
    /// `alice: upload 5000 kbit/s, download unlimited, burst default, tcp ports 10`.
    var limitsLine: String {
        let burst = (home["burst_bytes"] as? NSNumber).map { "\($0.intValue) bytes" } ?? "default"
        return "\(name): upload \(limit(home["bandwidth_limit_kbps"], burst: nil)), "
            + "download \(limit(home["download_limit_kbps"], burst: nil)), burst \(burst), tcp ports \(tcpPortQuota)"
    }

    private func limit(_ kbps: Any?, burst: Any?) -> String {
        guard let kbps = kbps as? NSNumber else { return "unlimited" }
        let burstText = (burst as? NSNumber).map { " (burst \($0.intValue) B)" } ?? ""
        return "\(kbps.intValue) kbit/s\(burstText)"
    }

    private static func number(_ value: Any?, places: Int) -> String {
        String(format: "%.\(places)f", (value as? NSNumber)?.doubleValue ?? 0)
    }

    /// Bytes in the largest unit that keeps a number ≥ 1 (1000-based, like rates).
    private static func bytes(_ value: Any?) -> String {
        var amount = (value as? NSNumber)?.doubleValue ?? 0
        for unit in ["B", "kB", "MB", "GB", "TB"] {
            if amount < 1000 || unit == "TB" { return unit == "B" ? "\(Int(amount)) B" : String(format: "%.1f %@", amount, unit) }
            amount /= 1000
        }
        return "\(Int(amount)) B"
    }
}
