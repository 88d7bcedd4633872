import Foundation
import GRDB

/// A home as the edge knows it: who it is, whether it may connect, and how
/// fast its tunnel may run. A value snapshot of one `homes` row.
struct Home: Hashable, Sendable {
    /// Enrollment progress. A home is `pending` until it holds a certificate;
    /// a `disabled` home keeps its data but gets no routes.
    enum State: String, Hashable, Sendable, CaseIterable {
        case pending
        case active
        case disabled
    }

    /// The bandwidth limits the issue allows, in kbit/s; nil means unlimited.
    static let bandwidthRangeKbps = 100...10_000_000
    /// Token-bucket burst sizes accepted, in bytes: from one full-size frame
    /// to 1 GiB; nil lets the bucket pick its default.
    static let burstRangeBytes = 16_384...1_073_741_824
    /// Public TCP ports one home may hold unless the operator says otherwise:
    /// ten, as the SSH-tunnel setups Portico replaces gave each home, so one
    /// home cannot take the whole range from the others.
    static let defaultTCPPortQuota = 10
    /// Quotas accepted: 0 (no TCP forwards) up to every port there is.
    static let tcpPortQuotaRange = 0...65_535

    var id: Int64
    /// Lower-case DNS label, unique; the name in routes, logs and the CLI.
    var name: String
    var state: State
    /// Lower-case hex SHA-256 of the home's client certificate (DER), checked
    /// on every tunnel connect; nil until enrollment completes.
    var certificateSHA256: String?
    /// The fingerprint of a renewed certificate the home has not connected
    /// with yet ([CERT-2]); admitted too until its first use retires the current one.
    var pendingCertificateSHA256: String?
    /// When the edge last issued this home a renewed certificate (rate limit).
    var certificateRenewedAt: Date?
    var uploadLimitKbps: Int?
    var downloadLimitKbps: Int?
    var burstBytes: Int?
    /// How many public TCP ports this home's forwards may hold at once.
    var tcpPortQuota: Int
    var createdAt: Date
    var updatedAt: Date
}

extension Home: FetchableRecord {
    init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        name = try row.decode(forColumn: "name")
        let stateText: String = try row.decode(forColumn: "state")
        // The schema's CHECK constraint admits only the three states.
        state = State(rawValue: stateText) ?? .disabled
        certificateSHA256 = try row.decode(forColumn: "certificate_sha256")
        pendingCertificateSHA256 = try row.decode(forColumn: "pending_certificate_sha256")
        certificateRenewedAt = try row.decode(forColumn: "certificate_renewed_at")
        uploadLimitKbps = try row.decode(forColumn: "upload_limit_kbps")
        downloadLimitKbps = try row.decode(forColumn: "download_limit_kbps")
        burstBytes = try row.decode(forColumn: "burst_bytes")
        tcpPortQuota = try row.decode(forColumn: "tcp_port_quota")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }
}
