import Logging
import ServiceLifecycle

/// Announces the edge once every port is bound (the API binds last, when the
/// group starts it): writes the bound ports to `edge.runtime.json`, where the
/// admin commands find the API, and logs "edge ready". Then it has nothing to
/// do until the group ends.
struct ReadinessService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "readiness" }

    let edge: EdgeServices

    func run() async throws {
        let apiPort = try await cancelWhenGracefulShutdown { try await edge.api.port() }
        let addresses = edge.publicAddresses
        try EdgeRuntimeFile(
            apiPort: apiPort, tunnelPort: edge.tunnelPort, httpsPort: edge.boundTLSPort,
            httpPort: edge.boundHTTPPort
        ).write(to: edge.configuration.dataDirectory)
        let configuration = edge.configuration
        // An IPv6 host in brackets, so that the port stands apart ([::]:8443).
        let host = configuration.bindHost.contains(":") ? "[\(configuration.bindHost)]" : configuration.bindHost
        edge.logger.info("edge ready", metadata: [
            "https": "\(host):\(edge.boundTLSPort)",
            "http": "\(host):\(edge.boundHTTPPort)",
            "tcp": "\(addresses.tcpPortRange.lowerBound)-\(addresses.tcpPortRange.upperBound)",
            "tunnel": "\(host):\(edge.tunnelPort)",
            "api": "\(edge.api.host):\(apiPort)",
            "data": "\(configuration.dataDirectory.path)",
        ])
        try? await gracefulShutdown()
    }
}
