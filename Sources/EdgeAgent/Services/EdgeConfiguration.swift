import Foundation
import Wire

/// Everything `EdgeServices.build` needs to know to build an edge, as one
/// value. `edgeagent serve` fills it from its flags; tests fill it directly;
/// a config file or the environment can fill it later without touching the
/// builder. Ports are the ones to bind: 0 lets the system choose, and the
/// bound ones are what the running edge reports.
struct EdgeConfiguration: Sendable {
    /// Where the Public Suffix List comes from (the registry's domain rules use it).
    enum PublicSuffixSource: Sendable {
        /// Debian's `publicsuffix` package file.
        case system
        /// The list's text itself (tests use a few known suffixes).
        case text(String)
    }

    /// The data directory: registry, CA, tunnel pair, admin token, runtime file.
    var dataDirectory: URL
    /// The address the public and tunnel ports listen on.
    var bindHost = "0.0.0.0"
    /// The edge's public DNS names (or addresses); the first goes into join
    /// tokens and forwards' public addresses, all go into the tunnel certificate.
    var hostnames = ["localhost"]
    /// Public TLS port (SNI passthrough).
    var tlsPort = EdgePublicAddresses.defaultTLSPort
    /// Public HTTP port (Host routing, ACME challenges, redirect).
    var httpPort = EdgePublicAddresses.defaultHTTPPort
    /// The port homes connect to.
    var tunnelPort = EdgePublicAddresses.defaultTLSPort + 1
    /// The admin API's address: loopback unless the operator says otherwise.
    var apiHost = "127.0.0.1"
    var apiPort = EdgePublicAddresses.defaultTLSPort + 2
    /// Public ports handed to TCP forwards.
    var tcpPortRange = EdgePublicAddresses.defaultTCPPortRange
    /// How long streams in flight get to finish on shutdown.
    var drainTimeout: Duration = .seconds(10)
    /// Most public connections one home may hold at once.
    var maxConnectionsPerHome = ForwardCapacity.defaultPerHomeLimit
    /// Most public connections one forward may hold at once (nil: three quarters of its home's share).
    var maxConnectionsPerForward: Int?
    var publicSuffixes = PublicSuffixSource.system
    /// Names a new CA when no DNS hostname is configured.
    var machineName = ProcessInfo.processInfo.hostName
    /// Whether domain claims need DNS proof, and where the edge asks ([PROOF-1]).
    var domainVerification = DomainVerificationSettings()
    /// Settings of each home's tunnel session (keepalive, windows, limits).
    var session = SessionConfiguration()

    init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// The name join tokens and forwards' public addresses carry.
    var primaryHostname: String { hostnames.first ?? "localhost" }

    /// Longest the whole shutdown may take before the group cancels what is
    /// left: the drain, plus 5 s for the API's requests and the listeners to
    /// close (within systemd's TimeoutStopSec=20 at the default drain of 10 s).
    var maximumShutdownDuration: Duration { drainTimeout + .seconds(5) }
}
