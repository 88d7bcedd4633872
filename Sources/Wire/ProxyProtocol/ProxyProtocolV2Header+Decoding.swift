import NIOCore

extension ProxyProtocolV2Header {
    /// Reads one header from the front of `buffer` (parse-or-restore): on
    /// success the header's bytes are consumed; `nil` means more bytes are
    /// needed and nothing was consumed; a thrown error means the bytes can
    /// never become a valid header. Wrong signatures are reported as soon as
    /// the first differing byte arrives.
    ///
    /// Accepts LOCAL and PROXY with UNSPEC, TCP/IPv4 and TCP/IPv6. The bytes
    /// after the family's fixed-size address block are read as TLVs; TLVs of
    /// unknown type are kept in ``tlvs`` unchanged.
    public static func read(
        from buffer: inout ByteBuffer,
        maximumLength: Int = ProxyProtocolV2Header.maximumEncodedLength
    ) throws(ProxyProtocolError) -> ProxyProtocolV2Header? {
        let start = buffer.readerIndex
        let received = min(buffer.readableBytes, signature.count)
        guard let prefix = buffer.getBytes(at: start, length: received) else { return nil }
        guard prefix.elementsEqual(signature.prefix(received)) else { throw .notProxyProtocol }
        guard let (verCmd, family, length) = buffer.getMultipleIntegers(
            at: start + signature.count, as: (UInt8, UInt8, UInt16).self
        ) else { return nil }
        guard verCmd >> 4 == 2 else { throw .unsupportedVersion(verCmd >> 4) }
        guard let command = Command(rawValue: verCmd & 0x0F) else { throw .unsupportedCommand(verCmd & 0x0F) }
        let total = fixedHeaderLength + Int(length)
        guard total <= maximumLength else { throw .tooLarge(length: total, limit: maximumLength) }
        let addressLength: Int
        switch family {
        case 0x00: addressLength = 0
        case 0x11: addressLength = 12
        case 0x21: addressLength = 36
        default: throw .unsupportedFamily(family)
        }
        guard Int(length) >= addressLength else { throw .addressBlockTooShort(family: family, length: Int(length)) }
        guard var payload = buffer.getSlice(at: start + fixedHeaderLength, length: Int(length)) else { return nil }

        let addresses: Addresses
        switch family {
        case 0x11:
            guard let (source, destination, sourcePort, destinationPort) = payload.readMultipleIntegers(
                as: (UInt32, UInt32, UInt16, UInt16).self
            ) else { throw .truncated }
            addresses = .tcpIPv4(
                source: IPv4Address(source), sourcePort: sourcePort,
                destination: IPv4Address(destination), destinationPort: destinationPort
            )
        case 0x21:
            guard let (sourceHigh, sourceLow, destinationHigh, destinationLow) = payload.readMultipleIntegers(
                as: (UInt64, UInt64, UInt64, UInt64).self
            ), let (sourcePort, destinationPort) = payload.readMultipleIntegers(as: (UInt16, UInt16).self)
            else { throw .truncated }
            addresses = .tcpIPv6(
                source: IPv6Address(high: sourceHigh, low: sourceLow), sourcePort: sourcePort,
                destination: IPv6Address(high: destinationHigh, low: destinationLow), destinationPort: destinationPort
            )
        default:
            addresses = .unspecified
        }

        var tlvs: [TLV] = []
        while payload.readableBytes > 0 {
            guard let (type, valueLength) = payload.readMultipleIntegers(as: (UInt8, UInt16).self) else {
                throw .malformedTLV(type: payload.getInteger(at: payload.readerIndex) ?? 0)
            }
            guard let value = payload.readBytes(length: Int(valueLength)) else { throw .malformedTLV(type: type) }
            tlvs.append(TLV(type: TLV.Kind(rawValue: type), value: value))
        }
        buffer.moveReaderIndex(forwardBy: total)
        return ProxyProtocolV2Header(command: command, addresses: addresses, tlvs: tlvs)
    }

    /// Decodes `bytes` that must hold exactly one complete header.
    public init(decoding bytes: some Collection<UInt8>) throws(ProxyProtocolError) {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        guard let header = try Self.read(from: &buffer) else { throw .truncated }
        guard buffer.readableBytes == 0 else { throw .trailingBytes(buffer.readableBytes) }
        self = header
    }
}
