import FuzzSupport
import NIOCore
import Wire

/// Fuzzes ``FrameDecoder``: any bytes give frames, "need more bytes" or a
/// `WireProtocolError`, never a trap, and
/// - the same bytes fed in pieces give the same frames and the same outcome as
///   in one piece (the vectors' rule: "in one piece or in any split");
/// - every decoded frame encodes and decodes back to itself;
/// - the decoder never holds more bytes than it was given ([LIMIT-2]).
///
/// The first input byte is not frame data: its low 6 bits choose the piece
/// size, its bit 6 a tiny MAX_FRAME_SIZE (64) so that the length check is hit
/// often. The rest is what the peer sent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let control = bytes.first else { return 0 }
    let pieceSize = Int(control & 0x3F) + 1
    let maxPayloadSize = control & 0x40 == 0 ? FrameLimits.minimumMaxFrameSize : 64
    let input = Array(bytes.dropFirst())

    let whole = DecodeRun(input, pieceSize: max(1, input.count), maxPayloadSize: maxPayloadSize)
    let pieces = DecodeRun(input, pieceSize: pieceSize, maxPayloadSize: maxPayloadSize)
    invariant(whole.frames == pieces.frames, "pieces of \(pieceSize) decode \(pieces.frames), whole input \(whole.frames)")
    invariant(whole.errorCode == pieces.errorCode, "pieces of \(pieceSize) end in \(String(describing: pieces.errorCode)), whole input in \(String(describing: whole.errorCode))")

    for frame in whole.frames {
        checkRoundTrip(frame, maxPayloadSize: maxPayloadSize)
    }
    return 0
}

/// Decodes `input` handed over `pieceSize` bytes at a time, as a session does.
struct DecodeRun {
    var frames: [Frame] = []
    var errorCode: WireErrorCode?

    init(_ input: [UInt8], pieceSize: Int, maxPayloadSize: Int) {
        var decoder = FrameDecoder(maxPayloadSize: maxPayloadSize)
        var offset = 0
        var given = 0
        while offset < input.count {
            let end = min(input.count, offset + pieceSize)
            decoder.append(ByteBuffer(bytes: input[offset..<end]))
            given += end - offset
            offset = end
            do {
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            } catch {
                errorCode = error.code
                return
            }
            invariant(decoder.bufferedBytes <= given, "decoder holds \(decoder.bufferedBytes) bytes of the \(given) given")
        }
    }
}

/// Encoding a decoded frame and decoding it again must give the same frame;
/// GOAWAY debug text is the exception the encoder documents (cut to 1,024 bytes).
/// Debug text that was not UTF-8 came out with U+FFFD for each bad byte,
/// three bytes for one, so its frame may outgrow the tiny limit it was
/// decoded under: it is decoded again under the smallest legal
/// MAX_FRAME_SIZE, which the encoder's cut keeps it within (a crash this
/// fuzzer found, in the harness rather than the codec; FrameCodecTests
/// keeps the case).
func checkRoundTrip(_ frame: Frame, maxPayloadSize: Int) {
    var encoded = ByteBuffer()
    encoded.writeFrame(frame)
    var isGoAway = false
    if case .goAway = frame { isGoAway = true }
    var decoder = FrameDecoder(maxPayloadSize: isGoAway ? max(maxPayloadSize, FrameLimits.minimumMaxFrameSize) : maxPayloadSize)
    decoder.append(encoded)
    let again: Frame?
    do {
        again = try decoder.nextFrame()
    } catch {
        invariant(false, "re-encoded \(frame) does not decode: \(error)")
        return
    }
    invariant(decoder.bufferedBytes == 0, "re-encoded \(frame) leaves \(decoder.bufferedBytes) bytes")
    guard let again else {
        invariant(false, "re-encoded \(frame) is incomplete")
        return
    }
    if case .goAway(let last, let code, let debug) = frame, debug.utf8.count > FrameLimits.maximumDebugBytes {
        guard case .goAway(last, code, let cut) = again else {
            invariant(false, "GOAWAY \(frame) came back as \(again)")
            return
        }
        invariant(debug.hasPrefix(cut) && cut.utf8.count <= FrameLimits.maximumDebugBytes, "GOAWAY debug was not cut to a prefix")
        return
    }
    invariant(again == frame, "\(frame) came back as \(again)")
}
