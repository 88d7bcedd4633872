import Foundation
import NIOCore

/// Everything the API's handlers need from the rest of the edge, passed in
/// rather than reached for, so tests can build one from a temporary registry.
struct APIContext: Sendable {
    var registry: Registry
    /// Live sessions: who is connected, and how a deleted home is cut off.
    var sessions: HomeSessionTable
    var adminToken: AdminToken
    /// The tunnel address written into join tokens (what homes dial).
    var tunnelHost: String
    var tunnelPort: Int
    /// SHA-256 of the edge CA certificate, pinned by join tokens.
    var caPin: [UInt8]
    /// The edge's public name and ports, for forwards' public addresses.
    var publicAddresses: EdgePublicAddresses
    /// The time stamped on registry changes and token expiries.
    var clock: @Sendable () -> Date
    /// Called after a change that removes routes (a home deleted), so the
    /// public listeners stop routing to it at once.
    var routesChanged: @Sendable () async -> Void = {}
    /// The edge's metrics: what `GET /metrics` writes out, where the API
    /// times its requests, and what the public listeners turned away.
    var metrics = EdgeMetrics()
    /// Checks DNS proof of claims made through the API ([PROOF-1]); nil
    /// with `--domain-verification none`.
    var domainVerifier: DomainVerifier?
    /// How long `POST /api/homes/{name}/ping` waits for the PONG.
    var pingTimeout: TimeAmount = .seconds(5)
}
