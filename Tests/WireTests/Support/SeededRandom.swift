import NIOCore

/// SplitMix64: a small seeded generator, the same on every platform, so that
/// fuzz-style tests and random payloads reproduce exactly.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` pseudo-random bytes from `seed`.
func randomBytes(_ count: Int, seed: UInt64) -> ByteBuffer {
    var random = SeededRandom(seed: seed)
    var buffer = ByteBuffer()
    buffer.reserveCapacity(count)
    while buffer.readableBytes < count {
        let word = random.next().littleEndian
        withUnsafeBytes(of: word) { buffer.writeBytes($0.prefix(count - buffer.readableBytes)) }
    }
    return buffer
}
