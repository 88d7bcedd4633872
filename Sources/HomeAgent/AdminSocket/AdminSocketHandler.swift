import Foundation
import Logging
import NIOCore
import Wire

/// One connection to the admin socket: reads a request line, answers, closes;
/// or, for `hold-forward`, answers and stays open, holding a temporary
/// forward that is removed when the connection closes however it closes
/// (the command exited, was killed, or its machine's socket went away).
final class AdminSocketHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let runner: HomeAgentRunner
    private let logger: Logger
    private var received = ByteBuffer()
    private var answered = false
    private var timer: Scheduled<Void>?
    /// The temporary forward this connection holds.
    private var held: String?
    private var closed = false
    private var inputClosed = false

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
        closed = true
        if let held { Self.release(held, runner: runner, on: context.eventLoop) }
        held = nil
        context.fireChannelInactive()
    }

    /// The client finished sending. One holding a forward gives it back:
    /// the connection closes once the edge was told, so the command's exit
    /// means the address is gone. Otherwise an unanswered request never
    /// will be, and an answer in flight closes the connection when written.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        inputClosed = true
        if let held {
            self.held = nil
            let channel = context.channel
            let runner = self.runner
            context.eventLoop.makeFutureWithTask { await runner.removeTemporary(named: held) }
                .whenComplete { _ in channel.close(promise: nil) }
        } else if !answered {
            context.close(promise: nil)
        }
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
        if request.command == .holdForward { return hold(request.forward, context: context) }
        let runner = self.runner
        let channel = context.channel
        context.eventLoop.makeFutureWithTask { await Self.respond(to: request, runner: runner) }
            .whenSuccess { reply in Self.write(reply, to: channel) }
    }

    /// Adds the temporary forward; on success answers and keeps the
    /// connection, which then holds the forward.
    private func hold(_ forward: HomeConfig.Forward?, context: ChannelHandlerContext) {
        guard let forward else { return answer(.failure("hold-forward needs a forward"), context: context) }
        // The answer waits for the edge (the sync has its own timeout), and
        // the connection then lives as long as its forward.
        timer?.cancel()
        let runner = self.runner
        let channel = context.channel
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        loop.makeFutureWithTask { await runner.addTemporary(forward) }
            .whenSuccess { result in
                switch result {
                case .failure(let error):
                    Self.write(.failure(error.message), to: channel)
                case .success(let state):
                    // The command went away while the edge placed its forward.
                    guard !handler.value.closed, !handler.value.inputClosed else {
                        return loop.makeFutureWithTask { await runner.removeTemporary(named: forward.name) }
                            .whenComplete { _ in channel.close(promise: nil) }
                    }
                    handler.value.held = forward.name
                    Self.write(AdminReply(ok: true, forward: state), to: channel, thenClose: false)
                }
            }
    }

    private static func release(_ name: String, runner: HomeAgentRunner, on loop: EventLoop) {
        _ = loop.makeFutureWithTask { await runner.removeTemporary(named: name) }
    }

    private func answer(_ reply: AdminReply, context: ChannelHandlerContext) {
        answered = true
        Self.write(reply, to: context.channel)
    }

    private static func write(_ reply: AdminReply, to channel: Channel, thenClose: Bool = true) {
        var data = (try? AdminSocketCoding.encoder.encode(reply)) ?? Data(#"{"ok":false}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        channel.writeAndFlush(ByteBuffer(bytes: data)).whenComplete { _ in
            if thenClose { channel.close(promise: nil) }
        }
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
        case .holdForward:
            return .failure("hold-forward is answered on its own connection")  // handled in `hold`
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
