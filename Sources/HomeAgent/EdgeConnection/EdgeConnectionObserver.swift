import AgentRuntime
import NIOCore
import Synchronization
import Wire

/// Sits between TLS and the session of a one-shot connection and remembers
/// how far the connection got, so that a failed HELLO can be explained: the
/// edge admits a home only after TLS, by closing the connection when the
/// registry no longer knows its certificate, so "handshake done, then closed"
/// means "this home was deleted", not "network trouble".
final class EdgeConnectionObserver: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private struct State {
        var handshakeCompleted = false
        var tlsError: TLSError?
        var timedOut = false
    }

    private let state = Mutex(State())

    /// Records that the caller gave up waiting, before it closes the channel.
    func noteTimeout() {
        state.withLock { $0.timedOut = true }
    }

    /// Why the session never became ready, from what this observer saw.
    func failure(home: String, address: String, timeout: TimeAmount, underlying: any Error) -> EdgeConnectionError {
        let seen = state.withLock { $0 }
        if let error = seen.tlsError, error.kind == .peerVerificationFailed {
            return .edgeNotTrusted(address: address, reason: error.message)
        }
        if seen.handshakeCompleted {
            // After our Finished the edge has our certificate; an alert or a
            // close before HELLO is its registry turning the home away.
            let detail = seen.tlsError.flatMap { $0.kind == .peerAlert ? $0.message : nil }
            return seen.timedOut ? .timedOut(address: address, after: timeout)
                : .homeNotAccepted(home: home, address: address, detail: detail)
        }
        if seen.timedOut { return .timedOut(address: address, after: timeout) }
        if let error = seen.tlsError { return .tls(address: address, reason: NetworkErrorText.describe(error)) }
        return .tls(address: address, reason: NetworkErrorText.describe(underlying))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSEvent.handshakeCompleted = event {
            state.withLock { $0.handshakeCompleted = true }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? TLSError {
            state.withLock { if $0.tlsError == nil { $0.tlsError = error } }
        }
        context.fireErrorCaught(error)
    }
}
