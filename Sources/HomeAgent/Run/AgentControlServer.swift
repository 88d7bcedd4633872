import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire

/// The running agent's control socket: a Unix socket next to the config,
/// mode 0600, so only the agent's own user can ask for status or a reload.
struct AgentControlServer: Sendable {
    /// Requests are one short line; anything longer is not ours.
    static let maximumRequestBytes = 16 * 1024
    static let requestTimeout: TimeAmount = .seconds(10)

    let channel: Channel
    let path: String

    /// Binds `path`. A socket file left by an agent that died is replaced;
    /// one that answers belongs to a running agent, and binding fails.
    static func bind(
        path: String, runner: HomeAgentRunner, group: EventLoopGroup, logger: Logger
    ) async throws -> AgentControlServer {
        if FileManager.default.fileExists(atPath: path) {
            if (try? await AgentControlClient.send(AgentRequest(command: .status), to: path, group: group)) != nil {
                throw RunningAgentError(message: "another homeagent is already running for this config (control socket \(path))")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AgentControlHandler(runner: runner, logger: logger))
                }
            }
        let channel = try await UnixSocketPath.withAddressable(path) { address in
            try await bootstrap.withBoundSocket(try PrivateUnixSocket.bind(address, naming: path)).get()
        }
        return AgentControlServer(channel: channel, path: path)
    }

    func close() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// One control connection: reads a request line, answers, closes.
final class AgentControlHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let runner: HomeAgentRunner
    private let logger: Logger
    private var received = ByteBuffer()
    private var answered = false
    private var timer: Scheduled<Void>?

    init(runner: HomeAgentRunner, logger: Logger) {
        self.runner = runner
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: AgentControlServer.requestTimeout) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard let newline = received.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if received.readableBytes > AgentControlServer.maximumRequestBytes {
                answer(.failure("request longer than \(AgentControlServer.maximumRequestBytes) bytes"), context: context)
            }
            return
        }
        let line = received.getSlice(at: received.readerIndex, length: newline - received.readerIndex)!
        let request: AgentRequest
        do {
            request = try AgentControlCoding.decoder.decode(AgentRequest.self, from: Data(line.readableBytesView))
        } catch {
            return answer(.failure("malformed request: \(error)"), context: context)
        }
        answered = true
        let runner = self.runner
        let channel = context.channel
        context.eventLoop.makeFutureWithTask { await Self.respond(to: request, runner: runner) }
            .whenSuccess { reply in Self.write(reply, to: channel) }
    }

    private func answer(_ reply: AgentReply, context: ChannelHandlerContext) {
        answered = true
        Self.write(reply, to: context.channel)
    }

    private static func write(_ reply: AgentReply, to channel: Channel) {
        var data = (try? AgentControlCoding.encoder.encode(reply)) ?? Data(#"{"ok":false}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        channel.writeAndFlush(ByteBuffer(bytes: data)).whenComplete { _ in channel.close(promise: nil) }
    }

    private static func respond(to request: AgentRequest, runner: HomeAgentRunner) async -> AgentReply {
        switch request.command {
        case .status:
            return AgentReply(ok: true, status: runner.board.current)
        case .reload:
            switch await runner.reload() {
            case .success(let status): return AgentReply(ok: true, status: status)
            case .failure(let error): return AgentReply(ok: false, status: runner.board.current, error: error.message)
            }
        case .domainAdd, .domainRemove:
            guard let domain = request.domain else { return .failure("\(request.command.rawValue) needs a domain") }
            return await domains(request.command == .domainAdd ? .add : .remove, domain, runner: runner)
        case .domainList:
            return await domains(.list, "", runner: runner)
        case .renew:
            switch await runner.renewCertificate() {
            case .success: return AgentReply(ok: true, status: runner.board.current)
            case .failure(let error): return AgentReply(ok: false, status: runner.board.current, error: "\(error)")
            }
        }
    }

    /// Claims, releases or lists domains; the reply carries the domains afterwards.
    private static func domains(_ action: DomainRequest.Action, _ name: String, runner: HomeAgentRunner) async -> AgentReply {
        do {
            let result = try await runner.domain(action, name)
            return AgentReply(ok: result.error == nil, domains: result, error: result.error?.message)
        } catch {
            return .failure("\(error)")
        }
    }
}
