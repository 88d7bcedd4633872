import Foundation
import Wire

extension EdgeAuthority {
    /// The same authority with its tunnel pair re-read from the data
    /// directory and reissued by the same rules as at start (expiring within
    /// 30 days, names changed, not issued by this CA, missing), or nil when
    /// the pair in use is still the one to use. The CA is the one in memory:
    /// a running edge never creates or replaces it, whatever happened to its
    /// files. Files that disagree are refused, as at start.
    func renewingTunnel(now: Date) throws(AuthorityError) -> EdgeAuthority? {
        var events: [Event] = []
        let tunnel = try AuthorityFiles(directory: directory).loadOrIssueTunnel(
            authority: authority, names: tunnelNames, addresses: tunnelAddresses, algorithm: .ed25519, now: now,
            events: &events)
        guard tunnel.certificate != tunnelCertificate else { return nil }
        return EdgeAuthority(
            directory: directory, authority: authority, tunnelKey: tunnel.key, tunnelCertificate: tunnel.certificate,
            tunnelNames: tunnelNames, tunnelAddresses: tunnelAddresses, events: events)
    }
}
