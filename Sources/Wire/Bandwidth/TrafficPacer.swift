import NIOCore

/// Paces one direction of a session's stream data through a token bucket and
/// counts what passed.
///
/// The pacer only answers "how much may pass now" and wakes its owner when
/// more may; who gets the bytes is decided elsewhere (the multiplexer's
/// round-robin scheduler when sending, the `DeliveryQueue` when receiving),
/// so one type serves both directions. It is confined to the connection's
/// event loop, and reads time from that loop, so tests on an
/// `EmbeddedEventLoop` control the clock.
final class TrafficPacer {
    /// The smallest piece worth a wake-up (less only when less is wanted):
    /// smaller grants would cost a timer and a frame per few bytes.
    static let quantum = 16 * 1024
    /// At high rates a wake-up waits for at least this long's worth of
    /// tokens, so even 10 Gbit/s costs about a thousand timers a second.
    static let minimumWakeInterval: UInt64 = 1_000_000

    private let eventLoop: EventLoop
    private var bucket: TokenBucket
    private var meter = TrafficMeter()
    private var totalBytes: UInt64 = 0
    private var throttledNanoseconds: UInt64 = 0
    /// Set while someone waits for tokens.
    private var throttledSince: UInt64?
    private var wakeup: Scheduled<Void>?
    private var wakeDeadline: UInt64?
    /// What to run when tokens are there: the owner's "try again".
    private let wake: () -> Void

    init(eventLoop: EventLoop, limit: TokenBucket.Limit = .unlimited, wake: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.bucket = TokenBucket(limit: limit, now: eventLoop.now.uptimeNanoseconds)
        self.wake = wake
    }

    private var now: UInt64 { eventLoop.now.uptimeNanoseconds }

    var isLimited: Bool { !bucket.isUnlimited }

    var limit: TokenBucket.Limit { bucket.limit }

    /// The largest grant to one stream while others wait their turn.
    var quantum: Int {
        guard case .limited(_, let burst) = bucket.limit else { return Self.quantum }
        return Int(min(UInt64(Self.quantum), max(burst, 1)))
    }

    /// Bytes that may pass now; `Int.max` without a limit.
    func allowance() -> Int {
        isLimited ? Int(clamping: bucket.available(now: now)) : .max
    }

    /// `bytes` passed: take their tokens and count them.
    func spend(_ bytes: Int) {
        guard bytes > 0 else { return }
        let now = self.now
        if isLimited { bucket.consume(upTo: UInt64(bytes), now: now) }
        totalBytes &+= UInt64(bytes)
        meter.record(bytes, now: now)
    }

    /// Runs the owner's wake action once `bytes` (or, at high rates, a
    /// millisecond's worth; never more than the burst) are available. Only
    /// one wake-up is pending at a time, the earliest asked for.
    func wait(for bytes: Int) {
        guard case .limited(let rate, let burst) = bucket.limit else { return wakeSoon() }
        let now = self.now
        if throttledSince == nil { throttledSince = now }
        let oneInterval = rate / (1_000_000_000 / Self.minimumWakeInterval)
        let target = min(burst, max(UInt64(max(bytes, 1)), oneInterval))
        // The rate is never 0 (the limits' range starts at 100 kbit/s); should
        // it be, a wake-up a second from now re-checks rather than never.
        let delay = bucket.timeUntilAvailable(target, now: now) ?? 1_000_000_000
        schedule(at: now + delay)
    }

    /// Changes the limit live; whoever waits re-checks at once under the new one.
    func setLimit(_ limit: TokenBucket.Limit) {
        guard limit != bucket.limit else { return }
        bucket.reconfigure(limit, now: now)
        if wakeup != nil { wakeSoon() }
    }

    var snapshot: TrafficSnapshot {
        let now = self.now
        let waiting = throttledSince.map { now >= $0 ? now - $0 : 0 } ?? 0
        return TrafficSnapshot(
            limit: bucket.limit, bytes: totalBytes, bytesPerSecond: meter.bytesPerSecond(now: now),
            throttledNanoseconds: throttledNanoseconds &+ waiting)
    }

    /// The session ended: no more wake-ups.
    func cancel() {
        wakeup?.cancel()
        wakeup = nil
        wakeDeadline = nil
    }

    private func wakeSoon() {
        schedule(at: now)
    }

    private func schedule(at deadline: UInt64) {
        if let wakeDeadline, wakeDeadline <= deadline { return }
        wakeup?.cancel()
        wakeDeadline = deadline
        wakeup = eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [weak self] in
            self?.fire()
        }
    }

    private func fire() {
        wakeup = nil
        wakeDeadline = nil
        if let since = throttledSince {
            let now = self.now
            throttledNanoseconds &+= now >= since ? now - since : 0
            throttledSince = nil
        }
        wake()
    }
}
