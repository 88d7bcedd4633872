import DNS
import Foundation
import NIOCore

/// How the edge checks domain ownership: the mode, and the nameservers to
/// ask (`--dns-server`; the system's `/etc/resolv.conf` when none is given).
struct DomainVerificationSettings: Sendable {
    var mode = DomainVerificationMode.none
    /// Empty: the nameservers of `/etc/resolv.conf`.
    var dnsServers: [DNSServerAddress] = []
    /// How long one DNS exchange may take, and how often each server is asked.
    var dnsTimeout: Duration = .seconds(2)
    var dnsAttempts = 2
    /// A whole lookup's limit: well inside the 10 s a reference home waits
    /// for DOMAIN_RESULT, so a silent nameserver still gets the home an answer.
    var dnsBudget: Duration = .seconds(6)

    /// The verifier for `txt` (creating the proof key in `dataDirectory` on
    /// first use), nil for `none`.
    func verifier(dataDirectory: URL, group: any EventLoopGroup) throws -> DomainVerifier? {
        guard mode == .txt else { return nil }
        let servers = dnsServers.isEmpty ? ResolvConf.nameservers(fromFile: ResolvConf.systemPath) : dnsServers
        return DomainVerifier(
            key: try DomainProofKey.loadOrCreate(in: dataDirectory),
            resolver: DNSResolver(servers: servers, timeout: dnsTimeout, attempts: dnsAttempts, budget: dnsBudget,
                group: group))
    }
}
