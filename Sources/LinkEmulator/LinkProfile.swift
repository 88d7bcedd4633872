import NIOCore

/// The shape of an emulated link, applied to each direction separately.
public struct LinkProfile: Sendable {
    /// One-way delay added to every byte.
    public var delay: TimeAmount
    /// Rate cap in bits per second; nil for no cap.
    public var bitsPerSecond: Int?
    /// Bytes the emulated link may hold before the relay stops reading, like a
    /// router's queue; TCP backpressure then reaches the sender.
    public var queueLimit: Int

    public init(delay: TimeAmount = .zero, bitsPerSecond: Int? = nil, queueLimit: Int = 8 * 1024 * 1024) {
        self.delay = delay
        self.bitsPerSecond = bitsPerSecond
        self.queueLimit = queueLimit
    }

    /// Time the link needs to serialize `bytes` at its rate.
    func serialization(of bytes: Int) -> TimeAmount {
        guard let bitsPerSecond, bitsPerSecond > 0 else { return .zero }
        return .nanoseconds(Int64(bytes) * 8 * 1_000_000_000 / Int64(bitsPerSecond))
    }
}
