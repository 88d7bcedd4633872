import Foundation
import GRDB
import Wire

/// One run of `Registry.syncForwards` inside its write transaction.
///
/// The home's declaration list is the whole truth: rows it no longer names are
/// deleted (releasing their ports), rows it still names with the same type are
/// updated in place (keeping their id and TCP port), the rest are inserted.
/// Before any declaration is checked, the home's surviving rows are marked
/// unrouted, so conflicts are judged only against other homes and against
/// declarations already processed in this run, never against this home's
/// stale rows. Nothing outside the transaction sees that intermediate state.
///
/// A home holds at most its quota of public TCP ports. Declarations that
/// already hold a port are judged before new ones, so adding a forward never
/// takes the port of one that had it; then those that ask for a port
/// ([CTRL-7]), so a forward given any free port never takes the one another
/// asked for; the rest are judged in declaration order, and results always
/// come back in declaration order.
struct ForwardSync {
    /// More than this many declarations from one home are rejected: a home
    /// config lists a handful, a flood of them is a misbehaving peer.
    static let maximumForwards = 1_000
    static let maximumTargetLength = 1_024
    private static let pendingMarker = "pending sync"

    let db: Database
    let home: Home
    let rules: DomainRules
    let portRange: ClosedRange<Int>
    /// Ports the edge could not listen on (another program holds them): a
    /// forward on one of them moves, and none is handed out.
    var unavailablePorts: Set<Int> = []
    let now: Date

    /// Names whose rows this run added, changed or removed, for the audit row.
    private(set) var changed: [String] = []
    private(set) var removed: [String] = []
    /// TCP ports this run has given the home's forwards so far.
    private(set) var tcpPortsHeld = 0

    mutating func run(_ declarations: [ForwardDeclaration]) throws -> [ForwardSyncResult] {
        let existing = try Dictionary(
            Forward.fetchAll(db, sql: Forward.selectSQL + " WHERE forwards.home_id = ?", arguments: [home.id])
                .map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first })
        let baseDomains = try String.fetchAll(
            db, sql: "SELECT name FROM domains WHERE home_id = ?", arguments: [home.id])

        // Which declarations get a row: the first valid one of each name.
        var verdicts: [Result<ForwardDeclaration, RegistryError>] = []
        var kept: [String: ForwardType] = [:]
        for (index, declaration) in declarations.enumerated() {
            if index >= Self.maximumForwards {
                verdicts.append(.failure(.invalidForward("A home may declare at most \(Self.maximumForwards) forwards.")))
            } else if let error = Self.nameError(declaration.name) {
                verdicts.append(.failure(.invalidForward(error)))
            } else if let type = declaration.unrecognizedType {
                verdicts.append(.failure(.invalidForward(
                    "The type '\(type.prefix(16))' of '\(declaration.name)' is not known to this edge; use https, http or tcp.")))
            } else if kept[declaration.name] != nil {
                verdicts.append(.failure(.duplicateForward(declaration.name)))
            } else {
                kept[declaration.name] = declaration.type
                verdicts.append(.success(declaration))
            }
        }

        for (name, row) in existing where kept[name] != row.type {
            try db.execute(sql: "DELETE FROM forwards WHERE id = ?", arguments: [row.id])
            removed.append(name)
        }
        try db.execute(
            sql: "UPDATE forwards SET error = ? WHERE home_id = ?", arguments: [Self.pendingMarker, home.id])

        var results = [ForwardSyncResult?](repeating: nil, count: declarations.count)
        for index in Self.judgingOrder(verdicts, existing: existing) {
            switch verdicts[index] {
            case .failure(let error):
                results[index] = .rejected(name: String(declarations[index].name.prefix(80)), error: error)
            case .success(let declaration):
                let previous = existing[declaration.name].flatMap { $0.type == declaration.type ? $0 : nil }
                results[index] = try store(declaration, previous: previous, baseDomains: baseDomains)
            }
        }
        return results.compactMap { $0 }
    }

    /// [CTRL-4]: the same rule the home checked its config with; the sentence
    /// goes back to the home in FORWARDS_RESULT.
    private static func nameError(_ name: String) -> String? {
        do {
            _ = try ForwardName(name)
            return nil
        } catch {
            return "The " + error.description + "."
        }
    }

    /// Declaration indices: those whose forward already holds a public TCP
    /// port first, then those that ask for a port, then the rest, each group
    /// in declaration order.
    private static func judgingOrder(
        _ verdicts: [Result<ForwardDeclaration, RegistryError>], existing: [String: Forward]
    ) -> [Int] {
        let rank = verdicts.map { verdict in
            guard case .success(let declaration) = verdict else { return 2 }
            if let row = existing[declaration.name], row.type == declaration.type, row.publicPort != nil { return 0 }
            return declaration.port != nil ? 1 : 2
        }
        return (0...2).flatMap { group in verdicts.indices.filter { rank[$0] == group } }
    }

    /// Validates one declaration and writes its row, accepted or rejected.
    private mutating func store(
        _ declaration: ForwardDeclaration, previous: Forward?, baseDomains: [String]
    ) throws -> ForwardSyncResult {
        let decision = try decide(declaration, previous: previous, baseDomains: baseDomains)
        if decision.port != nil { tcpPortsHeld += 1 }
        // An oversized target is not kept; everything else is, for status views.
        let target = declaration.target.flatMap { $0.utf8.count <= Self.maximumTargetLength ? $0 : nil }
        let proxyProtocol = declaration.proxyProtocol == "v2" ? "v2" : nil
        let message = decision.error?.message
        let values: [(any DatabaseValueConvertible)?] = [
            decision.hostname, decision.port, proxyProtocol, declaration.compress, target, message,
        ]
        if let previous {
            let unchanged =
                previous.hostname == decision.hostname && previous.publicPort == decision.port
                && previous.proxyProtocol == proxyProtocol && previous.compress == declaration.compress
                && previous.target == target && previous.error == message
            if !unchanged { changed.append(declaration.name) }
            try db.execute(
                sql: """
                    UPDATE forwards SET hostname = ?, public_port = ?, proxy_protocol = ?, compress = ?,
                        target = ?, error = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: StatementArguments(values + [unchanged ? previous.updatedAt : now, previous.id]))
        } else {
            changed.append(declaration.name)
            try db.execute(
                sql: """
                    INSERT INTO forwards (home_id, name, type, hostname, public_port, proxy_protocol, compress,
                        target, error, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments([home.id, declaration.name, declaration.type.rawValue] + values + [now, now]))
        }
        if let error = decision.error { return .rejected(name: declaration.name, error: error) }
        let row = try Forward.fetchOne(
            db, sql: Forward.selectSQL + " WHERE forwards.home_id = ? AND forwards.name = ?",
            arguments: [home.id, declaration.name])
        guard let row else { throw RegistryError.storage("forward '\(declaration.name)' vanished while syncing") }
        return .accepted(row)
    }
}
