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
    /// Asks for a fresh round-trip sample (rate-limited by the session):
    /// windows are sized against the RTT, which keepalive alone samples only
    /// every few seconds, too rarely to follow queueing under load.
    func requestRTTSample()
    /// A stream ended; the session may be done draining.
    func streamCountChanged()
}
