import NIOCore

extension ProxyProtocolV2Header {
    /// The largest header the format can express: 16 fixed bytes and a
    /// 16-bit length.
    public static let maximumEncodedLength = fixedHeaderLength + Int(UInt16.max)

    /// Bytes ``write(to:)`` produces.
    public var encodedLength: Int {
        Self.fixedHeaderLength + addresses.encodedLength + tlvs.reduce(0) { $0 + $1.encodedLength }
    }

    /// Appends the header to `buffer` and returns the number of bytes written.
    /// Throws ``ProxyProtocolError/tooLarge(length:limit:)`` when the TLVs do
    /// not fit the 16-bit length fields; nothing is written then.
    @discardableResult
    public func write(to buffer: inout ByteBuffer) throws(ProxyProtocolError) -> Int {
        let total = encodedLength
        guard total <= Self.maximumEncodedLength else {
            throw .tooLarge(length: total, limit: Self.maximumEncodedLength)
        }
        buffer.reserveCapacity(minimumWritableBytes: total)
        buffer.writeBytes(Self.signature)
        buffer.writeMultipleIntegers(
            UInt8(0x20 | command.rawValue),
            addresses.familyByte,
            UInt16(total - Self.fixedHeaderLength)
        )
        switch addresses {
        case .unspecified:
            break
        case .tcpIPv4(let source, let sourcePort, let destination, let destinationPort):
            buffer.writeMultipleIntegers(source.value, destination.value, sourcePort, destinationPort)
        case .tcpIPv6(let source, let sourcePort, let destination, let destinationPort):
            buffer.writeMultipleIntegers(source.high, source.low, destination.high, destination.low)
            buffer.writeMultipleIntegers(sourcePort, destinationPort)
        }
        for tlv in tlvs {
            // Each value is under 2^16 bytes: their sum is, as checked above.
            buffer.writeMultipleIntegers(tlv.type.rawValue, UInt16(tlv.value.count))
            buffer.writeBytes(tlv.value)
        }
        return total
    }

    /// The header as a new buffer.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(ProxyProtocolError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: encodedLength)
        try write(to: &buffer)
        return buffer
    }
}

extension ProxyProtocolV2Header.Addresses {
    /// The addresses of a TCP connection as NIO reports them. IPv4 and IPv6
    /// endpoints together are sent as IPv6 with the IPv4 one mapped
    /// (`::ffff:a.b.c.d`); anything else (Unix sockets) becomes UNSPEC.
    public init(source: SocketAddress, destination: SocketAddress) {
        let sourcePort = UInt16(truncatingIfNeeded: source.port ?? 0)
        let destinationPort = UInt16(truncatingIfNeeded: destination.port ?? 0)
        switch (Self.ipv4(source), Self.ipv4(destination)) {
        case (let s?, let d?):
            self = .tcpIPv4(source: s, sourcePort: sourcePort, destination: d, destinationPort: destinationPort)
            return
        default:
            break
        }
        guard let s = Self.ipv6(source), let d = Self.ipv6(destination) else {
            self = .unspecified
            return
        }
        self = .tcpIPv6(source: s, sourcePort: sourcePort, destination: d, destinationPort: destinationPort)
    }

    private static func ipv4(_ address: SocketAddress) -> ProxyProtocolV2Header.IPv4Address? {
        guard case .v4(let v4) = address else { return nil }
        return ProxyProtocolV2Header.IPv4Address(UInt32(bigEndian: v4.address.sin_addr.s_addr))
    }

    private static func ipv6(_ address: SocketAddress) -> ProxyProtocolV2Header.IPv6Address? {
        switch address {
        case .v4:
            return ipv4(address).map { ProxyProtocolV2Header.IPv6Address(mapping: $0) }
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return withUnsafeBytes(of: &raw) { ProxyProtocolV2Header.IPv6Address(bytes: $0) }
        case .unixDomainSocket:
            return nil
        }
    }
}
