import NIOCore

/// Smoothed round-trip time from PING/PONG samples, as in RFC 6298:
/// the first sample is taken as is, later ones weigh 1/8.
///
/// Window growth uses this smoothed value, queueing included, like TCP's
/// receive-buffer auto-tuning: a stream must cover the round trip its bytes
/// actually see, or a stream that starts behind a queue stays window-limited
/// (sizing against the minimum RTT was tried and starved late streams).
struct RTTEstimator {
    private(set) var smoothed: TimeAmount?
    private(set) var latest: TimeAmount?

    mutating func add(_ sample: TimeAmount) {
        latest = sample
        if let current = smoothed {
            smoothed = .nanoseconds((current.nanoseconds * 7 + sample.nanoseconds) / 8)
        } else {
            smoothed = sample
        }
    }
}
