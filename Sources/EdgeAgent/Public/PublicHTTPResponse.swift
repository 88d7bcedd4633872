import NIOCore
import Wire

/// The few answers the edge gives on the public HTTP port itself. Each is a
/// complete HTTP/1.1 response with a short text body that closes the
/// connection, so no client waits for more.
struct PublicHTTPResponse: Sendable {
    var status: Int
    var reason: String
    var body: String
    var location: String?

    static func notFound(host: String) -> Self {
        Self(status: 404, reason: "Not Found", body: "No service is published at \(host) on this edge.\n")
    }

    static func homeOffline(host: String) -> Self {
        Self(status: 503, reason: "Service Unavailable", body: "The home serving \(host) is offline. Try again later.\n")
    }

    static func busy(host: String) -> Self {
        Self(status: 503, reason: "Service Unavailable", body: "\(host) has as many connections open as it may. Try again later.\n")
    }

    static let badGateway = Self(
        status: 502, reason: "Bad Gateway", body: "The home could not reach the service behind this name.\n")

    static func redirect(to location: String) -> Self {
        Self(status: 308, reason: "Permanent Redirect", body: "This site is served over HTTPS: \(location)\n", location: location)
    }

    static func badRequest(_ detail: String) -> Self {
        Self(status: 400, reason: "Bad Request", body: "Bad request: \(detail)\n")
    }

    static let headTooLarge = Self(
        status: 431, reason: "Request Header Fields Too Large", body: "The request head is too large.\n")

    static let timeout = Self(status: 408, reason: "Request Timeout", body: "The request head did not arrive in time.\n")

    func bytes(allocator: ByteBufferAllocator) -> ByteBuffer {
        var head = "HTTP/1.1 \(status) \(reason)\r\n"
        head += "Content-Type: text/plain; charset=utf-8\r\n"
        head += "Content-Length: \(body.utf8.count)\r\n"
        if let location { head += "Location: \(location)\r\n" }
        head += "Connection: close\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + body.utf8.count)
        buffer.writeString(head)
        buffer.writeString(body)
        return buffer
    }
}

/// On a stream carrying a public HTTP connection: when the home resets the
/// stream before sending a byte (its service refused the connection, or the
/// forward is gone), answers the client with a 502 instead of a bare close.
/// It turns the reset into that response followed by end of input, so the
/// splice delivers it and then closes the client's side gracefully.
final class BadGatewayResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        answered = true
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !answered, case WireSessionError.streamReset = error else {
            return context.fireErrorCaught(error)
        }
        answered = true
        context.fireChannelRead(wrapInboundOut(PublicHTTPResponse.badGateway.bytes(allocator: context.channel.allocator)))
        context.fireChannelReadComplete()
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }
}
