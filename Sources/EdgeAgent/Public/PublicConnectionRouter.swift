import NIOCore
import Wire

/// The policy of one public port: what its connections' first bytes say,
/// where they go, and what a client hears when they go nowhere.
/// `PublicConnectionHandler` carries the decisions out, so a port's file
/// holds rules only, and every port fails and cleans up the same way.
protocol PublicConnectionRouter: Sendable {
    /// What the first bytes say (a ClientHello, a request head); `Void` for a
    /// port routed by its number alone.
    associatedtype Peeked

    /// How long a client may take to send the bytes `peek` needs, from the
    /// moment the connection is ours. nil: the port reads nothing before
    /// routing, and `peek` is asked once, with no bytes.
    var peekTimeout: TimeAmount? { get }

    /// nil while more bytes are needed; throws when the bytes can never be
    /// routed. Responsible for the byte limit.
    func peek(_ bytes: ByteBuffer) throws -> Peeked?

    /// Where the connection goes, from what the first bytes said (or why
    /// they said nothing). Called once, on the connection's event loop.
    func decide(_ peeked: Result<Peeked, PublicPeekFailure>, bytes: ByteBuffer, channel: Channel) -> PublicConnectionDecision

    /// The answer for a client whose stream to the home could not be opened.
    func refusal(for failure: PublicStreamOpener.Failure, of handOver: PublicHandOver, channel: Channel) -> PublicConnectionRefusal
}

/// Why a connection's first bytes could not be routed.
enum PublicPeekFailure: Error {
    /// The parser rejected the bytes (its own typed error).
    case rejected(any Error)
    /// No decision within the time limit.
    case timedOut
    /// The client closed or half-closed before the bytes were complete.
    case truncated
}

/// What becomes of a public connection once its first bytes were read.
enum PublicConnectionDecision {
    /// A stream to a home; `publicHandlers` go between the connection's owner
    /// and its splice (made on the connection's loop, e.g. the guard that
    /// keeps an HTTP keep-alive connection to one destination).
    case open(PublicHandOver, publicHandlers: [ChannelHandler] = [])
    /// An answer from the edge itself, then the end of the connection.
    case refuse(PublicConnectionRefusal)
}

/// Where a routed connection goes, as `PublicStreamOpener` needs it.
struct PublicHandOver: Sendable {
    var route: Route
    /// The SNI or Host, for the OPEN's metadata.
    var serverName: String?
    var purpose: StreamPurpose?
    /// The bytes already read, sent as the OPEN's first data.
    var initialData: ByteBuffer
    /// Puts handlers in the stream's pipeline before its splice end (the
    /// HTTP port's 502 responder). A throw ends the stream at once.
    var streamSetup: @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void = { _ in }
}

/// The edge's own answer to a connection it does not hand to a home: what
/// is counted, what the client is sent before the close.
struct PublicConnectionRefusal {
    enum Answer {
        /// Close at once (a client that is gone anyway, or sent nothing usable).
        case close
        /// Close with a TCP reset: a TCP forward whose home cannot take the
        /// connection (offline, at capacity, its target refused). The client
        /// sees ECONNRESET, as when nothing answers, not an empty answer
        /// that ended cleanly.
        case reset
        /// A fatal TLS alert in the clear, then close.
        case tlsAlert(TLSAlert)
        /// A complete HTTP response, then close our side; the client closes
        /// its side once it read it, or we do after `httpLinger`.
        case httpPage(PublicHTTPResponse)
    }

    /// Counted in the refusal counters; nil for answers that are not
    /// refusals (an HTTP redirect to HTTPS).
    var reason: PublicRefusal?
    var answer: Answer

    /// How long a connection answered with a page may stay half-open.
    static let httpLinger: TimeAmount = .seconds(2)

    /// Counts the refusal, answers and closes `channel`. On its event loop.
    func send(on channel: Channel, counting refusals: PublicRefusalCounters) {
        if let reason { refusals.count(reason) }
        switch answer {
        case .close:
            channel.close(promise: nil)
        case .reset:
            channel.closeWithReset()
        case .tlsAlert(let alert):
            channel.writeAndFlush(alert.record(allocator: channel.allocator)).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .httpPage(let response):
            channel.writeAndFlush(response.bytes(allocator: channel.allocator)).whenComplete { _ in
                channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
                channel.eventLoop.scheduleTask(in: Self.httpLinger) { channel.close(promise: nil) }
            }
        }
    }
}
