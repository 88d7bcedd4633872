import Foundation
import Wire

/// How registry records look in API responses. Keys are snake_case and every
/// documented key is always present (`null` rather than missing), so clients
/// can tell "unlimited" from "the server forgot to say".
enum APIPresentation {
    static func home(_ home: Home, connected: Bool) -> JSONValue {
        .object([
            "name": .string(home.name),
            "state": .string(home.state.rawValue),
            "connected": .bool(connected),
            "enrolled": .bool(home.certificateSHA256 != nil),
            "certificate_sha256": optional(home.certificateSHA256, JSONValue.string),
            "bandwidth_limit_kbps": optional(home.uploadLimitKbps, JSONValue.integer),
            "download_limit_kbps": optional(home.downloadLimitKbps, JSONValue.integer),
            "burst_bytes": optional(home.burstBytes, JSONValue.integer),
            "created_at": date(home.createdAt),
            "updated_at": date(home.updatedAt),
        ])
    }

    static func joinToken(_ text: String, home: String, expiresAt: Date) -> [String: JSONValue] {
        ["home": .string(home), "join_token": .string(text), "expires_at": date(expiresAt)]
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
