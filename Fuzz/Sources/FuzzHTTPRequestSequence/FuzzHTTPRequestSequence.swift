import FuzzSupport
import NIOCore
import Wire

/// Fuzzes ``HTTPRequestSequence``, which follows the requests after the
/// first one on a kept-alive connection to the edge's HTTP port and keeps
/// them with the first request's destination (the edge's own files, with
/// `HTTPChunkedBody`, `HTTPAnswerPeek` and `ForwardedHeaders`, compiled in
/// through symbolic links: the edge is an executable target).
///
/// The first request is fixed (`GET /` for `a.example`); the input is what
/// the client sends after it. Only requests for `a.example` are allowed.
/// Besides never trapping:
/// - fed whole, in two pieces (cut where the first byte says) and one byte
///   at a time, the sequence forwards the same bytes and stops the same way;
/// - what it forwards is what it was given, in order, less trailer lines
///   naming forwarding headers (a subsequence of it).
/// The first request asks for no switch of protocols, so nothing here
/// passes unexamined ([SEC-9]).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestSequence(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let control = bytes.first else { return 0 }
    let input = Array(bytes.dropFirst())
    let whole = Outcome(feeding: [input[...]])
    let cut = input.isEmpty ? 0 : Int(control) * input.count / 256
    let halves = Outcome(feeding: [input[..<cut], input[cut...]])
    invariant(halves == whole, "cut at \(cut): \(halves) against whole \(whole)")
    if input.count <= 4096 {
        let dripped = Outcome(feeding: input.indices.map { input[$0...$0] })
        invariant(dripped == whole, "one byte at a time: \(dripped) against whole \(whole)")
    }
    invariant(isSubsequence(whole.forwarded, of: input), "forwarded is not a subsequence of the input")
    return 0
}

func isSubsequence(_ part: [UInt8], of whole: [UInt8]) -> Bool {
    var index = whole.startIndex
    for byte in part {
        guard let found = whole[index...].firstIndex(of: byte) else { return false }
        index = found + 1
    }
    return true
}

/// What the sequence forwarded in all and why it stopped, if it did.
struct Outcome: Equatable, CustomStringConvertible {
    var forwarded: [UInt8] = []
    /// The kind of stop only: messages may name the byte where a head broke.
    var stop: String?

    static let first: HTTPRequestHead? = {
        guard case .complete(let head)? = try? HTTPHeadParser().parse(Array("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n".utf8)) else {
            return nil
        }
        return head
    }()

    init(feeding pieces: [ArraySlice<UInt8>]) {
        guard let first = Self.first, var sequence = try? HTTPRequestSequence(first: first, allows: { $0.host == "a.example" }) else {
            stop = "no first request"
            return
        }
        for piece in pieces where stop == nil {
            let output = sequence.feed(ByteBuffer(bytes: piece))
            forwarded += output.forward.readableBytesView
            switch output.stop {
            case .otherDestination(let host)?: stop = "other destination \(host ?? "-")"
            case .malformed?: stop = "malformed"
            case .slowHead?: stop = "slow head"  // the guard's clock; feed never reports it
            case nil: break
            }
        }
    }

    var description: String { "\(forwarded.count) bytes forwarded, stop: \(stop ?? "none")" }
}
