import NIOCore
import Wire

/// Reads the status of the server's answer to a request that asked to
/// switch protocols, from the bytes the server sends back ([SEC-9]). It
/// only has to tell a final answer's status: interim answers (`100
/// Continue`, `103 Early Hints`, any `1xx` but `101`) are skipped whole,
/// up to their empty line. Anything that is not `HTTP/1.x NNN` is
/// `notHTTP`, which the caller treats as a refusal: the connection stays
/// checked HTTP, the safe side.
enum HTTPAnswerPeek {
    enum Result: Equatable {
        case needMoreData
        case notHTTP
        case final(status: Int)
    }

    /// `HTTP/1.x NNN` and the byte after it.
    private static let statusLineStart = 13

    /// The next final answer's status in `bytes`; interim answers before it
    /// are read from `bytes`.
    static func next(in bytes: inout ByteBuffer) -> Result {
        while true {
            let view = bytes.readableBytesView
            let status: Int
            switch Self.status(view.prefix(statusLineStart)) {
            case nil: return .notHTTP
            case .some(-1): return .needMoreData
            case let value?: status = value
            }
            guard (100...199).contains(status), status != 101 else { return .final(status: status) }
            guard let end = endOfHead(view) else {
                return view.count > HTTPHeadParser.defaultMaximumLength ? .notHTTP : .needMoreData
            }
            bytes.moveReaderIndex(forwardBy: end - view.startIndex)
        }
    }

    /// The status code of `HTTP/1.x NNN` followed by SP, CR or LF; -1 while
    /// `prefix` is too short to tell and could still be one; nil if not.
    private static func status(_ prefix: ByteBufferView.SubSequence) -> Int? {
        let pattern = Array("HTTP/1.".utf8)
        var status = 0
        for (offset, byte) in prefix.enumerated() {
            switch offset {
            case 0..<7: guard byte == pattern[offset] else { return nil }
            case 7: guard byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") else { return nil }
            case 8: guard byte == UInt8(ascii: " ") else { return nil }
            case 9...11:
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                status = status * 10 + Int(byte - UInt8(ascii: "0"))
            default: guard byte == UInt8(ascii: " ") || byte == 0x0D || byte == 0x0A else { return nil }
            }
        }
        return prefix.count < statusLineStart ? -1 : status
    }

    /// The index just after the empty line ending a head (`\n\r\n` or, from
    /// a lax server, `\n\n`).
    private static func endOfHead(_ view: ByteBufferView) -> Int? {
        var index = view.startIndex
        while let lineFeed = view[index...].firstIndex(of: 0x0A) {
            let next = lineFeed + 1
            if next < view.endIndex, view[next] == 0x0A { return next + 1 }
            if next + 1 < view.endIndex, view[next] == 0x0D, view[next + 1] == 0x0A { return next + 2 }
            index = next
        }
        return nil
    }
}
