import Foundation
import GRDB
import Wire

extension Registry {
    /// Creates a `pending` home; it becomes `active` once it holds a certificate.
    func createHome(
        name rawName: String, uploadLimitKbps: Int? = nil, downloadLimitKbps: Int? = nil,
        tcpPortQuota: Int = Home.defaultTCPPortQuota, now: Date, actor: AuditActor = .admin
    ) async throws(RegistryError) -> Home {
        let name = try Self.homeName(rawName)
        try Self.checkBandwidth(uploadLimitKbps)
        try Self.checkBandwidth(downloadLimitKbps)
        try Self.checkTCPPortQuota(tcpPortQuota)
        return try await write { db in
            if try Self.findHome(db, name) != nil { throw RegistryError.homeExists(name) }
            try db.execute(
                sql: """
                    INSERT INTO homes (name, state, upload_limit_kbps, download_limit_kbps, tcp_port_quota,
                        created_at, updated_at)
                    VALUES (?, 'pending', ?, ?, ?, ?, ?)
                    """,
                arguments: [name, uploadLimitKbps, downloadLimitKbps, tcpPortQuota, now, now])
            var detail = Self.bandwidthDetail(uploadLimitKbps, downloadLimitKbps, nil)
            detail["tcp_port_quota"] = String(tcpPortQuota)
            try Self.audit(db, time: now, actor: actor, action: "home.create", subject: name, detail: detail)
            return try Self.requireHome(db, name)
        }
    }

    /// The home called `name` (any case), or nil.
    func home(named rawName: String) async throws(RegistryError) -> Home? {
        guard let name = try? HomeName(rawName).text else { return nil }
        return try await read { db in try Self.findHome(db, name) }
    }

    /// Every home, by name.
    func homes() async throws(RegistryError) -> [Home] {
        try await read { db in try Home.fetchAll(db, sql: "SELECT * FROM homes ORDER BY name") }
    }

    /// Deletes a home with its tokens, domains and forwards (by foreign-key
    /// cascade, in the same transaction). The caller ends its live session.
    func deleteHome(named rawName: String, now: Date, actor: AuditActor = .admin) async throws(RegistryError) {
        let name = try Self.existingName(rawName)
        try await write { db in
            let home = try Self.requireHome(db, name)
            let domains = try String.fetchAll(
                db, sql: "SELECT name FROM domains WHERE home_id = ? ORDER BY name", arguments: [home.id])
            let forwards = try String.fetchAll(
                db, sql: "SELECT name FROM forwards WHERE home_id = ? ORDER BY name", arguments: [home.id])
            try db.execute(sql: "DELETE FROM homes WHERE id = ?", arguments: [home.id])
            try Self.audit(
                db, time: now, actor: actor, action: "home.delete", subject: name,
                detail: ["domains": domains.joined(separator: ","), "forwards": forwards.joined(separator: ",")])
        }
    }

    /// Sets all three limits; nil means unlimited (burst: the default).
    func setBandwidth(
        home rawName: String, upload: Int?, download: Int?, burst: Int?, now: Date, actor: AuditActor = .admin
    ) async throws(RegistryError) -> Home {
        try await updateLimits(
            home: rawName, upload: .to(upload), download: .to(download), burst: .to(burst), now: now, actor: actor)
    }

