import Logging
import ServiceLifecycle

/// The public TLS, HTTP and TCP forward ports (bound by `EdgeServices.build`),
/// open until the group shuts down, and closed first then: no new public
/// connection is accepted while the homes' sessions drain the ones in flight.
struct PublicListenersService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "public listeners" }

    let listeners: PublicListeners
    let drainTimeout: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("draining", metadata: ["timeout": "\(drainTimeout)"])
        await listeners.close()
    }
}
