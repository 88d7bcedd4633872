import NIOCore
import NIOPosix
import TestSupport

/// A service "at home" that sends to every connection for as long as it can
/// write, and ignores what it is sent and the end of it (like `yes | nc -l`):
/// nothing but its connection closing stops it.
final class EndlessSender: Sendable {
    let channel: Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Sender()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

private final class Sender: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private static let chunk = ByteBuffer(repeating: 0x79, count: 65_536)

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { fill(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        fill(context)
        context.fireChannelActive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        fill(context)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {}

    private func fill(_ context: ChannelHandlerContext) {
        while context.channel.isActive, context.channel.isWritable {
            context.writeAndFlush(wrapOutboundOut(Self.chunk), promise: nil)
        }
    }
}

/// An edge and one home, "alice", whose TCP forward `endless` leads to an
/// `EndlessSender`: the bench for clients that stop reading or leave.
struct EndlessHome {
    let edge: EdgeServerProcess
    let service: EndlessSender
    let agent: HomeAgentProcess
    /// The public port of the `endless` forward.
    let port: Int

    static func start() async throws -> EndlessHome {
        let edge = try EdgeServerProcess()
        try await edge.waitUntilReady()
        let service = try await EndlessSender()
        let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
            ["endless", "--type", "tcp", "--target", "127.0.0.1:\(service.port)"],
        ])
        let agent = try HomeAgentProcess(config: config)
        try await agent.waitUntilHealthy()
        return EndlessHome(edge: edge, service: service, agent: agent, port: try await agent.publicPort(of: "endless"))
    }

    func stop() async {
        _ = await agent.terminate()
        _ = await edge.terminate()
        await service.close()
        edge.removeData()
    }
}
