import FuzzSupport
import NIOCore
import Wire

/// Fuzzes the PROXY protocol v2 decoder (``ProxyProtocolV2Header/read(from:maximumLength:)``)
/// against the encoder the home uses to write headers. Besides never trapping:
/// - parse-or-restore: `nil` and errors consume nothing; a header consumes
///   exactly its own bytes;
/// - a decoded header encodes to exactly the bytes it was read from (the
///   format has one encoding per header), and decodes from them again;
/// - fewer bytes never give a different header: a prefix is `nil` or an
///   error, never another header.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyV2(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    var buffer = ByteBuffer(bytes: bytes)
    let header: ProxyProtocolV2Header?
    do {
        header = try ProxyProtocolV2Header.read(from: &buffer)
    } catch {
        invariant(buffer.readableBytes == bytes.count, "a refused header consumed \(bytes.count - buffer.readableBytes) bytes")
        return 0
    }
    guard let header else {
        invariant(buffer.readableBytes == bytes.count, "an incomplete header consumed \(bytes.count - buffer.readableBytes) bytes")
        return 0
    }
    let consumed = bytes.count - buffer.readableBytes
    invariant(consumed == header.encodedLength, "consumed \(consumed) bytes for a header of \(header.encodedLength)")

    let encoded: ByteBuffer
    do {
        encoded = try header.encoded()
    } catch {
        invariant(false, "a decoded header does not encode: \(error)")
        return 0
    }
    invariant(Array(encoded.readableBytesView) == Array(bytes[..<consumed]), "\(header) encodes to other bytes than it was read from")
    do {
        let again = try ProxyProtocolV2Header(decoding: encoded.readableBytesView)
        invariant(again == header, "\(header) decodes back as \(again)")
    } catch {
        invariant(false, "\(header) encodes to bytes that do not decode: \(error)")
    }

    // Up to 64 prefixes spread over the header (all of them for short ones).
    for cut in stride(from: 0, to: consumed, by: max(1, consumed / 64)) {
        var prefix = ByteBuffer(bytes: bytes[..<cut])
        if let early = try? ProxyProtocolV2Header.read(from: &prefix) {
            invariant(false, "\(cut) of \(consumed) bytes already gave \(early)")
        }
    }
    return 0
}
