import NIOCore
import TestSupport

/// `count` pseudo-random bytes from `seed`.
func randomBytes(_ count: Int, seed: UInt64) -> ByteBuffer {
    var random = SeededRandom(seed: seed)
    var buffer = ByteBuffer()
    buffer.reserveCapacity(count)
    while buffer.readableBytes < count {
        let word = random.next().littleEndian
        withUnsafeBytes(of: word) { _ = buffer.writeBytes($0.prefix(count - buffer.readableBytes)) }
    }
    return buffer
}
