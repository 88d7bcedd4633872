import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire

/// The running agent's local admin socket (operators and messages call it
/// "the control socket"): a Unix socket next to the config, mode 0600, so
/// only the agent's own user can ask for status or a reload. Unrelated to
/// the wire's CONTROL messages, which go to the edge (``EdgeRequestClient``).
struct AdminSocketServer: Sendable {
    /// Requests are one short line; anything longer is not ours.
    static let maximumRequestBytes = 16 * 1024
    static let requestTimeout: TimeAmount = .seconds(10)

    let channel: Channel
    let path: String

    /// Binds `path`. A socket file left by an agent that died is replaced;
    /// one that answers belongs to a running agent, and binding fails.
    static func bind(
        path: String, runner: HomeAgentRunner, group: EventLoopGroup, logger: Logger
    ) async throws -> AdminSocketServer {
        if FileManager.default.fileExists(atPath: path) {
            if (try? await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: group)) != nil {
                throw RunningAgentError(message: "another homeagent is already running for this config (control socket \(path))")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        let bootstrap = ServerBootstrap(group: group)
            // A command that holds a temporary forward half-closes to give
            // it back, and waits for the agent to close once it is removed.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AdminSocketHandler(runner: runner, logger: logger))
                }
            }
        let channel = try await UnixSocketPath.withAddressable(path) { address in
            try await bootstrap.withBoundSocket(try PrivateUnixSocket.bind(address, naming: path)).get()
        }
        return AdminSocketServer(channel: channel, path: path)
    }

    func close() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
