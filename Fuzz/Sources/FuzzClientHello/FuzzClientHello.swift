import FuzzSupport
import NIOCore
import Wire

/// Fuzzes ``ClientHelloParser`` as the edge uses it: asked again after every
/// read with everything received so far. Besides never trapping:
/// - the answer only moves forward: "need more" can become complete or an
///   error, but a complete hello stays the same hello with more bytes behind
///   it, and garbage stays garbage (the edge routes on the first answer);
/// - a host name it reports is lowercase, 1...253 bytes, with no trailing dot;
/// - it never answers from more than its limit of bytes.
///
/// The first input byte picks where the earlier read ended and, with its top
/// bit, a small limit (512 bytes) so the size checks are reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientHello(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let control = bytes.first else { return 0 }
    let input = Array(bytes.dropFirst())
    let parser = ClientHelloParser(maximumLength: control & 0x80 == 0 ? ClientHelloParser.defaultMaximumLength : 512)
    let full = Answer(parser, input)
    let cut = input.isEmpty ? 0 : Int(control & 0x7F) * input.count / 128
    let early = Answer(parser, Array(input[..<cut]))
    invariant(early.canBeFollowed(by: full), "after \(cut) bytes: \(early), after \(input.count): \(full)")
    if case .complete(let info) = full, let name = info.serverName {
        invariant(!name.isEmpty && name.utf8.count <= 253, "server name of \(name.utf8.count) bytes")
        invariant(name == name.lowercased() && !name.hasSuffix("."), "server name \(name) is not normalised")
    }
    return 0
}

/// One answer of the parser, comparable across reads.
enum Answer: Equatable, CustomStringConvertible {
    case needMoreData
    case complete(ClientHelloInfo)
    case failed(ClientHelloError)

    init(_ parser: ClientHelloParser, _ bytes: [UInt8]) {
        do {
            switch try parser.parse(bytes) {
            case .needMoreData: self = .needMoreData
            case .complete(let info): self = .complete(info)
            }
        } catch {
            self = .failed(error)
        }
    }

    /// Whether `later`, the answer for more bytes, may follow this one.
    func canBeFollowed(by later: Answer) -> Bool {
        switch (self, later) {
        case (.needMoreData, _): true
        case (.complete(let info), .complete(let laterInfo)): info == laterInfo
        case (.failed, .failed): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .needMoreData: "need more data"
        case .complete(let info): "complete \(info)"
        case .failed(let error): "error \(error)"
        }
    }
}
