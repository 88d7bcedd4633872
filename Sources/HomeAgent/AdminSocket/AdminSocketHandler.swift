import Foundation
import Logging
import NIOCore
import Wire

/// One connection to the admin socket: reads a request line, answers, closes.
final class AdminSocketHandler: ChannelInboundHandler {
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
        timer = context.eventLoop.scheduleTask(in: AdminSocketServer.requestTimeout) { channel.close(promise: nil) }
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
            if received.readableBytes > AdminSocketServer.maximumRequestBytes {
                answer(.failure("request longer than \(AdminSocketServer.maximumRequestBytes) bytes"), context: context)
            }
            return
        }
        let request: AdminRequest
        do {
            let line = received.readableBytesView[..<newline]
            request = try AdminSocketCoding.decoder.decode(AdminRequest.self, from: Data(line))
        } catch {
            return answer(.failure("malformed request: \(error)"), context: context)
        }
        answered = true
        let runner = self.runner
        let channel = context.channel
        context.eventLoop.makeFutureWithTask { await Self.respond(to: request, runner: runner) }
            .whenSuccess { reply in Self.write(reply, to: channel) }
    }

    private func answer(_ reply: AdminReply, context: ChannelHandlerContext) {
        answered = true
        Self.write(reply, to: context.channel)
    }

    private static func write(_ reply: AdminReply, to channel: Channel) {
        var data = (try? AdminSocketCoding.encoder.encode(reply)) ?? Data(#"{"ok":false}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        channel.writeAndFlush(ByteBuffer(bytes: data)).whenComplete { _ in channel.close(promise: nil) }
    }

    private static func respond(to request: AdminRequest, runner: HomeAgentRunner) async -> AdminReply {
        switch request.command {
        case .status:
            return AdminReply(ok: true, status: runner.board.current)
        case .reload:
            switch await runner.reload() {
            case .success(let status): return AdminReply(ok: true, status: status)
            case .failure(let error): return AdminReply(ok: false, status: runner.board.current, error: error.message)
            }
        case .domainAdd, .domainRemove:
            guard let domain = request.domain else { return .failure("\(request.command.rawValue) needs a domain") }
            return await domains(request.command == .domainAdd ? .add : .remove, domain, runner: runner)
        case .domainList:
            return await domains(.list, "", runner: runner)
        case .renew:
            switch await runner.renewCertificate() {
            case .success: return AdminReply(ok: true, status: runner.board.current)
            case .failure(let error): return AdminReply(ok: false, status: runner.board.current, error: "\(error)")
            }
        }
    }

    /// Claims, releases or lists domains; the reply carries the domains afterwards.
    private static func domains(_ action: DomainRequest.Action, _ name: String, runner: HomeAgentRunner) async -> AdminReply {
        do {
            let result = try await runner.domain(action, name)
            return AdminReply(ok: result.error == nil, domains: result, error: result.error?.message)
        } catch {
            return .failure("\(error)")
        }
    }
}
