/// Bytes per second over the last whole second, kept in 100 ms slots: cheap
/// enough to record on every frame, and the reading follows a change of rate
/// within a second.
///
/// The ring holds the slot being filled and the ten before it; a reading sums
/// the ten whole slots before the one `now` falls in, skipping any that were
/// never filled because nothing passed.
struct TrafficMeter {
    static let slotNanoseconds: UInt64 = 100_000_000
    private static let slotCount = 11

    private var slots = [UInt64](repeating: 0, count: slotCount)
    /// Absolute index (time / slot length) of the slot being filled.
    private var currentSlot: UInt64 = 0

    mutating func record(_ bytes: Int, now: UInt64) {
        let slot = now / Self.slotNanoseconds
        if slot > currentSlot {
            let stale = min(slot - currentSlot, UInt64(Self.slotCount))
            for step in 1...stale { slots[index(currentSlot + step)] = 0 }
            currentSlot = slot
        }
        // A clock that stepped back adds to the current slot.
        slots[index(currentSlot)] &+= UInt64(bytes)
    }

    func bytesPerSecond(now: UInt64) -> UInt64 {
        let slot = now / Self.slotNanoseconds
        let oldestHeld = currentSlot >= UInt64(Self.slotCount - 1) ? currentSlot - UInt64(Self.slotCount - 1) : 0
        var sum: UInt64 = 0
        for back in 1...UInt64(Self.slotCount - 1) where slot >= back {
            let wanted = slot - back
            if wanted >= oldestHeld, wanted <= currentSlot { sum &+= slots[index(wanted)] }
        }
        return sum
    }

    private func index(_ slot: UInt64) -> Int { Int(slot % UInt64(Self.slotCount)) }
}
