import CLZ4
import NIOCore

/// LZ4 block compression for DATA payloads ([COMP-1]), over the system liblz4.
///
/// Blocks are independent (no dictionary carried between frames), so frames
/// can be decoded in any stream order and a lost stream costs nothing.
public enum LZ4 {
    /// Compresses `input`; nil when the compressed payload (the block plus
    /// its 4-byte length) would not be smaller than `input`, in which case the
    /// caller sends the bytes plain ([COMP-3]). So a compressed frame never
    /// exceeds the size of the plain one, and so never the peer's limit.
    public static func compress(_ input: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer? {
        let count = input.readableBytes
        guard count > 0, count <= Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let capacity = count - 5
        guard capacity > 0 else { return nil }
        var output = allocator.buffer(capacity: capacity)
        let written = input.withUnsafeReadableBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { destination in
                Int(
                    LZ4_compress_default(
                        source.baseAddress!.assumingMemoryBound(to: CChar.self),
                        destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                        Int32(count),
                        Int32(capacity)
                    ))
            }
        }
        return written > 0 ? output : nil
    }

    /// Decompresses a block that must decode to exactly `decodedLength` bytes.
    public static func decompress(_ block: ByteBuffer, decodedLength: Int, allocator: ByteBufferAllocator) throws(WireProtocolError) -> ByteBuffer {
        guard decodedLength > 0, block.readableBytes > 0, block.readableBytes <= Int(Int32.max) else {
            throw WireProtocolError(.protocolError, "compressed DATA with an empty block or length")
        }
        var output = allocator.buffer(capacity: decodedLength)
        let decoded = block.withUnsafeReadableBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: decodedLength) { destination in
                let result = LZ4_decompress_safe(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(block.readableBytes),
                    Int32(decodedLength)
                )
                return max(0, Int(result))
            }
        }
        guard decoded == decodedLength else {
            throw WireProtocolError(.protocolError, "LZ4 block decodes to \(decoded) bytes, not the announced \(decodedLength)")
        }
        return output
    }
}
