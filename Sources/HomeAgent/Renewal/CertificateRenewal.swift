import Foundation
import Wire

/// One renewal over a session ([CERT-2]): a new key generated here (it never
/// leaves the home), RENEW_REQUEST with its CSR, the answer checked like
/// enrollment's ([ENROLL-4]), then the new pair written in place of the old
/// one. The running session is not touched: the new certificate serves from
/// the next connection. The edge keeps admitting the old one until then.
enum CertificateRenewal {
    static func renew(
        config: HomeConfig, configPath: String, requests: EdgeRequestClient
    ) async throws(CertificateRenewalError) -> Certificate {
        let paths = config.paths(relativeTo: configPath)
        let current: HomeCredentials
        do { current = try HomeCredentials.load(for: config, configPath: configPath) } catch {
            throw .files("cannot read the current credentials: \(error)")
        }
        let key: PrivateKey
        let csr: String
        do {
            key = try PrivateKey.generate(.ed25519)
            csr = try CertificateSigningRequest(key: key, commonName: config.home).pemString()
        } catch {
            throw .files("cannot create a key: \(error)")
        }
        let response: RenewResponse
        do { response = try await requests.renewCertificate(csr: csr) } catch { throw .request(error) }
        let certificate = try check(response, key: key, home: config.home, caPin: current.caPin, caPath: paths.ca)
        try RenewedCredentialFiles.install(key: key, certificate: certificate, paths: paths)
        return certificate
    }

    /// The certificate in the edge's answer, when it is one this home can
    /// use: for our new key, naming our home, issued by `ca_certificate`,
    /// which must be the CA we pin. Everything here is peer input.
    static func check(
        _ response: RenewResponse, key: PrivateKey, home: String, caPin: [UInt8], caPath: String
    ) throws(CertificateRenewalError) -> Certificate {
        if let error = response.error { throw .refused(error) }
        guard let pem = response.certificate else { throw .badAnswer("neither a certificate nor an error") }
        let certificate: Certificate
        do { certificate = try Certificate(pem: pem) } catch { throw .badAnswer("the certificate does not parse: \(error.message)") }
        guard certificate.certifies(key) else { throw .badAnswer("the certificate is not for the key we sent") }
        guard certificate.subjectCommonName == home else {
            throw .badAnswer("the certificate names \(certificate.subjectCommonName ?? "nobody"), not \(home)")
        }
        guard let caPEM = response.caCertificate else { throw .badAnswer("no ca_certificate") }
        guard let ca = try? Certificate(pem: caPEM), ca.fingerprintSHA256 == caPin else {
            throw .badAnswer("ca_certificate is not the edge CA this home trusts (\(caPath))")
        }
        guard certificate.isSigned(by: ca) else { throw .badAnswer("the certificate is not issued by the edge CA") }
        return certificate
    }
}
