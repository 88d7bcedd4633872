import Foundation
import Wire

/// Turns an ENROLL_REQUEST into a certificate ([ENROLL-3]): checks the
/// request's form and its CSR, redeems the join token (atomically, once),
/// issues the home's client certificate from the edge CA and records its
/// fingerprint, so the home's next connection is admitted by certificate.
struct EnrollmentService: Sendable {
    let registry: Registry
    let authority: EdgeAuthority

    func enroll(_ request: EnrollRequest, now: Date = Date()) async -> EnrollResponse {
        // Form and CSR are checked before the token is spent, so a broken
        // request does not burn the home's only token.
        guard let secret = Self.secret(of: request) else {
            return Self.failure("token_malformed", "token_id must be 32 hex digits and secret the 43-character unpadded "
                + "base64url form of 32 bytes ([ENROLL-5]); this request has another form")
        }
        guard let csr = try? CertificateSigningRequest(pem: request.csr), csr.verifySignature() else {
            return Self.failure("csr_invalid", "the certificate request is malformed or not signed by its key")
        }
        // [ENROLL-6] Ed25519 and P-256 keys only: the ones the tunnel's TLS and the CA sign for.
        do throws(CryptoError) {
            _ = try csr.publicKey()
        } catch {
            return Self.failure("csr_invalid",
                                "the certificate request's key is not accepted (Ed25519 and P-256 are): \(error.message)")
        }
        do {
            let home = try await registry.redeemJoinToken(id: request.tokenID, secret: secret, now: now)
            let certificate = try authority.issueHomeCertificate(csr: csr, homeName: home.name, now: now)
            _ = try await registry.setCertificate(
                home: home.name, fingerprint: SHA256.hex(certificate.fingerprintSHA256), now: now, actor: .home(home.name))
            return EnrollResponse(home: home.name, certificate: certificate.pemString,
                                  caCertificate: authority.caCertificate.pemString)
        } catch let error as RegistryError {
            switch error {
            case .tokenUnknown: return Self.failure("token_unknown", error.description)
            case .tokenExpired: return Self.failure("token_expired", error.description)
            case .tokenUsed: return Self.failure("token_used", error.description)
            case .tokenSuperseded: return Self.failure("token_superseded", error.description)
            case .tokenRevoked: return Self.failure("token_revoked", error.description)
            // The code the spec reserved for a home that may not enroll.
            case .homeDisabled: return Self.failure("not_allowed", error.description)
            default: return Self.failure("internal", error.description)
            }
        } catch {
            return Self.failure("internal", "enrollment failed on the edge: \(error)")
        }
    }

    /// The secret's bytes when the request has the one valid form ([ENROLL-5]):
    /// `token_id` 32 hex digits, `secret` exactly 32 bytes in unpadded base64url.
    /// A padded secret is refused here (`token_malformed`), not taken for a
    /// wrong one (`token_unknown`), so a client author sees what to fix.
    static func secret(of request: EnrollRequest) -> [UInt8]? {
        let hex = request.tokenID.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
        }
        guard request.tokenID.utf8.count == 32, hex,
            let secret = try? Base64URL.decode(request.secret[...].utf8), secret.count == 32
        else { return nil }
        return secret
    }

    private static func failure(_ code: String, _ message: String) -> EnrollResponse {
        EnrollResponse(error: ControlError(code: code, message: message))
    }
}
