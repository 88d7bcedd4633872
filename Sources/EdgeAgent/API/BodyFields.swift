/// Field names and ranges shared by the endpoints that accept them, so the
/// same field is validated the same way everywhere.
enum BodyFields {
    static let name = "name"
    static let upload = "bandwidth_limit_kbps"
    static let download = "download_limit_kbps"
    static let burst = "burst_bytes"
    static let tokenTTL = "token_ttl_seconds"
    static let tcpPortQuota = "tcp_port_quota"

    /// A join token lives a day unless asked otherwise.
    static let defaultTokenTTLSeconds = 24 * 3600
    /// The registry's bound (`Registry.maximumTokenTTL`), one year.
    static let tokenTTLRange = 1...(365 * 24 * 3600)

    static func limit(_ body: JSONObjectBody, _ field: String) throws(APIError) -> JSONObjectBody.Presence<Int> {
        try body.integer(field, in: Home.bandwidthRangeKbps, unit: "kbit/s", nullMeaning: "unlimited")
    }

    static func burst(_ body: JSONObjectBody) throws(APIError) -> JSONObjectBody.Presence<Int> {
        try body.integer(burst, in: Home.burstRangeBytes, unit: "bytes", nullMeaning: "the default (100 ms at the limit)")
    }

    /// The quota to store, nil when the field is absent; it has no "unlimited".
    static func tcpPortQuota(_ body: JSONObjectBody) throws(APIError) -> Int? {
        switch try body.integer(tcpPortQuota, in: Home.tcpPortQuotaRange, unit: "ports") {
        case .absent, .null: nil
        case .value(let quota): quota
        }
    }

    static func tokenTTL(_ body: JSONObjectBody) throws(APIError) -> Int {
        switch try body.integer(tokenTTL, in: tokenTTLRange, unit: "seconds") {
        case .absent, .null: defaultTokenTTLSeconds
        case .value(let seconds): seconds
        }
    }
}

extension JSONObjectBody.Presence where Value == Int {
    /// The change to store: none when absent, no limit when null.
    var change: LimitChange {
        switch self {
        case .absent: .unchanged
        case .null: .to(nil)
        case .value(let value): .to(value)
        }
    }
}
