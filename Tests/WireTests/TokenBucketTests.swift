import TestSupport
import Testing
@testable import Wire

@Suite("TokenBucket")
struct TokenBucketTests {
    static let second: UInt64 = 1_000_000_000
    /// 10,000,000 kbit/s, the highest rate a home may be given.
    static let maximumRate: UInt64 = 10_000_000 * 125

    @Test func startsFullAndRefillsAtTheRate() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 500, now: 0)
        #expect(bucket.available(now: 0) == 500)
        let step1 = bucket.tryConsume(500, now: 0)
        #expect(step1)
        #expect(bucket.available(now: 0) == 0)
        #expect(bucket.available(now: Self.second / 10) == 100)
        #expect(bucket.available(now: Self.second) == 500) // capped at burst
    }

    @Test func tryConsumeIsAllOrNothing() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 100, now: 0)
        let step2 = bucket.tryConsume(101, now: 0)
        #expect(!step2)
        #expect(bucket.available(now: 0) == 100)
        let step3 = bucket.tryConsume(60, now: 0)
        #expect(step3)
        let step4 = bucket.tryConsume(41, now: 0)
        #expect(!step4)
        let step5 = bucket.tryConsume(40, now: 0)
        #expect(step5)
        let step6 = bucket.tryConsume(UInt64.max, now: 0)
        #expect(!step6)
    }

    @Test func consumeUpToGrantsWhatIsAvailable() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 100, now: 0)
        let step7 = bucket.consume(upTo: 30, now: 0)
        #expect(step7 == 30)
        let step8 = bucket.consume(upTo: 1_000, now: 0)
        #expect(step8 == 70)
        let step9 = bucket.consume(upTo: 1_000, now: 0)
        #expect(step9 == 0)
        let step10 = bucket.consume(upTo: 1_000, now: 5_000_000)
        #expect(step10 == 5)
    }

    @Test func fractionalCreditIsKeptBetweenRefills() {
        // 3 bytes/s: a byte every 333,333,333.3 ns.
        var bucket = TokenBucket(bytesPerSecond: 3, burst: 10, now: 0)
        _ = bucket.consume(upTo: 10, now: 0)
        var granted: UInt64 = 0
        var now: UInt64 = 0
        for _ in 0..<3_000 {
            now += 1_000_000 // 1 ms steps, each worth 0.003 bytes
            granted += bucket.consume(upTo: 10, now: now)
        }
        #expect(granted == 9) // exactly 3 s × 3 B/s, nothing lost to rounding
    }

    @Test func longRunIsExactWithIrregularSteps() {
        var generator = SeededRandom(seed: 7)
        let rate: UInt64 = 12_500 // 100 kbit/s
        var bucket = TokenBucket(bytesPerSecond: rate, burst: 1_500, now: 1_000)
        var granted: UInt64 = 0
        var now: UInt64 = 1_000
        for _ in 0..<200_000 {
            now += UInt64.random(in: 1...40_000_000, using: &generator)
            granted += bucket.consume(upTo: UInt64.random(in: 0...3_000, using: &generator), now: now)
        }
        // Bounded above by burst + ⌊rate × elapsed⌋, and the rest is still in the bucket.
        let earned = 1_500 + (now - 1_000) * rate / Self.second
        #expect(granted + bucket.available(now: now) <= earned)
        #expect(granted > earned - 1_500 - 3_000)
        // Draining everything all the time gives exactly the earned amount.
        var drained = TokenBucket(bytesPerSecond: rate, burst: 1_500, now: 0)
        var total = drained.consume(upTo: .max, now: 0) // a full bucket earns nothing, so start empty
        var t: UInt64 = 0
        for _ in 0..<100_000 {
            t += UInt64.random(in: 1...1_000_000, using: &generator) // always under the burst time
            total += drained.consume(upTo: .max, now: t)
        }
        #expect(total == 1_500 + t * rate / Self.second)
    }

    @Test func timeUntilAvailableIsTheExactWait() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 100, now: 0)
        #expect(bucket.timeUntilAvailable(100, now: 0) == 0)
        _ = bucket.consume(upTo: 100, now: 0)
        #expect(bucket.timeUntilAvailable(1, now: 0) == 1_000_000)
        #expect(bucket.timeUntilAvailable(50, now: 0) == 50_000_000)
        #expect(bucket.timeUntilAvailable(50, now: 20_000_000) == 30_000_000)
        #expect(bucket.timeUntilAvailable(101, now: 0) == nil)
        let wait = bucket.timeUntilAvailable(37, now: 0) ?? 0
        #expect(bucket.available(now: wait) == 37)
        #expect(bucket.available(now: wait - 1) == 36)
        // Rounds up: 3 B/s needs 333,333,334 ns for one byte.
        var slow = TokenBucket(bytesPerSecond: 3, burst: 3, now: 0)
        _ = slow.consume(upTo: 3, now: 0)
        #expect(slow.timeUntilAvailable(1, now: 0) == 333_333_334)
        #expect(slow.available(now: 333_333_334) == 1)
        #expect(slow.available(now: 333_333_333) == 0)
    }

    @Test func zeroRateNeverRefills() {
        var bucket = TokenBucket(bytesPerSecond: 0, burst: 10, now: 0)
        let step11 = bucket.consume(upTo: 20, now: 0)
        #expect(step11 == 10)
        #expect(bucket.available(now: UInt64.max) == 0)
        #expect(bucket.timeUntilAvailable(1, now: 0) == nil)
    }

    @Test func unlimitedGrantsEverything() {
        var bucket = TokenBucket(limit: .unlimited, now: 0)
        #expect(bucket.isUnlimited)
        let step12 = bucket.tryConsume(UInt64.max, now: 0)
        #expect(step12)
        let step13 = bucket.consume(upTo: 1 << 40, now: 0)
        #expect(step13 == 1 << 40)
        #expect(bucket.available(now: 0) == UInt64.max)
        #expect(bucket.timeUntilAvailable(UInt64.max, now: 0) == 0)
    }

    @Test func reconfigureKeepsEarnedTokensButNotAboveTheNewBurst() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 1_000, now: 0)
        _ = bucket.consume(upTo: 1_000, now: 0)
        // 0.5 s at the old rate earns 500; the new rate applies from then on.
        bucket.reconfigure(bytesPerSecond: 10_000, burst: 2_000, now: Self.second / 2)
        #expect(bucket.available(now: Self.second / 2) == 500)
        #expect(bucket.available(now: Self.second / 2 + Self.second / 10) == 1_500)
        // Shrinking the burst drops what exceeds it, never invents any.
        bucket.reconfigure(bytesPerSecond: 10_000, burst: 300, now: Self.second)
        #expect(bucket.available(now: Self.second) == 300)
        #expect(bucket.limit == .limited(bytesPerSecond: 10_000, burst: 300))
    }

    @Test func reconfigureBetweenLimitedAndUnlimited() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 100, now: 0)
        bucket.reconfigure(.unlimited, now: 10)
        let step14 = bucket.consume(upTo: 1_000_000, now: 20)
        #expect(step14 == 1_000_000)
        bucket.reconfigure(.limited(bytesPerSecond: 1_000, burst: 100), now: 30)
        #expect(bucket.available(now: 30) == 100)
        let step15 = bucket.consume(upTo: 1_000, now: 30)
        #expect(step15 == 100)
        #expect(bucket.available(now: 30) == 0)
    }

    @Test func maximumRateAndLongIdleGapsDoNotOverflow() {
        var bucket = TokenBucket(limit: .kilobitsPerSecond(10_000_000), now: 0)
        #expect(bucket.limit == .limited(bytesPerSecond: Self.maximumRate, burst: Self.maximumRate))
        let step16 = bucket.consume(upTo: .max, now: 0)
        #expect(step16 == Self.maximumRate)
        #expect(bucket.available(now: Self.second / 1_000) == Self.maximumRate / 1_000)
        // A century idle, then the end of the clock: simply full.
        #expect(bucket.available(now: 100 * 365 * 86_400 * Self.second) == Self.maximumRate)
        #expect(bucket.available(now: UInt64.max) == Self.maximumRate)
        let step17 = bucket.consume(upTo: .max, now: UInt64.max)
        #expect(step17 == Self.maximumRate)
        #expect(bucket.available(now: UInt64.max) == 0)
        #expect(bucket.timeUntilAvailable(Self.maximumRate, now: UInt64.max - 10) == Self.second)
    }

    @Test func hugeRatesAndBurstsAreClampedNotTrapped() {
        var bucket = TokenBucket(bytesPerSecond: .max, burst: .max, now: 0)
        #expect(bucket.limit == .limited(bytesPerSecond: .max, burst: TokenBucket.maximumBurst))
        let step18 = bucket.consume(upTo: .max, now: 0)
        #expect(step18 == TokenBucket.maximumBurst)
        #expect(bucket.available(now: 1) == TokenBucket.maximumBurst)
        #expect(bucket.timeUntilAvailable(TokenBucket.maximumBurst, now: 1) == 0)
        #expect(TokenBucket.Limit.kilobitsPerSecond(.max) == .limited(bytesPerSecond: .max, burst: TokenBucket.maximumBurst))
    }

    @Test func kilobitsPerSecondConvertsExactly() {
        #expect(TokenBucket.Limit.kilobitsPerSecond(100) == .limited(bytesPerSecond: 12_500, burst: 12_500))
        #expect(TokenBucket.Limit.kilobitsPerSecond(100, burstMilliseconds: 100) == .limited(bytesPerSecond: 12_500, burst: 1_250))
        #expect(TokenBucket.Limit.kilobitsPerSecond(0) == .limited(bytesPerSecond: 0, burst: 1))
    }

    @Test func clockGoingBackwardsNeitherCreditsNorDebits() {
        var bucket = TokenBucket(bytesPerSecond: 1_000, burst: 100, now: Self.second)
        _ = bucket.consume(upTo: 100, now: Self.second)
        #expect(bucket.available(now: 0) == 0)
        _ = bucket.consume(upTo: 1, now: 0)
        #expect(bucket.available(now: Self.second + 10_000_000) == 10)
    }
}
