import NIOCore

/// The first handler of a connection on a TCP forward port: once the
/// connection is active, finds the port's forward and hands the connection to
/// its home, then gives its place to an `InboundHold`. The route is looked up per connection, since
/// the port may have changed hands between homes since it was bound.
final class TCPForwardConnector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let port: Int
    private let routes: RouteTable
    private let opener: PublicStreamOpener
    private let refusals: PublicRefusalCounters

    init(port: Int, routes: RouteTable, opener: PublicStreamOpener, refusals: PublicRefusalCounters) {
        self.port = port
        self.routes = routes
        self.opener = opener
        self.refusals = refusals
    }

    func channelActive(context: ChannelHandlerContext) {
        let accepted = NIODeadline.now()
        context.fireChannelActive()
        let channel = context.channel
        let refusals = self.refusals
        try? context.pipeline.syncOperations.replaceWithHold(context: context)
        guard let route = routes.route(forPort: port) else {
            refusals.count(.unknownName)
            return channel.close(promise: nil)
        }
        let empty = channel.allocator.buffer(capacity: 0)
        let connected = opener.connect(channel, acceptedAt: accepted, to: route, serverName: nil, initialData: empty)
        connected.whenFailure { error in
            refusals.count((error as? PublicStreamOpener.Failure)?.refusal ?? .homeOffline)
            channel.close(promise: nil)
        }
    }
}
