import FuzzSupport
import NIOCore
import Wire

/// Fuzzes ``HTTPHeadParser`` as the edge's HTTP port uses it: asked again
/// after every read with everything received so far. Besides never trapping:
/// - the answer only moves forward ("need more" → complete or error; a
///   complete head stays the same head, an error stays an error);
/// - a complete head ends exactly at `headLength`: its first `headLength`
///   bytes give the same head, one byte fewer is still "need more";
/// - the host it routes by is lowercase, non-empty, without a trailing dot.
///
/// The first input byte picks where the earlier read ended and, with its top
/// bit, a small limit (256 bytes) so the size checks are reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let control = bytes.first else { return 0 }
    let input = Array(bytes.dropFirst())
    let parser = HTTPHeadParser(maximumLength: control & 0x80 == 0 ? HTTPHeadParser.defaultMaximumLength : 256)
    let full = Answer(parser, input)
    let cut = input.isEmpty ? 0 : Int(control & 0x7F) * input.count / 128
    let early = Answer(parser, Array(input[..<cut]))
    invariant(early.canBeFollowed(by: full), "after \(cut) bytes: \(early), after \(input.count): \(full)")

    guard case .complete(let head) = full else { return 0 }
    invariant(head.headLength >= 4 && head.headLength <= input.count, "head length \(head.headLength) of \(input.count) bytes")
    invariant(head.headLength <= parser.maximumLength, "head of \(head.headLength) bytes above the \(parser.maximumLength)-byte limit")
    let exact = Answer(parser, Array(input[..<head.headLength]))
    invariant(exact == full, "the head's own \(head.headLength) bytes give \(exact), all bytes \(full)")
    let short = Answer(parser, Array(input[..<(head.headLength - 1)]))
    invariant(short == .needMoreData, "one byte before the head's end: \(short)")
    if let host = head.host {
        invariant(!host.isEmpty && host == host.lowercased() && !host.hasSuffix("."), "host \(host) is not normalised")
    }
    return 0
}

/// One answer of the parser, comparable across reads.
enum Answer: Equatable, CustomStringConvertible {
    case needMoreData
    case complete(HTTPRequestHead)
    case failed(HTTPHeadError)

    init(_ parser: HTTPHeadParser, _ bytes: [UInt8]) {
        do {
            switch try parser.parse(bytes) {
            case .needMoreData: self = .needMoreData
            case .complete(let head): self = .complete(head)
            }
        } catch {
            self = .failed(error)
        }
    }

    /// Whether `later`, the answer for more bytes, may follow this one.
    func canBeFollowed(by later: Answer) -> Bool {
        switch (self, later) {
        case (.needMoreData, _): true
        case (.complete(let head), .complete(let laterHead)): head == laterHead
        case (.failed, .failed): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .needMoreData: "need more data"
        case .complete(let head): "complete \(head)"
        case .failed(let error): "error \(error)"
        }
    }
}
