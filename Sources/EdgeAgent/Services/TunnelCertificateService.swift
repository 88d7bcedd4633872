import Foundation
import ServiceLifecycle

/// Keeps the edge's own tunnel certificate current while it runs: every
/// `interval` it applies the start-up rule (reissue within 30 days of
/// expiry) through `EdgeServices.renewTunnelCertificate`, so an edge that
/// runs for a year never serves an expired certificate to its homes. SIGHUP
/// runs the same check at once. Stops when the group shuts down.
struct TunnelCertificateService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "tunnel certificate renewal" }

    static let defaultInterval: Duration = .seconds(12 * 3600)

    let edge: EdgeServices
    var interval = TunnelCertificateService.defaultInterval

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                edge.renewTunnelCertificate(now: Date())
            }
        }
    }
}
