import Foundation

/// Everything a registry operation can refuse, each with a message the API and
/// CLIs show as is. `storage` is the only case that is not the caller's doing
/// (disk full, corrupt file); the API maps it to a 5xx, everything else to 4xx.
enum RegistryError: Error, Hashable, Sendable {
    case homeExists(String)
    case homeNotFound(String)
    case invalidName(String)
    case invalidBandwidth(Int)
    case invalidBurst(Int)
    case invalidTCPPortQuota(Int)
    case invalidFingerprint
    case fingerprintInUse
    case invalidTTL
    case tokenUnknown
    case tokenExpired
    case tokenUsed
    /// A newer token was issued for the home, or the home enrolled with
    /// another token, after this one was issued ([ENROLL-8]).
    case tokenSuperseded
    /// The operator revoked the token before it was used.
    case tokenRevoked
    /// The home is disabled: it may neither connect nor enroll until enabled.
    case homeDisabled(String)
    /// A token id (or prefix) the operator typed that cannot be one.
    case tokenIDInvalid(String)
    case tokenNotFound(home: String, id: String)
    /// The prefix matches more than one of the home's tokens.
    case tokenIDAmbiguous(String)
    /// Only an unused token can be revoked.
    case tokenAlreadyUsed(home: String, id: String)
    case domainRejected(DomainError)
    case domainNotFound(String)
    case domainInUse(forwards: [String])
    case hostnameRejected(DomainError)
    case hostnameInUse(String)
    case duplicateForward(String)
    case invalidForward(String)
    case portRangeExhausted(ClosedRange<Int>)
    /// The home already holds `quota` public TCP ports; `home` names it in the message.
    case portQuotaExceeded(home: String, quota: Int)
    /// A `tcp` forward asked for a port outside the edge's `--tcp-ports` ([CTRL-7]).
    case portOutsideRange(port: Int, range: ClosedRange<Int>)
    /// A `tcp` forward asked for a port that is not free ([CTRL-7]).
    case portTaken(port: Int, by: PortHolder)
    /// The home was issued a renewed certificate less than the minimum
    /// interval ago ([CERT-2]); `next` is when another one may be issued.
    case renewalTooSoon(next: Date)
    case storage(String)
}

extension RegistryError: CustomStringConvertible {
    var description: String { message }

    /// A sentence the operator can act on.
    var message: String {
        switch self {
        case .homeExists(let name): "A home named '\(name)' already exists."
        case .homeNotFound(let name): "There is no home named '\(name)'."
        case .invalidName(let reason): reason
        case .invalidBandwidth(let kbps):
            "\(kbps) kbit/s is outside \(Home.bandwidthRangeKbps.lowerBound)–\(Home.bandwidthRangeKbps.upperBound) kbit/s; "
                + "leave it unset for unlimited."
        case .invalidBurst(let bytes):
            "A burst of \(bytes) bytes is outside \(Home.burstRangeBytes.lowerBound)–\(Home.burstRangeBytes.upperBound) bytes."
        case .invalidTCPPortQuota(let quota):
            "A TCP port quota of \(quota) is outside \(Home.tcpPortQuotaRange.lowerBound)–\(Home.tcpPortQuotaRange.upperBound) ports."
        case .invalidFingerprint: "A certificate fingerprint is 64 hexadecimal characters (SHA-256)."
        case .fingerprintInUse: "That certificate already belongs to another home."
        case .invalidTTL: "A join token's lifetime must be between one second and one year."
        case .tokenUnknown: "The join token is unknown; ask the edge operator for a new one."
        case .tokenExpired: "The join token has expired; ask the edge operator for a new one."
        case .tokenUsed: "The join token has already been used; ask the edge operator for a new one."
        case .tokenSuperseded:
            "The join token was replaced: a newer token was issued for this home, or the home has enrolled since; "
                + "ask the edge operator for a new one (`edgeagent home token NAME`)."
        case .tokenRevoked:
            "The join token was revoked by the edge operator; ask them for a new one (`edgeagent home token NAME`)."
        case .homeDisabled(let name):
            "Home '\(name)' is disabled by the edge operator; it can join and connect again once they enable it "
                + "(`edgeagent home enable \(name)`)."
        case .tokenIDInvalid(let id):
            "'\(id)' is not a token id: give the id `edgeagent home tokens NAME` lists (32 hex digits), "
                + "or at least its first \(Registry.minimumTokenIDPrefix)."
        case .tokenNotFound(let home, let id):
            "Home '\(home)' has no join token '\(id)'; `edgeagent home tokens \(home)` lists its tokens."
        case .tokenIDAmbiguous(let id):
            "More than one token starts with '\(id)'; give more of the id."
        case .tokenAlreadyUsed(let home, let id):
            "Token \(id) was already used to enroll home '\(home)', so revoking it changes nothing; to cut the home off, "
                + "disable it (`edgeagent home disable \(home)`) or delete it."
        case .domainRejected(let reason): reason.message
        case .domainNotFound(let name): "This home holds no domain '\(name)'."
        case .domainInUse(let forwards):
            "The domain is still used by forwards \(forwards.joined(separator: ", ")); remove them first."
        case .hostnameRejected(let reason): reason.message
        case .hostnameInUse(let name): "The hostname '\(name)' is already served by another forward."
        case .duplicateForward(let name): "The forward '\(name)' is declared more than once."
        case .invalidForward(let reason): reason
        case .portRangeExhausted(let range):
            "No public port is free in \(range.lowerBound)–\(range.upperBound); "
                + "remove a TCP forward or widen the edge's port range."
        case .portQuotaExceeded(let home, let quota):
            (quota == 0
                ? "Home '\(home)' may hold no public TCP port (its quota is 0)"
                : "Home '\(home)' may hold at most \(quota) public TCP port\(quota == 1 ? "" : "s") (its quota), "
                    + "and its other TCP forwards hold them all")
                + "; remove a TCP forward, or ask the edge operator to raise the quota "
                + "(`edgeagent home limit \(home) --tcp-ports N`), then sync again."
        case .portOutsideRange(let port, let range):
            "Port \(port) is outside the edge's TCP range \(range.lowerBound)-\(range.upperBound); "
                + "ask for a port in that range, or leave the port out to get any free one."
        case .portTaken(let port, let holder):
            "Port \(port) is taken by \(holder.phrase); ask for another port, or leave the port out to get any free one."
        case .renewalTooSoon(let next):
            "This home was issued a renewed certificate less than an hour ago; renew again after "
                + "\(next.formatted(.iso8601)) (the certificate it has keeps working until then)."
        case .storage(let detail): "The registry could not be accessed: \(detail)"
        }
    }
}

extension RegistryError {
    /// Who holds a public TCP port a forward asked for. Another home is not
    /// named: a home learns nothing about the others from a refusal.
    enum PortHolder: Hashable, Sendable {
        case otherHome
        /// One of the asking home's own forwards, by name.
        case sameHome(forward: String)
        /// A program on the edge's machine that is not the edge.
        case otherProgram

        var phrase: String {
            switch self {
            case .otherHome: "another home's forward"
            case .sameHome(let forward): "this home's forward '\(forward)'"
            case .otherProgram: "another program on the edge's machine"
            }
        }
    }
}
