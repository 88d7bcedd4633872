import Foundation
import Wire

/// How registry records look in API responses. Keys are snake_case and every
/// documented key is always present (`null` rather than missing), so clients
/// can tell "unlimited" from "the server forgot to say".
enum APIPresentation {
    /// `traffic` is the live session's, nil when the home is not connected.
    static func home(_ home: Home, traffic: SessionTraffic?) -> JSONValue {
        .object([
            "name": .string(home.name),
            "state": .string(home.state.rawValue),
            "connected": .bool(traffic != nil),
            "enrolled": .bool(home.certificateSHA256 != nil),
            "certificate_sha256": optional(home.certificateSHA256, JSONValue.string),
            "bandwidth_limit_kbps": optional(home.uploadLimitKbps, JSONValue.integer),
            "download_limit_kbps": optional(home.downloadLimitKbps, JSONValue.integer),
            "burst_bytes": optional(home.burstBytes, JSONValue.integer),
            "tcp_port_quota": .integer(home.tcpPortQuota),
            "traffic": optional(traffic, Self.traffic),
            "created_at": date(home.createdAt),
            "updated_at": date(home.updatedAt),
        ])
    }

    /// Upload is what the edge received from the home, download what it sent.
    static func traffic(_ traffic: SessionTraffic) -> JSONValue {
        .object(["upload": direction(traffic.received), "download": direction(traffic.sent)])
    }

    private static func direction(_ snapshot: TrafficSnapshot) -> JSONValue {
        let limit: (kbps: Int, burst: Int)? =
            switch snapshot.limit {
            case .unlimited: nil
            case .limited(let rate, let burst): (Int(clamping: rate / 125), Int(clamping: burst))
            }
        return .object([
            "limit_kbps": optional(limit?.kbps, JSONValue.integer),
            "burst_bytes": optional(limit?.burst, JSONValue.integer),
            "rate_kbps": .number(rounded(Double(snapshot.bytesPerSecond) * 8 / 1_000, places: 1)),
            "bytes": .integer(Int(clamping: snapshot.bytes)),
            "throttled_seconds": .number(rounded(Double(snapshot.throttledNanoseconds) / 1e9, places: 3)),
        ])
    }

    static func rounded(_ value: Double, places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    static func joinToken(_ text: String, home: String, expiresAt: Date) -> [String: JSONValue] {
        ["home": .string(home), "join_token": .string(text), "expires_at": date(expiresAt)]
    }

    /// A join token's record; `status` is as of `now`.
    static func token(_ token: JoinTokenRecord, now: Date) -> JSONValue {
        .object([
            "id": .string(token.id),
            "home": .string(token.home),
            "status": .string(token.status(now: now).rawValue),
            "created_at": date(token.createdAt),
            "expires_at": date(token.expiresAt),
            "used_at": optional(token.usedAt, date),
            "superseded_at": optional(token.supersededAt, date),
            "revoked_at": optional(token.revokedAt, date),
        ])
    }

    static func domain(_ claim: DomainClaim) -> JSONValue {
        .object(["name": .string(claim.name), "home": .string(claim.home), "created_at": date(claim.createdAt)])
    }

    static func forward(_ forward: Forward, addresses: EdgePublicAddresses) -> JSONValue {
        .object([
            "name": .string(forward.name),
            "type": .string(forward.type.rawValue),
            "hostname": optional(forward.hostname, JSONValue.string),
            "public_port": optional(forward.publicPort, JSONValue.integer),
            "public_address": optional(addresses.address(of: forward), JSONValue.string),
            "proxy_protocol": optional(forward.proxyProtocol, JSONValue.string),
            "compress": optional(forward.compress, JSONValue.bool),
            "target": optional(forward.target, JSONValue.string),
            "error": optional(forward.error, JSONValue.string),
            "created_at": date(forward.createdAt),
            "updated_at": date(forward.updatedAt),
        ])
    }

    static func route(_ route: Route, connected: Bool, addresses: EdgePublicAddresses) -> JSONValue {
        let (hostname, port): (String?, Int?) =
            switch route.key {
            case .hostname(let name): (name, nil)
            case .port(let number): (nil, number)
            }
        return .object([
            "hostname": optional(hostname, JSONValue.string),
            "port": optional(port, JSONValue.integer),
            "public_address": optional(
                addresses.address(type: route.type, hostname: hostname, port: port), JSONValue.string),
            "type": .string(route.type.rawValue),
            "home": .string(route.home),
            "forward": .string(route.forward),
            "connected": .bool(connected),
            "proxy_protocol": optional(route.proxyProtocol, JSONValue.string),
            "compress": optional(route.compress, JSONValue.bool),
        ])
    }

    static func audit(_ entry: AuditEntry) -> JSONValue {
        // The registry writes `detail` as a JSON object; should a row ever hold
        // something else, show it as text rather than failing the whole list.
        let detail = (try? JSONDecoder().decode(JSONValue.self, from: Data(entry.detail.utf8))) ?? .string(entry.detail)
        return .object([
            "id": .integer(Int(entry.id)),
            "time": date(entry.time),
            "actor": .string(entry.actor),
            "action": .string(entry.action),
            "subject": .string(entry.subject),
            "detail": detail,
        ])
    }

    /// ISO 8601 in UTC, whole seconds: `2027-01-15T08:00:00Z`.
    static func date(_ date: Date) -> JSONValue {
        .string(date.formatted(.iso8601))
    }

    static func optional<T>(_ value: T?, _ wrap: (T) -> JSONValue) -> JSONValue {
        value.map(wrap) ?? .null
    }
}
