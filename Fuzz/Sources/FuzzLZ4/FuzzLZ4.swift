import FuzzSupport
import NIOCore
import Wire

/// Fuzzes ``LZ4`` as compressed DATA uses it ([COMP-1], [SEC-4]).
///
/// First byte even: the next two bytes are a Decoded Length (1...65,536), the
/// rest a block a peer sent. Decompressing it gives exactly that many bytes or
/// a `WireProtocolError`, never a read or write out of bounds (the harness
/// runs under AddressSanitizer); what it gives compresses and decompresses
/// back to itself.
///
/// First byte odd: the rest is plain data; if ``LZ4/compress(_:allocator:)``
/// compresses it, the block is smaller than the data ([COMP-3]) and
/// decompresses back to it exactly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLZ4(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let mode = bytes.first else { return 0 }
    let allocator = ByteBufferAllocator()
    if mode & 1 == 1 {
        checkRoundTrip(ByteBuffer(bytes: bytes.dropFirst()), allocator: allocator)
        return 0
    }
    guard bytes.count >= 3 else { return 0 }
    let decodedLength = (Int(bytes[1]) << 8 | Int(bytes[2])) + 1
    let block = ByteBuffer(bytes: bytes.dropFirst(3))
    guard let output = try? LZ4.decompress(block, decodedLength: decodedLength, allocator: allocator) else { return 0 }
    invariant(output.readableBytes == decodedLength, "decoded \(output.readableBytes) bytes, announced \(decodedLength)")
    checkRoundTrip(output, allocator: allocator)
    return 0
}

func checkRoundTrip(_ plain: ByteBuffer, allocator: ByteBufferAllocator) {
    guard let block = LZ4.compress(plain, allocator: allocator) else { return }
    invariant(block.readableBytes + 4 < plain.readableBytes, "a block of \(block.readableBytes) bytes for \(plain.readableBytes) plain ones")
    do {
        let again = try LZ4.decompress(block, decodedLength: plain.readableBytes, allocator: allocator)
        invariant(again == plain, "compressed data decompresses to other bytes")
    } catch {
        invariant(false, "our own block does not decompress: \(error)")
    }
}
