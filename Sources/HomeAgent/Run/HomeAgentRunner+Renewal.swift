import AgentRuntime
import Foundation
import Wire

extension HomeAgentRunner {
    /// Renews the certificate over the live session ([CERT-2]) and records
    /// the outcome for `status`. One renewal at a time: the automatic one and
    /// `homeagent renew` never race each other for the files.
    func renewCertificate() async -> Result<Certificate, CertificateRenewalError> {
        guard let connection = currentConnection else { return .failure(.notConnected) }
        guard beginRenewal() else {
            return .failure(.files("a renewal is already in progress; try again in a moment"))
        }
        defer { endRenewal() }
        let config = live.current
        do {
            let certificate = try await CertificateRenewal.renew(
                config: config, configPath: configPath, requests: connection.requests)
            noteCertificate(certificate)
            board.update { $0.renewalError = nil }
            logger.notice("renewed the home certificate; the next connection uses it", metadata: [
                "certificate.not_after": "\(certificate.notAfter.formatted(.iso8601))",
                "certificate.sha256": "\(SHA256.hex(certificate.fingerprintSHA256))",
            ])
            return .success(certificate)
        } catch {
            board.update { $0.renewalError = NetworkErrorText.describe(error) }
            logger.warning("certificate renewal failed; the current certificate stays", metadata: ["reason": .reason(error)])
            return .failure(error)
        }
    }

    /// Renews whenever the certificate on disk is due (two thirds of its
    /// lifetime, with jitter; at once when already past), and retries
    /// failures with backoff, until the task is cancelled.
    func renewWhenDue() async {
        var failures = 0
        var unit = Double.random(in: 0...1)
        var scheduledFor: Certificate?
        while !Task.isCancelled {
            guard let certificate = try? HomeCredentials.load(for: live.current, configPath: configPath).certificate else {
                // run refused to start without credentials; a reload may have broken them since.
                guard (try? await Task.sleep(for: .seconds(600))) != nil else { return }
                continue
            }
            if certificate != scheduledFor {
                scheduledFor = certificate
                unit = Double.random(in: 0...1)
                failures = 0
                noteCertificate(certificate, unit: unit)
            }
            let due = RenewalSchedule.renewalPoint(notBefore: certificate.notBefore, notAfter: certificate.notAfter, unit: unit)
            let wait = due.timeIntervalSinceNow
            if wait > 0 {
                // In slices, so a clock that jumps (suspend, NTP) is noticed within the hour.
                guard (try? await Task.sleep(for: .seconds(min(wait, 3600)))) != nil else { return }
                continue
            }
            let delay: TimeInterval
            switch await renewCertificate() {
            case .success:
                continue
            case .failure(.notConnected):
                delay = 5  // not a failure of renewal: it waits for the session
            case .failure(let error):
                failures += 1
                delay = RenewalSchedule.retryDelay(failures: failures, tooSoon: error.isTooSoon, unit: .random(in: 0...1))
                logger.info("next certificate renewal attempt", metadata: ["in_seconds": "\(Int(delay))"])
            }
            guard (try? await Task.sleep(for: .seconds(delay))) != nil else { return }
        }
    }

    /// Shows `certificate`'s expiry and renewal point in `status`.
    func noteCertificate(_ certificate: Certificate, unit: Double = 0) {
        let due = RenewalSchedule.renewalPoint(notBefore: certificate.notBefore, notAfter: certificate.notAfter, unit: unit)
        board.update {
            $0.certificateExpires = certificate.notAfter
            $0.certificateRenewalDue = due
        }
    }
}
