import Foundation
import Logging
import Wire

extension EdgeServices {
    /// What SIGHUP reloads at the edge. Ports, names and limits come from
    /// flags and need a restart; what can be re-read live is the registry's
    /// routes and the tunnel pair. The route table is rebuilt, TCP forward
    /// ports are opened or closed to match, and a port that another program
    /// held is tried again; changes made to the registry behind the edge's
    /// back (a restored backup) become visible this way. The tunnel pair is
    /// re-read from the data directory and reissued if due
    /// (`renewTunnelCertificate`).
    func reload() async {
        logger.info("reload requested (SIGHUP): re-reading routes and the tunnel certificate")
        renewTunnelCertificate(now: Date())
        let unopened = await listeners.refreshRoutes()
        let open = await listeners.tcpPorts
        logger.info("routes reloaded", metadata: [
            "tcp_ports_open": .stringConvertible(open.count),
            "tcp_ports_unavailable": "\(unopened.sorted())",
        ])
    }

    /// Re-reads the tunnel pair and reissues it if it is due (see
    /// `EdgeAuthority.renewingTunnel`); homes that connect from now on get
    /// the new one, sessions already up keep theirs. A failure is logged and
    /// the pair in use stays. Returns whether the pair was replaced.
    @discardableResult
    func renewTunnelCertificate(now: Date) -> Bool {
        do {
            guard let renewed = try tunnel.identity.authority.renewingTunnel(now: now) else { return false }
            try tunnel.identity.replace(with: renewed)
            logger.notice("new tunnel certificate; homes that connect from now on get it", metadata: [
                "certificate.not_after": "\(renewed.tunnelCertificate.notAfter.formatted(.iso8601))",
                "certificate.sha256": "\(SHA256.hex(renewed.tunnelCertificate.fingerprintSHA256))",
            ])
            return true
        } catch {
            logger.error("could not renew the tunnel certificate; the current one stays", metadata: [
                "reason": "\(error)"
            ])
            return false
        }
    }
}
