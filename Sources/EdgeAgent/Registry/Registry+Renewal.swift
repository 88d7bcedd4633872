import Foundation
import GRDB

extension Registry {
    /// The shortest time between two renewals of one home ([CERT-2]), so a
    /// home (or whoever holds its key) cannot make the edge sign in a loop.
    static let minimumRenewalInterval: TimeInterval = 3600

    /// Throws ``RegistryError/renewalTooSoon(next:)`` when `home` was issued
    /// a renewed certificate within the minimum interval: checked before the
    /// edge signs anything, and again inside ``recordRenewal``.
    func checkRenewalAllowed(home rawName: String, now: Date) async throws(RegistryError) {
        let name = try Self.existingName(rawName)
        try await read { db in try Self.checkRenewalAllowed(try Self.requireHome(db, name), now: now) }
    }

    /// Records `fingerprint` as the home's pending certificate ([CERT-2]):
    /// admitted alongside the current one until the home first connects with
    /// it (``promotePendingCertificate``). A previous pending certificate the
    /// home never used is replaced. One transaction with its audit row.
    func recordRenewal(
        home rawName: String, fingerprint rawFingerprint: String, now: Date
    ) async throws(RegistryError) -> Home {
        let name = try Self.existingName(rawName)
        let fingerprint = try Self.normalizeFingerprint(rawFingerprint)
        return try await write { db in
            let home = try Self.requireHome(db, name)
            try Self.checkRenewalAllowed(home, now: now)
            if try Self.findHome(db, fingerprint: fingerprint) != nil { throw RegistryError.fingerprintInUse }
            try db.execute(
                sql: """
                    UPDATE homes SET pending_certificate_sha256 = ?, certificate_renewed_at = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [fingerprint, now, now, home.id])
            var detail = ["sha256": fingerprint, "current": home.certificateSHA256 ?? ""]
            if let replaced = home.pendingCertificateSHA256 { detail["replaced_pending"] = replaced }
            try Self.audit(db, time: now, actor: .home(name), action: "home.certificate.renew", subject: name, detail: detail)
            return try Self.requireHome(db, name)
        }
    }

    /// The home connected with its pending certificate: it becomes the
    /// current one and the previous certificate is refused from now on
    /// ([CERT-2]). Nothing happens when `fingerprint` is not (or no longer)
    /// the pending one (a concurrent revocation or renewal won).
    func promotePendingCertificate(home rawName: String, fingerprint rawFingerprint: String, now: Date) async throws(RegistryError) {
        let name = try Self.existingName(rawName)
        let fingerprint = try Self.normalizeFingerprint(rawFingerprint)
        try await write { db in
            let home = try Self.requireHome(db, name)
            guard home.pendingCertificateSHA256 == fingerprint else { return }
            try db.execute(
                sql: """
                    UPDATE homes SET certificate_sha256 = ?, pending_certificate_sha256 = NULL, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [fingerprint, now, home.id])
            try Self.audit(
                db, time: now, actor: .home(name), action: "home.certificate.promote", subject: name,
                detail: ["sha256": fingerprint, "retired": home.certificateSHA256 ?? ""])
        }
    }

    private static func checkRenewalAllowed(_ home: Home, now: Date) throws(RegistryError) {
        guard let last = home.certificateRenewedAt else { return }
        let next = last.addingTimeInterval(minimumRenewalInterval)
        if now < next { throw .renewalTooSoon(next: next) }
    }
}
