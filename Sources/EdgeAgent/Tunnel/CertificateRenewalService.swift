import AgentRuntime
import Foundation
import Logging
import Wire

/// Answers RENEW_REQUEST on an admitted home's session ([CERT-2]): checks
/// the CSR as enrollment does ([ENROLL-6]), refuses a home renewed within
/// the last hour, issues a certificate for the session's home (the name
/// comes from the session, never from the CSR) and records its fingerprint
/// as the home's pending certificate. The current certificate stays valid
/// until the home first connects with the new one.
struct CertificateRenewalService: Sendable {
    let home: String
    let registry: Registry
    let authority: EdgeAuthority
    let logger: Logger

    func renew(_ request: RenewRequest, now: Date) async -> RenewResponse {
        guard let csr = try? CertificateSigningRequest(pem: request.csr), csr.verifySignature() else {
            return refuse(request, "csr_invalid", "The certificate request is malformed or not signed by its key.")
        }
        // [ENROLL-6] Ed25519 and P-256 keys only, as at enrollment.
        do throws(CryptoError) {
            _ = try csr.publicKey()
        } catch {
            return refuse(request, "csr_invalid",
                          "The certificate request's key is not accepted (Ed25519 and P-256 are): \(error.message)")
        }
        do {
            // Before signing, so a home refused for renewing too often costs no signature.
            try await registry.checkRenewalAllowed(home: home, now: now)
            let certificate = try authority.issueHomeCertificate(csr: csr, homeName: home, now: now)
            let fingerprint = SHA256.hex(certificate.fingerprintSHA256)
            _ = try await registry.recordRenewal(home: home, fingerprint: fingerprint, now: now)
            logger.notice("issued a renewed home certificate", metadata: [
                "certificate.sha256": "\(fingerprint)", "certificate.not_after": "\(certificate.notAfter)",
            ])
            return RenewResponse(requestID: request.requestID, certificate: certificate.pemString,
                                 caCertificate: authority.caCertificate.pemString)
        } catch let error as RegistryError {
            logger.notice("certificate renewal refused", metadata: ["reason": .reason(error)])
            return RenewResponse(requestID: request.requestID, error: error.controlError)
        } catch {
            logger.error("certificate renewal failed", metadata: ["reason": .reason(error)])
            return refuse(request, "internal", "The edge could not issue a certificate; try again later.")
        }
    }

    private func refuse(_ request: RenewRequest, _ code: String, _ message: String) -> RenewResponse {
        logger.notice("certificate renewal refused", metadata: ["reason": "\(code)"])
        return RenewResponse(requestID: request.requestID, error: ControlError(code: code, message: message))
    }
}
