import FuzzSupport
import Wire

/// Fuzzes ``JoinToken/parse(_:)``, the text an operator pastes into
/// `homeagent join`. Besides never trapping, a token it accepts
/// - prints back as text that parses to the same token;
/// - was given in exactly that text (one token, one spelling: the parser must
///   not accept a second encoding of the same token);
/// - has the field sizes the layout defines and a port other than 0.
///
/// Random text almost never passes the SHA-256 checksum, so when the first
/// byte is odd the rest is taken as a payload instead: the harness adds the
/// checksum and prefix, and the interesting part (the payload layout, the
/// host) is fuzzed behind a valid checksum.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJoinToken(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let mode = bytes.first else { return 0 }
    let text: String
    if mode & 1 == 1 {
        let payload = Array(bytes.dropFirst())
        text = JoinToken.prefix + Base64URL.encode(payload + Array(SHA256.hash(payload).prefix(4)))
    } else {
        text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    }
    guard let token = try? JoinToken.parse(text) else { return 0 }

    invariant(token.id.count == 16 && token.secret.count == 32 && token.caPin.count == 32, "field sizes \(token.id.count)/\(token.secret.count)/\(token.caPin.count)")
    invariant(token.port != 0, "port 0 accepted")
    invariant(text.contains(token.text), "accepted \(text.debugDescription), whose token prints as \(token.text)")
    do {
        let again = try JoinToken.parse(token.text)
        invariant(again == token, "\(token) reads back as \(again)")
    } catch {
        invariant(false, "\(token.text) does not parse: \(error)")
    }
    return 0
}
