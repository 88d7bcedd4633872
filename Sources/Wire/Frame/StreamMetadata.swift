import NIOCore

/// What an OPEN frame says about a new stream: which forward it is for and
/// what is known about the public connection behind it ([OPEN-2]).
public struct StreamMetadata: Hashable, Sendable {
    /// The forward's name in the receiver's configuration. The receiver maps it
    /// to a target of its own choosing; an address is never sent.
    public var forward: String
    /// The public client's address, when the stream carries a public connection.
    public var clientAddress: PeerAddress?
    /// TLS SNI or HTTP Host that routed the connection, when known.
    public var serverName: String?
    /// The public port the client connected to.
    public var publicPort: UInt16?
    /// Why the stream was opened, when it is not the forward's ordinary
    /// traffic ([OPEN-6]); nil for ordinary streams.
    public var purpose: StreamPurpose?

    public init(
        forward: String, clientAddress: PeerAddress? = nil, serverName: String? = nil, publicPort: UInt16? = nil,
        purpose: StreamPurpose? = nil
    ) {
        self.forward = forward
        self.clientAddress = clientAddress
        self.serverName = serverName
        self.publicPort = publicPort
        self.purpose = purpose
    }
}

/// The purpose TLV of OPEN ([OPEN-6]): a stream for a forward that is not its
/// ordinary traffic. A struct so that values of later versions survive
/// decoding; a receiver refuses a purpose it does not know.
public struct StreamPurpose: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A plain-HTTP ACME HTTP-01 challenge request for a name the receiver
    /// serves as an `https` forward: it goes to the forward's ACME responder,
    /// not to its TLS target.
    public static let acmeChallenge = StreamPurpose(rawValue: 1)

    public var description: String {
        self == .acmeChallenge ? "ACME_CHALLENGE" : "PURPOSE(\(rawValue))"
    }
}

extension StreamMetadata {
    /// Why this metadata cannot be sent in OPEN, or nil if it can: names must
    /// be 1 to 255 bytes of UTF-8 ([OPEN-3]).
    var problem: String? {
        if !(1...255).contains(forward.utf8.count) {
            return "forward name must be 1 to 255 bytes, got \(forward.utf8.count)"
        }
        if let serverName, !(1...255).contains(serverName.utf8.count) {
            return "server name must be 1 to 255 bytes, got \(serverName.utf8.count)"
        }
        return nil
    }
}

/// Tags of the OPEN metadata TLVs ([OPEN-3]).
enum MetadataTag: UInt8 {
    case forward = 0x01
    case clientAddress = 0x02
    case serverName = 0x03
    case publicPort = 0x04
    case purpose = 0x05
}

/// An IPv4 or IPv6 address and port, kept as raw bytes so that it encodes
/// exactly and compares cheaply.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let ipBytes: [UInt8]
    public let port: UInt16

    /// Nil unless `ipBytes` has 4 or 16 bytes.
    public init?(ipBytes: [UInt8], port: UInt16) {
        guard ipBytes.count == 4 || ipBytes.count == 16 else { return nil }
        self.ipBytes = ipBytes
        self.port = port
    }

    /// The address of an IPv4 or IPv6 socket; nil for other families.
    public init?(_ address: SocketAddress) {
        guard let port = address.port, let ip = address.ipAddress,
            let bytes = try? SocketAddress(ipAddress: ip, port: 0).rawIPBytes
        else { return nil }
        self.init(ipBytes: bytes, port: UInt16(truncatingIfNeeded: port))
    }

    public var isIPv6: Bool { ipBytes.count == 16 }

    public var description: String {
        if isIPv6 {
            let groups = stride(from: 0, to: 16, by: 2).map {
                String(UInt16(ipBytes[$0]) << 8 | UInt16(ipBytes[$0 + 1]), radix: 16)
            }
            return "[\(groups.joined(separator: ":"))]:\(port)"
        }
        return ipBytes.map(String.init).joined(separator: ".") + ":\(port)"
    }
}

extension SocketAddress {
    /// The raw network-order bytes of an IPv4 or IPv6 address.
    var rawIPBytes: [UInt8]? {
        switch self {
        case .v4(let a):
            withUnsafeBytes(of: a.address.sin_addr) { Array($0) }
        case .v6(let a):
            withUnsafeBytes(of: a.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            nil
        }
    }
}
