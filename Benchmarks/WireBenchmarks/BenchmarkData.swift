import NIOCore

/// Deterministic payloads, so runs are comparable across machines and days.
enum BenchmarkData {
    /// `count` bytes of JSON-like text: repeated records whose ids and
    /// numbers vary, the way API responses and HTML compress in practice.
    static func compressible(_ count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var index = 0
        while buffer.readableBytes < count {
            let record = """
                {"id":\(1000 + index),"name":"service-\(index % 17)","status":"ok","latency_ms":\(index * 37 % 250),\
                "tags":["home","edge","tunnel"],"path":"/api/v1/items/\(index)"},\n
                """
            buffer.writeString(String(record.utf8.prefix(count - buffer.readableBytes))!)
            index += 1
        }
        return buffer
    }

    /// `count` bytes from a fixed-seed xorshift generator: incompressible.
    static func random(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> ByteBuffer {
        var state = seed
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
            for offset in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                pointer[offset] = UInt8(truncatingIfNeeded: state >> 32)
            }
            return count
        }
        return buffer
    }
}
