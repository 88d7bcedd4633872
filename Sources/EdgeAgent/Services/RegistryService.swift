import Logging
import ServiceLifecycle

/// Keeps the registry open while the edge runs and closes it when the group
/// reaches it, which is last: the services shut down before it may still
/// write to it while they drain (a home's last sync, an API request, an audit row).
struct RegistryService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "registry" }

    let registry: Registry
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do { try registry.close() } catch {
            logger.error("could not close the registry cleanly", metadata: ["reason": "\(error)"])
        }
    }
}
