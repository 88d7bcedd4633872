import NIOCore

/// Round-trip time from PING/PONG samples.
///
/// `smoothed` follows RFC 6298 (the first sample as is, later ones weigh
/// 1/8) and is what callers report. `baseline` is the smallest of the recent
/// samples: the path's delay without the queues our own traffic builds, which
/// is what window growth should compare against — measured against the
/// smoothed value, a window that fills a router queue inflates the RTT and so
/// justifies growing further, several times past the bandwidth-delay product.
struct RTTEstimator {
    private(set) var smoothed: TimeAmount?
    private(set) var latest: TimeAmount?
    /// The last samples, newest last; `baseline` is their minimum, so a path
    /// that really got longer is noticed within this many samples.
    private var recent: [TimeAmount] = []
    static let baselineWindow = 8

    var baseline: TimeAmount? { recent.min() }

    mutating func add(_ sample: TimeAmount) {
        latest = sample
        recent.append(sample)
        if recent.count > Self.baselineWindow { recent.removeFirst() }
        if let current = smoothed {
            smoothed = .nanoseconds((current.nanoseconds * 7 + sample.nanoseconds) / 8)
        } else {
            smoothed = sample
        }
    }
}
