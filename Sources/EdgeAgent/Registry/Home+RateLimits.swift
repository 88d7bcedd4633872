import Wire

extension Home {
    /// The default burst is 100 ms at the limit, but never under this, so a
    /// slow limit still passes a few full frames at once.
    static let minimumDefaultBurst: UInt64 = 65_536

    /// The session limits this home's row asks for. The edge *receives* the
    /// home's upload (home to public) and *sends* its download.
    var rateLimits: SessionRateLimits {
        SessionRateLimits(
            send: Self.bucket(kbps: downloadLimitKbps, burst: burstBytes),
            receive: Self.bucket(kbps: uploadLimitKbps, burst: burstBytes))
    }

    private static func bucket(kbps: Int?, burst: Int?) -> TokenBucket.Limit {
        guard let kbps, kbps > 0 else { return .unlimited }
        let bytesPerSecond = UInt64(kbps) * 125
        let burst = burst.map { UInt64($0) } ?? max(minimumDefaultBurst, bytesPerSecond / 10)
        return .limited(bytesPerSecond: bytesPerSecond, burst: burst)
    }
}
