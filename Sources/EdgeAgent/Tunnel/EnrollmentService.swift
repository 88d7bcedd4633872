import Foundation
import Wire

/// Turns an ENROLL_REQUEST into a certificate ([ENROLL-3]): checks the CSR,
/// redeems the join token (atomically, once), issues the home's client
/// certificate from the edge CA and records its fingerprint, so the home's
/// next connection is admitted by certificate.
struct EnrollmentService: Sendable {
    let registry: Registry
    let authority: EdgeAuthority

    func enroll(_ request: EnrollRequest, now: Date = Date()) async -> EnrollResponse {
        // The CSR is checked before the token is spent, so a broken request
        // does not burn the home's only token.
        guard let csr = try? CertificateSigningRequest(pem: request.csr), csr.verifySignature() else {
            return Self.failure("csr_invalid", "the certificate request is malformed or not signed by its key")
        }
        guard let secret = try? Base64URL.decode(request.secret[...].utf8) else {
            return Self.failure("token_unknown", RegistryError.tokenUnknown.description)
        }
        do {
            let home = try await registry.redeemJoinToken(id: request.tokenID, secret: secret, now: now)
            let certificate = try authority.issueHomeCertificate(csr: csr, homeName: home.name, now: now)
            _ = try await registry.setCertificate(
                home: home.name, fingerprint: SHA256.hex(certificate.fingerprintSHA256), now: now, actor: .home(home.name))
            return EnrollResponse(home: home.name, certificate: certificate.pemString)
        } catch let error as RegistryError {
            switch error {
            case .tokenUnknown: return Self.failure("token_unknown", error.description)
            case .tokenExpired: return Self.failure("token_expired", error.description)
            case .tokenUsed: return Self.failure("token_used", error.description)
            default: return Self.failure("internal", error.description)
            }
        } catch {
            return Self.failure("internal", "enrollment failed on the edge: \(error)")
        }
    }

    private static func failure(_ code: String, _ message: String) -> EnrollResponse {
        EnrollResponse(error: ControlError(code: code, message: message))
    }
}
