/// Validation shared by the SNI and Host peekers: a DNS host name as used for
/// routing (RFC 1123 §2.1 letters, digits and hyphens; RFC 1035 §2.3.4 sizes).
///
/// Names are returned lowercased because routing compares them exactly.
/// Underscores, percent-encoding and internationalized (non-ASCII) names are
/// rejected: browsers send IDNs as `xn--` A-labels, which pass.
enum PeekHostName {
    /// The longest name in presentation form, without a trailing dot.
    static let maximumLength = 253
    /// The longest single label.
    static let maximumLabelLength = 63

    /// Validates `bytes` as a DNS host name and returns it lowercased, or
    /// describes why it is not one.
    ///
    /// A final label made only of digits is rejected, so that dotted IPv4
    /// literals (which RFC 6066 §3 forbids in SNI) never pass as names.
    static func normalize(_ bytes: some Collection<UInt8>) -> Result<String, Invalid> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maximumLength else { return .failure(.tooLong(bytes.count)) }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        var labelLength = 0
        var labelAllDigits = true
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "."):
                guard labelLength > 0 else { return .failure(.emptyLabel) }
                guard previous != UInt8(ascii: "-") else { return .failure(.hyphenAtLabelEdge) }
                labelLength = 0
                labelAllDigits = true
            case UInt8(ascii: "-"):
                guard labelLength > 0 else { return .failure(.hyphenAtLabelEdge) }
                labelLength += 1
                labelAllDigits = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                labelLength += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                labelLength += 1
                labelAllDigits = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                labelLength += 1
                labelAllDigits = false
            default:
                return .failure(.invalidCharacter(byte))
            }
            guard labelLength <= maximumLabelLength else { return .failure(.labelTooLong) }
            previous = byte
            lowered.append(byte | (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? 0x20 : 0))
        }
        guard labelLength > 0 else { return .failure(.emptyLabel) }
        guard previous != UInt8(ascii: "-") else { return .failure(.hyphenAtLabelEdge) }
        guard !labelAllDigits else { return .failure(.numericTopLevelLabel) }
        return .success(String(decoding: lowered, as: UTF8.self))
    }

    /// Why a byte string is not a host name; the text ends up in error reasons.
    enum Invalid: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLong(Int)
        case emptyLabel
        case labelTooLong
        case hyphenAtLabelEdge
        case invalidCharacter(UInt8)
        case numericTopLevelLabel

        var description: String {
            switch self {
            case .empty: return "host name is empty"
            case .tooLong(let count): return "host name is \(count) bytes, more than \(PeekHostName.maximumLength)"
            case .emptyLabel: return "host name has an empty label"
            case .labelTooLong: return "host name has a label longer than \(PeekHostName.maximumLabelLength) bytes"
            case .hyphenAtLabelEdge: return "host name has a label starting or ending with '-'"
            case .invalidCharacter(let byte): return "host name contains byte 0x\(String(byte, radix: 16)); only letters, digits, '-' and '.' are allowed"
            case .numericTopLevelLabel: return "host name ends in an all-digit label (an IP address is not a host name)"
            }
        }
    }
}
