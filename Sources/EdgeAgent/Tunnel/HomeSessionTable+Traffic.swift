import Wire

extension HomeSessionTable {
    /// What the home's live session has carried, or nil when it has none (or
    /// it ended while we asked).
    func traffic(of home: String) async -> SessionTraffic? {
        guard let session = session(for: home) else { return nil }
        return try? await session.traffic.get()
    }
}
