import DNS
import FuzzSupport

/// Fuzzes ``DNSMessageDecoder/decode(_:)``, which reads what nameservers
/// (or anyone who can send the edge a datagram) send. Besides never trapping
/// or hanging (compression pointer loops, lying counts, truncation):
/// - every name it returns fits DNS's limits (labels 1–63 bytes, 255 in all);
/// - a decoded message encodes without error and decodes back to itself
///   (names compressed by the encoder's rules this time), so the decoder and
///   the encoder the test responder uses agree.
///
/// Input: the whole input is one message, as a UDP payload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNSMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let message = try? DNSMessageDecoder.decode(bytes) else { return 0 }
    let records = message.answers + message.authorities + message.additionals
    var names = message.questions.map(\.name) + records.map(\.name)
    for record in records {
        if case .cname(let target) = record.data { names.append(target) }
    }
    for name in names {
        invariant(name.wireLength <= 255, "name \(name) takes \(name.wireLength) bytes")
        invariant(name.labels.allSatisfy { (1...63).contains($0.count) }, "name \(name) has a bad label")
    }
    do {
        let encoded = try DNSMessageEncoder.encode(message)
        let again = try DNSMessageDecoder.decode(encoded)
        invariant(again == message, "\(message) reads back as \(again)")
    } catch {
        invariant(false, "\(message) does not survive encoding: \(error)")
    }
    return 0
}