    /// Changes some limits and keeps the others, reading and writing in one
    /// transaction, so two partial updates of one home that race never undo
    /// each other (as a read in the caller followed by `setBandwidth` could).
    /// `tcpPortQuota` nil keeps the quota; a new quota applies from the
    /// home's next forward sync (forwards already holding ports keep them
    /// until then).
    func updateLimits(
        home rawName: String, upload: LimitChange = .unchanged, download: LimitChange = .unchanged,
        burst: LimitChange = .unchanged, tcpPortQuota: Int? = nil, now: Date, actor: AuditActor = .admin
    ) async throws(RegistryError) -> Home {
        let name = try Self.existingName(rawName)
        for change in [upload, download] {
            if case .to(let value) = change { try Self.checkBandwidth(value) }
        }
        if case .to(let value?) = burst, !Home.burstRangeBytes.contains(value) { throw .invalidBurst(value) }
        if let tcpPortQuota { try Self.checkTCPPortQuota(tcpPortQuota) }
        let bandwidthChanged = [upload, download, burst].contains { $0 != .unchanged }
        return try await write { db in
            let home = try Self.requireHome(db, name)
            let newUpload = upload.applied(to: home.uploadLimitKbps)
            let newDownload = download.applied(to: home.downloadLimitKbps)
            let newBurst = burst.applied(to: home.burstBytes)
            let newQuota = tcpPortQuota ?? home.tcpPortQuota
            try db.execute(
                sql: """
                    UPDATE homes SET upload_limit_kbps = ?, download_limit_kbps = ?, burst_bytes = ?,
                        tcp_port_quota = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [newUpload, newDownload, newBurst, newQuota, now, home.id])
            // A call that names no quota is a bandwidth change, even an empty one.
            if bandwidthChanged || tcpPortQuota == nil {
                try Self.audit(
                    db, time: now, actor: actor, action: "home.bandwidth", subject: name,
                    detail: Self.bandwidthDetail(newUpload, newDownload, newBurst))
            }
            if let tcpPortQuota {
                try Self.audit(
                    db, time: now, actor: actor, action: "home.tcp_port_quota", subject: name,
                    detail: ["tcp_port_quota": String(tcpPortQuota), "previous": String(home.tcpPortQuota)])
            }
            return try Self.requireHome(db, name)
        }
    }

    /// Records the SHA-256 (hex) of the home's client certificate, making a
    /// pending home `active`; nil revokes it, making the home `pending` again
    /// (the caller ends the live session). A fingerprint is unique: one
    /// certificate identifies one home. A renewal still pending is dropped:
    /// a new enrollment or a revocation supersedes it.
    func setCertificate(
        home rawName: String, fingerprint: String?, now: Date, actor: AuditActor = .admin
    ) async throws(RegistryError) -> Home {
        let name = try Self.existingName(rawName)
        let fingerprint = try fingerprint.map { value throws(RegistryError) in try Self.normalizeFingerprint(value) }
        return try await write { db in
            let home = try Self.requireHome(db, name)
            if let fingerprint, let holder = try Self.findHome(db, fingerprint: fingerprint), holder.id != home.id {
                throw RegistryError.fingerprintInUse
            }
            let state: Home.State =
                switch (home.state, fingerprint) {
                case (.disabled, _): .disabled
                case (_, .some): .active
                case (_, .none): .pending
                }
            try db.execute(
                sql: """
                    UPDATE homes SET certificate_sha256 = ?, pending_certificate_sha256 = NULL, state = ?,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [fingerprint, state.rawValue, now, home.id])
            try Self.audit(
                db, time: now, actor: actor, action: fingerprint == nil ? "home.certificate.revoke" : "home.certificate.set",
                subject: name, detail: fingerprint.map { ["sha256": $0] } ?? [:])
            return try Self.requireHome(db, name)
        }
    }

    /// The home whose current or pending ([CERT-2]) client certificate has
    /// this SHA-256 (hex, any case), or nil: the check the tunnel makes on
    /// every connect.
    func homeByFingerprint(_ fingerprint: String) async throws(RegistryError) -> Home? {
        guard let fingerprint = try? Self.normalizeFingerprint(fingerprint) else { return nil }
        return try await read { db in try Self.findHome(db, fingerprint: fingerprint) }
    }

    // MARK: - Helpers shared by the other operations

    static func findHome(_ db: Database, _ name: String) throws -> Home? {
        try Home.fetchOne(db, sql: "SELECT * FROM homes WHERE name = ?", arguments: [name])
    }

    static func findHome(_ db: Database, fingerprint: String) throws -> Home? {
        try Home.fetchOne(
            db, sql: "SELECT * FROM homes WHERE certificate_sha256 = ? OR pending_certificate_sha256 = ?",
            arguments: [fingerprint, fingerprint])
    }

    static func requireHome(_ db: Database, _ name: String) throws -> Home {
        guard let home = try findHome(db, name) else { throw RegistryError.homeNotFound(name) }
        return home
    }

    /// A name that fails syntax cannot exist, so it is reported as not found.
    static func existingName(_ raw: String) throws(RegistryError) -> String {
        do { return try HomeName(raw).text } catch { throw .homeNotFound(String(raw.prefix(80))) }
    }

    /// The canonical form of a new home's name (Wire's ``HomeName`` rule),
    /// or why it cannot be one, as a sentence for the API and CLI.
    static func homeName(_ raw: String) throws(RegistryError) -> String {
        do { return try HomeName(raw).text } catch {
            let phrase = error.description
            throw .invalidName(phrase.prefix(1).uppercased() + phrase.dropFirst() + ".")
        }
    }

    private static func checkBandwidth(_ kbps: Int?) throws(RegistryError) {
        if let kbps, !Home.bandwidthRangeKbps.contains(kbps) { throw .invalidBandwidth(kbps) }
    }

    private static func checkTCPPortQuota(_ quota: Int) throws(RegistryError) {
        if !Home.tcpPortQuotaRange.contains(quota) { throw .invalidTCPPortQuota(quota) }
    }

    static func normalizeFingerprint(_ raw: String) throws(RegistryError) -> String {
        let hex = raw.lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw .invalidFingerprint
        }
        return hex
    }

    private static func bandwidthDetail(_ upload: Int?, _ download: Int?, _ burst: Int?) -> [String: String] {
        [
            "upload_kbps": upload.map(String.init) ?? "unlimited",
            "download_kbps": download.map(String.init) ?? "unlimited",
            "burst_bytes": burst.map(String.init) ?? "default",
        ]
    }
}
