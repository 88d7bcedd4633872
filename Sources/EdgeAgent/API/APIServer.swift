import AgentRuntime
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The edge's REST API on its own listener (127.0.0.1:base+2 by default), as
/// one `Service` of the edge's group.
///
/// The group owns its life: `run()` binds and serves until the group asks for
/// a graceful shutdown (the server stops accepting, lets requests in progress
/// finish, closes idle connections), and the group's maximum shutdown
/// duration bounds a client that keeps a request going. `port()` tells the
/// bound port (ask for port 0 in tests) once the socket is listening, or why
/// it never will be.
struct APIServer: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "API server" }

    let host: String
    private let requestedPort: Int
    private let application: any Service
    private let listening: ListeningPort

    init(host: String = "127.0.0.1", port: Int, context: APIContext, group: any EventLoopGroup, logger: Logger) {
        let listening = ListeningPort()
        self.host = host
        self.requestedPort = port
        self.listening = listening
        self.application = Application(
            responder: APIResponder(context: context, routes: APIRoute.all, logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("API listening", metadata: ["api.address": "\(host):\(bound)"])
                listening.succeed(bound)
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }

    func run() async throws {
        do {
            try await application.run()
        } catch {
            let failure = ListenError(listener: "API port", host: host, port: requestedPort, underlying: error)
            listening.fail(failure)
            throw failure
        }
        // Ignored when the server was listening: only the first outcome counts.
        listening.fail(APIServerError.endedBeforeListening)
    }

    /// The port the API listens on, once it does; throws why it never will.
    func port() async throws -> Int {
        try await listening.value()
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
