/// A token bucket that paces a home's bytes: tokens (bytes) accrue at `rate`
/// bytes per second up to `burst`, and sending takes them out.
///
/// The clock is injected: every operation takes `now`, a monotonic time in
/// nanoseconds (for example `NIODeadline.now().uptimeNanoseconds`), so tests
/// are deterministic and the bucket can live on an event loop without locks.
///
/// Invariant: the content is kept in *nanobytes* (10⁻⁹ byte), so refilling
/// for `t` nanoseconds at `r` bytes per second adds exactly `t × r` nanobytes.
/// No remainder is ever rounded away, so over any run the bytes granted equal
/// the initial burst plus ⌊rate × elapsed⌋, without drift. The burst is
/// capped at ``maximumBurst`` so that the nanobyte content always fits in 64
/// bits, and refills that would overflow simply fill the bucket, so rates up
/// to 10,000,000 kbit/s and idle gaps of any length are safe.
public struct TokenBucket: Hashable, Sendable {
    /// How fast and how much.
    public enum Limit: Hashable, Sendable {
        /// No limit: every request is granted at once.
        case unlimited
        /// `bytesPerSecond` sustained, up to `burst` bytes at once.
        case limited(bytesPerSecond: UInt64, burst: UInt64)

        /// A limit given in kilobits per second (1 kbit = 1,000 bits), with
        /// a burst of `burstSeconds` seconds' worth (at least one byte).
        public static func kilobitsPerSecond(_ kilobits: UInt64, burstMilliseconds: UInt64 = 1_000) -> Limit {
            let (bytes, overflow) = kilobits.multipliedReportingOverflow(by: 125)
            let rate = overflow ? UInt64.max : bytes
            let (scaled, burstOverflow) = rate.multipliedReportingOverflow(by: burstMilliseconds)
            let burst = burstOverflow ? TokenBucket.maximumBurst : max(1, scaled / 1_000)
            return .limited(bytesPerSecond: rate, burst: burst)
        }
    }

    /// Nanobytes per byte.
    static let scale: UInt64 = 1_000_000_000

    /// The largest burst, in bytes (about 9.2 GB); larger bursts are clamped.
    public static let maximumBurst: UInt64 = UInt64.max / 2 / scale

    /// The limit in force (with the burst as clamped).
    public private(set) var limit: Limit
    /// Current content in nanobytes, never above `burst × scale`.
    private var content: UInt64
    /// The time up to which `content` has been refilled.
    private var refilledAt: UInt64

    /// A bucket that starts full at time `now`.
    public init(limit: Limit, now: UInt64) {
        self.limit = Self.clamped(limit)
        self.content = Self.capacity(of: self.limit)
        self.refilledAt = now
    }

    /// A bucket of `bytesPerSecond` and `burst` bytes that starts full.
    public init(bytesPerSecond: UInt64, burst: UInt64, now: UInt64) {
        self.init(limit: .limited(bytesPerSecond: bytesPerSecond, burst: burst), now: now)
    }

    /// True in unlimited mode.
    public var isUnlimited: Bool { limit == .unlimited }

    /// Whole bytes available at `now`; `UInt64.max` when unlimited.
    public func available(now: UInt64) -> UInt64 {
        guard case .limited = limit else { return .max }
        return refilledContent(now: now) / Self.scale
    }

    /// Takes `count` bytes if all are available, else takes nothing.
    public mutating func tryConsume(_ count: UInt64, now: UInt64) -> Bool {
        guard case .limited = limit else { return true }
        refill(now: now)
        let (needed, overflow) = count.multipliedReportingOverflow(by: Self.scale)
        guard !overflow, needed <= content else { return false }
        content -= needed
        return true
    }

    /// Takes as many of `count` bytes as are available and returns how many
    /// were taken: what a writer may send now.
    @discardableResult
    public mutating func consume(upTo count: UInt64, now: UInt64) -> UInt64 {
        guard case .limited = limit else { return count }
        refill(now: now)
        let granted = min(count, content / Self.scale)
        content -= granted * Self.scale
        return granted
    }

    /// Nanoseconds from `now` until `count` bytes are available: 0 if they are
    /// already, `nil` if they never will be (more than the burst, or a rate of 0).
    public func timeUntilAvailable(_ count: UInt64, now: UInt64) -> UInt64? {
        guard case .limited(let rate, let burst) = limit else { return 0 }
        guard count <= burst else { return nil }
        let current = refilledContent(now: now)
        // count ≤ burst ≤ maximumBurst, so this cannot overflow.
        let needed = count * Self.scale
        guard needed > current else { return 0 }
        guard rate > 0 else { return nil }
        let missing = needed - current
        return missing / rate + (missing % rate == 0 ? 0 : 1)
    }

    /// Changes the limit live. Tokens earned under the old rate up to `now`
    /// are kept, but never more than the new burst; switching from unlimited
    /// starts with a full bucket.
    public mutating func reconfigure(_ newLimit: Limit, now: UInt64) {
        let clampedLimit = Self.clamped(newLimit)
        switch (limit, clampedLimit) {
        case (.limited, .limited):
            refill(now: now)
            content = min(content, Self.capacity(of: clampedLimit))
        case (_, .limited):
            content = Self.capacity(of: clampedLimit)
            refilledAt = max(refilledAt, now)
        case (_, .unlimited):
            content = 0
            refilledAt = max(refilledAt, now)
        }
        limit = clampedLimit
    }

    /// Changes rate and burst live (see ``reconfigure(_:now:)``).
    public mutating func reconfigure(bytesPerSecond: UInt64, burst: UInt64, now: UInt64) {
        reconfigure(.limited(bytesPerSecond: bytesPerSecond, burst: burst), now: now)
    }

    // MARK: - Refill

    private static func clamped(_ limit: Limit) -> Limit {
        guard case .limited(let rate, let burst) = limit else { return limit }
        return .limited(bytesPerSecond: rate, burst: min(burst, maximumBurst))
    }

    private static func capacity(of limit: Limit) -> UInt64 {
        guard case .limited(_, let burst) = limit else { return 0 }
        return burst * scale
    }

    private mutating func refill(now: UInt64) {
        content = refilledContent(now: now)
        // A clock that steps back never moves the refill point back, so the
        // same interval can never be credited twice.
        refilledAt = max(refilledAt, now)
    }

    private func refilledContent(now: UInt64) -> UInt64 {
        guard case .limited(let rate, _) = limit, now > refilledAt else { return content }
        let capacity = Self.capacity(of: limit)
        let (added, overflow) = (now - refilledAt).multipliedReportingOverflow(by: rate)
        let (sum, sumOverflow) = content.addingReportingOverflow(added)
        guard !overflow, !sumOverflow, sum < capacity else { return capacity }
        return sum
    }
}
