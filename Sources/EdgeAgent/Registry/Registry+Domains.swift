import Foundation
import GRDB

extension Registry {
    /// Claims a base domain for a home. The suffix and overlap rules are
    /// checked inside the write transaction, against the domains stored at
    /// that moment, so of two concurrent overlapping claims exactly one wins.
    /// Claiming a domain the home already holds changes nothing.
    @discardableResult
    /// `verification`, when given, goes into the audit entry (the operator
    /// vouched for a claim the edge would have asked DNS proof for).
    func claimDomain(
        _ rawDomain: String, home rawName: String, now: Date, actor: AuditActor? = nil, verification: String? = nil
    ) async throws(RegistryError) -> DomainClaim {
        let name = try Self.existingName(rawName)
        let domain: String
        do { domain = try rules.validateBaseDomain(rawDomain) } catch { throw .domainRejected(error) }
        let rules = self.rules
        return try await write { db in
            let home = try Self.requireHome(db, name)
            let existing = try DomainClaim.fetchOne(
                db, sql: DomainClaim.selectSQL + " WHERE domains.name = ?", arguments: [domain])
            if let existing, existing.home == home.name { return existing }
            let others = try String.fetchAll(
                db, sql: "SELECT name FROM domains WHERE home_id != ?", arguments: [home.id])
            do throws(DomainError) {
                try rules.checkNoOverlap(domain, with: others)
            } catch {
                throw RegistryError.domainRejected(error)
            }

            try db.execute(
                sql: "INSERT INTO domains (name, home_id, created_at) VALUES (?, ?, ?)",
                arguments: [domain, home.id, now])
            try Self.audit(
                db, time: now, actor: actor ?? .home(home.name), action: "domain.claim", subject: domain,
                detail: ["home": home.name].merging(verification.map { ["verification": $0] } ?? [:]) { first, _ in first })
            return DomainClaim(name: domain, home: home.name, createdAt: now)
        }
    }

    /// Releases a base domain, refused while an accepted forward's hostname
    /// depends on it (is under it and under none of the home's other domains).
    func releaseDomain(
        _ rawDomain: String, home rawName: String, now: Date, actor: AuditActor? = nil
    ) async throws(RegistryError) {
        let name = try Self.existingName(rawName)
        let domain = (try? DomainRules.baseDomainName(rawDomain).text) ?? String(rawDomain.prefix(80))
        try await write { db in
            let home = try Self.requireHome(db, name)
            let owned = try String.fetchAll(
                db, sql: "SELECT name FROM domains WHERE home_id = ?", arguments: [home.id])
            guard owned.contains(domain) else { throw RegistryError.domainNotFound(domain) }
            let remaining = owned.filter { $0 != domain }
            let forwards = try Row.fetchAll(
                db,
                sql: "SELECT name, hostname FROM forwards WHERE home_id = ? AND hostname IS NOT NULL AND error IS NULL",
                arguments: [home.id])
            let dependent = try forwards.filter { row in
                let hostname: String = try row.decode(forColumn: "hostname")
                return DomainRules.isEqualOrUnder(hostname, domain)
                    && !remaining.contains { DomainRules.isEqualOrUnder(hostname, $0) }
            }.map { row throws -> String in try row.decode(forColumn: "name") }
            guard dependent.isEmpty else { throw RegistryError.domainInUse(forwards: dependent.sorted()) }

            try db.execute(sql: "DELETE FROM domains WHERE name = ?", arguments: [domain])
            try Self.audit(
                db, time: now, actor: actor ?? .home(home.name), action: "domain.release", subject: domain,
                detail: ["home": home.name])
        }
    }

    /// The base domains a home holds, by name.
    func domains(of rawName: String) async throws(RegistryError) -> [DomainClaim] {
        let name = try Self.existingName(rawName)
        return try await read { db in
            _ = try Self.requireHome(db, name)
            return try DomainClaim.fetchAll(
                db, sql: DomainClaim.selectSQL + " WHERE homes.name = ? ORDER BY domains.name", arguments: [name])
        }
    }

    /// Every claimed base domain, by name.
    func allDomains() async throws(RegistryError) -> [DomainClaim] {
        try await read { db in
            try DomainClaim.fetchAll(db, sql: DomainClaim.selectSQL + " ORDER BY domains.name")
        }
    }
}
