import Logging
import NIOCore
import ServiceLifecycle

/// The tunnel port and every home's session on it. On shutdown (after the
/// public ports closed) it stops accepting homes, then drains: each home gets
/// GOAWAY, and the streams in flight get `drainTimeout` to finish before the
/// sessions close. Cancelled instead of shut down gracefully, it closes at once.
struct TunnelService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "tunnel listener" }

    let listener: TunnelListener
    let sessions: HomeSessionTable
    let drainTimeout: Duration
    let logger: Logger

    func run() async throws {
        let graceful = (try? await gracefulShutdown()) != nil
        try? await listener.close()
        let homes = sessions.connectedHomes.count
        await sessions.drainAll(timeout: graceful ? TimeAmount(drainTimeout) : .zero)
        logger.info("homes' sessions closed", metadata: ["homes": "\(homes)"])
    }
}
