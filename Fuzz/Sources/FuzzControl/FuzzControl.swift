import FuzzSupport
import NIOCore
import Wire

/// Fuzzes ``ControlMessage/decode(kind:body:)``, the JSON bodies of CONTROL
/// frames ([CTRL-2]). Besides never trapping (a bad body is a
/// `ControlMessageError`, answered `malformed`):
/// - a decoded message has the kind it was decoded as;
/// - it encodes (``ControlMessage/encodedBody()`` must not fail on anything
///   the decoder built) and decodes back to the same message;
/// - unknown kinds are ignored, not errors ([CTRL-3]).
///
/// Input: the first byte picks the kind, the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let kinds: [ControlKind] = [.enrollRequest, .enrollResponse, .forwardsSync, .forwardsResult, .domainRequest, .domainResult]
    // 0...239: a known kind (most of the effort); 240...255: kinds 0x7FF0...0x7FFF, unknown.
    let kind = selector < 240 ? kinds[Int(selector) % kinds.count] : ControlKind(rawValue: 0x7F00 | UInt16(selector))
    let body = ByteBuffer(bytes: bytes.dropFirst())

    let message: ControlMessage?
    do {
        message = try ControlMessage.decode(kind: kind, body: body)
    } catch {
        invariant(kinds.contains(kind), "unknown kind \(kind) refused instead of ignored: \(error)")
        return 0
    }
    guard let message else {
        invariant(!kinds.contains(kind), "known kind \(kind) ignored")
        return 0
    }
    invariant(message.kind == kind, "\(kind) body decoded as \(message.kind)")
    let encoded = message.encodedBody()
    do {
        let again = try ControlMessage.decode(kind: kind, body: encoded)
        invariant(again == message, "\(message) reads back as \(String(describing: again))")
    } catch {
        invariant(false, "\(message) encodes to a body that does not decode: \(error)")
    }
    return 0
}
