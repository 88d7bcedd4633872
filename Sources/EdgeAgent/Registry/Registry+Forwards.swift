import Foundation
import GRDB
import Wire

extension Registry {
    /// Makes the stored forwards of `home` match `declarations`, the complete
    /// list from the home's config, in one transaction. Idempotent: the same
    /// list again changes nothing, and a forward keeps its row and TCP port
    /// for as long as it is declared with the same name and type. Each
    /// declaration is judged on its own; the results come back in order.
    /// `unavailablePorts` are TCP ports the edge could not listen on: forwards
    /// holding one move to another port, and none is allocated.
    func syncForwards(
        home rawName: String, declarations: [ForwardDeclaration], tcpPortRange: ClosedRange<Int>,
        unavailablePorts: Set<Int> = [], now: Date, actor: AuditActor? = nil
    ) async throws(RegistryError) -> [ForwardSyncResult] {
        let name = try Self.existingName(rawName)
        let rules = self.rules
        // Ports outside 1...65535 cannot be listened on; an empty remainder
        // makes every TCP forward report an exhausted range.
        let portRange = tcpPortRange.clamped(to: 1...65_535)
        return try await write { db in
            let home = try Self.requireHome(db, name)
            var sync = ForwardSync(
                db: db, home: home, rules: rules, portRange: portRange, unavailablePorts: unavailablePorts, now: now)
            let results = try sync.run(declarations)
            if !sync.changed.isEmpty || !sync.removed.isEmpty {
                let rejected = results.compactMap { result -> String? in
                    if case .rejected(let name, _) = result { name } else { nil }
                }
                try Self.audit(
                    db, time: now, actor: actor ?? .home(home.name), action: "forward.sync", subject: home.name,
                    detail: [
                        "changed": sync.changed.joined(separator: ","),
                        "removed": sync.removed.sorted().joined(separator: ","),
                        "rejected": rejected.joined(separator: ","),
                    ])
            }
            return results
        }
    }

    /// A home's stored forwards, accepted and rejected, by name.
    func forwards(of rawName: String) async throws(RegistryError) -> [Forward] {
        let name = try Self.existingName(rawName)
        return try await read { db in
            let home = try Self.requireHome(db, name)
            return try Forward.fetchAll(
                db, sql: Forward.selectSQL + " WHERE forwards.home_id = ? ORDER BY forwards.name",
                arguments: [home.id])
        }
    }

    /// The public route table: every accepted forward of a home that is not
    /// disabled. Listeners rebuild their lookup from this after each change.
    func routes() async throws(RegistryError) -> [Route] {
        try await read { db in
            try Forward.fetchAll(
                db,
                sql: Forward.selectSQL + """
                     WHERE forwards.error IS NULL AND homes.state != 'disabled'
                    ORDER BY homes.name, forwards.name
                    """
            ).compactMap { forward in
                let key: Route.Key
                if let port = forward.publicPort {
                    key = .port(port)
                } else if let hostname = forward.hostname {
                    key = .hostname(hostname)
                } else {
                    return nil
                }
                return Route(
                    key: key, type: forward.type, home: forward.home, forward: forward.name,
                    proxyProtocol: forward.proxyProtocol, compress: forward.compress)
            }
        }
    }
}
