import AgentRuntime
import Logging
import NIOCore
import ServiceLifecycle

/// The tunnel port and every home's session on it. On shutdown (after the
/// public ports closed) it stops accepting homes, then drains: each home gets
/// GOAWAY, and the streams in flight get `drainTimeout` to finish before the
/// sessions close (another SIGTERM or SIGINT meanwhile closes them at once).
/// Cancelled instead of shut down gracefully, it closes at once.
struct TunnelService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "tunnel listener" }

    let listener: TunnelListener
    let sessions: HomeSessionTable
    let drainTimeout: Duration
    /// Whether another SIGTERM or SIGINT during the drain cuts it short
    /// (the executable; not tests that share the process's signals).
    let cutOnSecondSignal: Bool
    let logger: Logger

    func run() async throws {
        let graceful = (try? await gracefulShutdown()) != nil
        try? await listener.close()
        let homes = sessions.connectedHomes.count
        let sessions = self.sessions
        let timeout = graceful ? TimeAmount(drainTimeout) : .zero
        await DrainCut.drain(listening: cutOnSecondSignal && graceful, logger: logger) {
            await sessions.drainAll(timeout: timeout)
        } cut: {
            sessions.closeAll()
        }
        logger.info("homes' sessions closed", metadata: ["homes": "\(homes)"])
    }
}
