import AgentRuntime
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The edge's REST API on its own listener (127.0.0.1:base+2 by default).
///
/// `start` returns once the socket is bound, with the real port (ask for port
/// 0 in tests), or throws if binding failed. The Hummingbird application runs
/// in a service group inside a task this object owns: the caller's shape is
/// start/stop rather than a `Service`, so the task is the one unstructured
/// piece here. `stop()` asks the group for a graceful shutdown (the server
/// stops accepting, lets requests in progress finish, closes idle
/// connections) and waits for the task to end. Call `stop()` before dropping
/// the server.
final class APIServer: Sendable {
    /// The port the API listens on.
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, Never>

    private init(port: Int, group: ServiceGroup, running: Task<Void, Never>) {
        self.port = port
        self.group = group
        self.running = running
    }

    static func start(
        host: String = "127.0.0.1", port: Int, group: any EventLoopGroup, context: APIContext, logger: Logger
    ) async throws -> APIServer {
        // The first event is either "listening on port N" or why it never will be.
        let (events, report) = AsyncStream<Result<Int, any Error>>.makeStream()
        let application = Application(
            responder: APIResponder(context: context, routes: APIRoute.all, logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in report.yield(.success(channel.localAddress?.port ?? port)) },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
        // No signal handling here (the serve command owns SIGTERM); a client
        // that keeps a request going cannot hold the shutdown up for long.
        var configuration = ServiceGroupConfiguration(
            services: [ServiceGroupConfiguration.ServiceConfiguration(service: application)], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        let running = Task {
            do {
                try await group.run()
                report.yield(.failure(APIServerError.endedBeforeListening))
            } catch {
                report.yield(.failure(error))
            }
            report.finish()
        }
        for await event in events {
            switch event {
            case .success(let boundPort):
                logger.info("API listening", metadata: ["api.address": "\(host):\(boundPort)"])
                return APIServer(port: boundPort, group: group, running: running)
            case .failure(let error):
                throw ListenError(listener: "API port", host: host, port: port, underlying: error)
            }
        }
        // The caller was cancelled while the server was starting.
        running.cancel()
        await running.value
        throw CancellationError()
    }

    /// Stops accepting connections, ends the open ones and waits until the
    /// server has shut down. Safe to call more than once.
    func stop() async {
        await group.triggerGracefulShutdown()
        await running.value
    }
}

/// Why the API could not start, for the operator.
enum APIServerError: Error, CustomStringConvertible {
    case endedBeforeListening

    var description: String {
        switch self {
        case .endedBeforeListening: "The API server stopped before it was listening."
        }
    }
}
