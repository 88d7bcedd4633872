import NIOCore

/// A PROXY protocol version 2 header (HAProxy `proxy-protocol.txt` §2.2),
/// which the home may ask the edge to put in front of a forwarded stream so
/// its server learns the public client's address, the requested host (SNI or
/// Host, as `PP2_TYPE_AUTHORITY`) and the negotiated ALPN.
///
/// Layout, all big-endian:
/// ```
/// signature  12  \r\n\r\n\0\r\nQUIT\n
/// ver_cmd     1  0x2_: version 2; low nibble 0 LOCAL, 1 PROXY
/// fam         1  0x00 UNSPEC, 0x11 TCP over IPv4, 0x21 TCP over IPv6
/// len         2  bytes that follow: addresses, then TLVs
/// addresses      IPv4: src(4) dst(4) sport(2) dport(2); IPv6: 16 16 2 2
/// TLVs           type(1) length(2) value(length), repeated
/// ```
public struct ProxyProtocolV2Header: Hashable, Sendable {
    /// The 12-byte signature that starts every version 2 header.
    public static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// Signature, ver_cmd, fam and len.
    public static let fixedHeaderLength = 16

    /// What the connection is.
    public enum Command: UInt8, Hashable, Sendable {
        /// Made by the proxy itself (health check); the receiver uses the real
        /// connection endpoints and ignores any addresses.
        case local = 0x0
        /// Relayed on behalf of the client named by the addresses.
        case proxy = 0x1
    }

    /// An IPv4 address as its 32-bit big-endian value.
    public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
        public var value: UInt32

        public init(_ value: UInt32) { self.value = value }

        public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
            self.value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
        }

        public var description: String {
            (0..<4).map { String(value >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".")
        }
    }

    /// An IPv6 address as two 64-bit big-endian halves.
    public struct IPv6Address: Hashable, Sendable {
        public var high: UInt64
        public var low: UInt64

        public init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        /// The address from its 16 bytes in network order; `nil` for any other count.
        public init?(bytes: some Collection<UInt8>) {
            guard bytes.count == 16 else { return nil }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (offset, byte) in bytes.enumerated() {
                if offset < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.init(high: high, low: low)
        }

        /// The IPv4-mapped address `::ffff:a.b.c.d`.
        public init(mapping address: IPv4Address) {
            self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(address.value))
        }

        /// The 16 bytes in network order.
        public var bytes: [UInt8] {
            (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// The address family, transport and endpoints.
    public enum Addresses: Hashable, Sendable {
        /// `AF_UNSPEC` (fam 0x00): no addresses, as for LOCAL.
        case unspecified
        /// TCP over IPv4 (fam 0x11).
        case tcpIPv4(source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, destinationPort: UInt16)
        /// TCP over IPv6 (fam 0x21).
        case tcpIPv6(source: IPv6Address, sourcePort: UInt16, destination: IPv6Address, destinationPort: UInt16)

        /// The `fam` byte.
        public var familyByte: UInt8 {
            switch self {
            case .unspecified: return 0x00
            case .tcpIPv4: return 0x11
            case .tcpIPv6: return 0x21
            }
        }

        /// Bytes of the address block.
        public var encodedLength: Int {
            switch self {
            case .unspecified: return 0
            case .tcpIPv4: return 12
            case .tcpIPv6: return 36
            }
        }
    }

    public var command: Command
    public var addresses: Addresses
    /// Type-length-value extensions, in order.
    public var tlvs: [TLV]

    public init(command: Command = .proxy, addresses: Addresses, tlvs: [TLV] = []) {
        self.command = command
        self.addresses = addresses
        self.tlvs = tlvs
    }

    /// A LOCAL header with no addresses (for health checks).
    public static var local: ProxyProtocolV2Header {
        ProxyProtocolV2Header(command: .local, addresses: .unspecified)
    }

    /// The value of the first TLV of `type`, if any.
    public func value(of type: TLV.Kind) -> [UInt8]? {
        tlvs.first { $0.type == type }?.value
    }

    /// The `PP2_TYPE_AUTHORITY` host name, if present.
    public var authority: String? {
        value(of: .authority).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The `PP2_TYPE_ALPN` protocol, if present.
    public var alpn: String? {
        value(of: .alpn).map { String(decoding: $0, as: UTF8.self) }
    }
}
