import Foundation
import Wire

/// Who is at the other end of a tunnel connection, decided once per
/// connection from the client certificate and the registry.
enum TunnelAdmission: Sendable {
    /// An enrolled, active home whose certificate is the one on record, with
    /// the bandwidth limits its row holds.
    case home(name: String, limits: SessionRateLimits)
    /// No client certificate: the connection may only enroll ([ENROLL-2]).
    case enrolling
}

/// Why a tunnel connection was turned away.
enum TunnelRefusal: Error, CustomStringConvertible {
    case unknownCertificate(fingerprint: String)
    case homeNotActive(name: String, state: String)

    var description: String {
        switch self {
        case .unknownCertificate(let fingerprint):
            "client certificate \(fingerprint.prefix(16))… belongs to no home (deleted or re-enrolled)"
        case .homeNotActive(let name, let state):
            "home \(name) is \(state)"
        }
    }
}

extension Registry {
    /// The check made on every tunnel connect: the certificate must be the
    /// one recorded for an active home, so a deleted home cannot connect, or
    /// its renewed one ([CERT-2]), whose first use retires the previous
    /// certificate.
    func admit(certificate: Certificate?, now: Date = Date()) async throws -> TunnelAdmission {
        guard let certificate else { return .enrolling }
        let fingerprint = SHA256.hex(certificate.fingerprintSHA256)
        guard let home = try await homeByFingerprint(fingerprint) else {
            throw TunnelRefusal.unknownCertificate(fingerprint: fingerprint)
        }
        guard home.state == .active else {
            throw TunnelRefusal.homeNotActive(name: home.name, state: home.state.rawValue)
        }
        if home.pendingCertificateSHA256 == fingerprint {
            try await promotePendingCertificate(home: home.name, fingerprint: fingerprint, now: now)
        }
        return .home(name: home.name, limits: home.rateLimits)
    }
}
