import NIOCore
import Synchronization
import Wire

/// The live session of each home. A home has at most one: when it reconnects
/// while the edge still holds its old, half-dead session, the new one takes
/// the old one's place atomically and the old one is closed, so routes never
/// point at nothing and a reconnect never fails with "already connected".
final class HomeSessionTable: Sendable {
    private let sessions = Mutex<[String: WireSession]>([:])

    /// Makes `session` the home's session and closes the one it replaces.
    func register(_ session: WireSession, for home: String) {
        let replaced = sessions.withLock { $0.updateValue(session, forKey: home) }
        if let replaced, replaced.channel !== session.channel {
            replaced.channel.close(promise: nil)
        }
    }

    /// Forgets `session` if it is still the home's current one (a replaced
    /// session closing late must not remove its successor).
    func remove(_ session: WireSession, for home: String) {
        sessions.withLock { table in
            if table[home]?.channel === session.channel { table[home] = nil }
        }
    }

    func session(for home: String) -> WireSession? {
        sessions.withLock { $0[home] }
    }

    /// Ends the home's session at once (the home was deleted or revoked).
    func disconnect(_ home: String) {
        let session = sessions.withLock { $0.removeValue(forKey: home) }
        session?.channel.close(promise: nil)
    }

    var connectedHomes: [String] {
        sessions.withLock { Array($0.keys) }.sorted()
    }
}

extension HomeSessionTable {
    /// Sends GOAWAY to every home and waits until their connections closed:
    /// streams in flight finish, at the latest after `timeout`.
    func drainAll(timeout: TimeAmount) async {
        await withTaskGroup(of: Void.self) { group in
            for home in connectedHomes {
                guard let session = session(for: home) else { continue }
                group.addTask { try? await session.goAway(debug: "edge shutting down", timeout: timeout).get() }
            }
        }
    }
}
