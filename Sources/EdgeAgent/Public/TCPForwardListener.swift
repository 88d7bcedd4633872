import NIOCore

/// A TCP forward port: routed by its number alone, so nothing is read
/// before the stream opens. The route is looked up per connection, since
/// the port may have changed hands between homes since it was bound. A
/// connection that cannot be routed is closed: TCP has no way to say why.
struct TCPForwardListener: PublicConnectionRouter {
    var port: Int
    var routes: RouteTable

    var peekTimeout: TimeAmount? { nil }

    func peek(_ bytes: ByteBuffer) -> Void? { () }

    func decide(_ peeked: Result<Void, PublicPeekFailure>, bytes: ByteBuffer, channel: Channel) -> PublicConnectionDecision {
        guard let route = routes.route(forPort: port) else {
            return .refuse(.init(reason: .unknownName, answer: .reset))
        }
        return .open(PublicHandOver(route: route, serverName: nil, initialData: bytes))
    }

    func refusal(for failure: PublicStreamOpener.Failure, of handOver: PublicHandOver, channel: Channel) -> PublicConnectionRefusal {
        .init(reason: failure.refusal, answer: .reset)
    }
}
