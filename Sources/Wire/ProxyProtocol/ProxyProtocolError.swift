/// Why a PROXY protocol v2 header could not be encoded or decoded.
public enum ProxyProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes do not start with the version 2 signature.
    case notProxyProtocol
    /// The version nibble is not 2.
    case unsupportedVersion(UInt8)
    /// The command nibble is neither LOCAL nor PROXY.
    case unsupportedCommand(UInt8)
    /// The family/transport byte is not UNSPEC, TCP/IPv4 or TCP/IPv6.
    case unsupportedFamily(UInt8)
    /// The length is too short for the addresses of the announced family.
    case addressBlockTooShort(family: UInt8, length: Int)
    /// A TLV's length overruns the header.
    case malformedTLV(type: UInt8)
    /// The header (or one TLV) is longer than the format or the limit allows.
    case tooLarge(length: Int, limit: Int)
    /// The bytes end before the header does.
    case truncated
    /// Bytes follow a header that was expected to stand alone.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .notProxyProtocol: return "input does not start with the PROXY protocol v2 signature"
        case .unsupportedVersion(let version): return "PROXY protocol version \(version) is not 2"
        case .unsupportedCommand(let command): return "PROXY protocol command \(command) is neither LOCAL (0) nor PROXY (1)"
        case .unsupportedFamily(let family): return "PROXY protocol family/transport 0x\(String(family, radix: 16)) is not supported"
        case .addressBlockTooShort(let family, let length):
            return "PROXY protocol length \(length) is too short for family 0x\(String(family, radix: 16))"
        case .malformedTLV(let type): return "PROXY protocol TLV of type 0x\(String(type, radix: 16)) overruns the header"
        case .tooLarge(let length, let limit): return "PROXY protocol header of \(length) bytes exceeds the limit of \(limit)"
        case .truncated: return "PROXY protocol header is truncated"
        case .trailingBytes(let count): return "\(count) bytes follow the PROXY protocol header"
        }
    }
}
