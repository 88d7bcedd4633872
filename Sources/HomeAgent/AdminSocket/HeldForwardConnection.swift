import Foundation
import NIOCore
import NIOPosix

/// The command's side of a `hold-forward` request (`homeagent http` / `tcp`
/// with an agent running): the agent's answer, then the open connection
/// that keeps the temporary forward alive. Closing it, or the process
/// ending however it ends, gives the forward back.
struct HeldForwardConnection: Sendable {
    /// Nothing answers on the control socket: no agent runs for this config.
    struct NoAgent: Error {}

    let reply: AdminReply
    let channel: Channel

    /// Asks the agent at `path` to hold `forward`; throws `NoAgent` when
    /// nothing listens there. `timeout` bounds the wait for the answer,
    /// which comes once the edge placed (or refused) the forward.
    static func open(
        _ forward: HomeConfig.Forward, path: String, timeout: TimeAmount = .seconds(60), group: EventLoopGroup
    ) async throws -> HeldForwardConnection {
        let answer = group.next().makePromise(of: [UInt8].self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(2))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FirstLineReader(answer: answer))
                }
            }
        let channel: Channel
        do {
            channel = try await UnixSocketPath.withAddressable(path) { address in
                try await bootstrap.connect(unixDomainSocketPath: address).get()
            }
        } catch {
            answer.fail(NoAgent())
            throw NoAgent()
        }
        var line = try AdminSocketCoding.encoder.encode(AdminRequest(command: .holdForward, forward: forward))
        line.append(UInt8(ascii: "\n"))
        try await channel.writeAndFlush(ByteBuffer(bytes: line)).get()
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { timer.cancel() }
        let bytes = try await answer.futureResult.get()
        let reply = try AdminSocketCoding.decoder.decode(AdminReply.self, from: Data(bytes))
        return HeldForwardConnection(reply: reply, channel: channel)
    }

    /// Gives the forward back: half-closes, then waits (at most `timeout`)
    /// for the agent to close once the edge was told.
    func release(timeout: TimeAmount = .seconds(10)) async {
        try? await channel.close(mode: .output).get()
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        timer.cancel()
    }
}

/// Reads the agent's one-line answer; the connection stays open after it.
private final class FirstLineReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let answer: EventLoopPromise<[UInt8]>
    private var received = ByteBuffer()
    private var answered = false

    init(answer: EventLoopPromise<[UInt8]>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        if let newline = received.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            answered = true
            answer.succeed(Array(received.readableBytesView[..<newline]))
        } else if received.readableBytes > 1 << 20 {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !answered {
            answered = true
            answer.fail(RunningAgentError(message: "the running homeagent closed the control connection without answering"))
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The agent finished sending (it stopped, or gave up on the request).
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }
}
