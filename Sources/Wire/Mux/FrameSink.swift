import NIOCore

/// Where the multiplexer sends frames: the session handler, which owns the
/// connection. Kept to a protocol so that the multiplexer only routes and
/// schedules, and never touches a pipeline itself.
protocol FrameSink: AnyObject {
    /// Queues a frame on the connection (flushed later by `flushSoon`).
    func write(_ frame: Frame, promise: EventLoopPromise<Void>?)
    /// Whether the connection can take more DATA now.
    var connectionWritable: Bool { get }
    /// Asks for a flush at the end of the current event.
    func flushSoon()
    /// The smoothed round-trip time, once measured: what receive windows
    /// are sized against.
    var smoothedRTT: TimeAmount? { get }
    /// A stream ended; the session may be done draining.
    func streamCountChanged()
}
