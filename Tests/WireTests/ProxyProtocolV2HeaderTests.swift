import TestSupport
import NIOCore
import Testing
@testable import Wire

@Suite("ProxyProtocolV2Header")
struct ProxyProtocolV2HeaderTests {
    typealias Header = ProxyProtocolV2Header

    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    static let tcp4 = Header(addresses: .tcpIPv4(
        source: .init(192, 0, 2, 10), sourcePort: 51_234, destination: .init(198, 51, 100, 20), destinationPort: 443
    ))
    /// Derived by hand from proxy-protocol.txt §2.2: ver_cmd 0x21 (v2, PROXY),
    /// fam 0x11 (AF_INET, STREAM), len 12, src, dst, sport 51234, dport 443.
    static let tcp4Bytes: [UInt8] = signature + [0x21, 0x11, 0x00, 0x0C,
                                                 0xC0, 0x00, 0x02, 0x0A, 0xC6, 0x33, 0x64, 0x14, 0xC8, 0x22, 0x01, 0xBB]

    static let tcp6 = Header(addresses: .tcpIPv6(
        source: .init(bytes: [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1])!, sourcePort: 1234,
        destination: .init(mapping: .init(198, 51, 100, 20)), destinationPort: 8443
    ))
    /// fam 0x21 (AF_INET6, STREAM), len 36: 2001:db8::1 port 1234 to
    /// ::ffff:198.51.100.20 port 8443.
    static let tcp6Bytes: [UInt8] = signature + [0x21, 0x21, 0x00, 0x24]
        + [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [0x01]
        + Array(repeating: 0, count: 10) + [0xFF, 0xFF, 0xC6, 0x33, 0x64, 0x14]
        + [0x04, 0xD2, 0x20, 0xFB]

    static let withTLVs = Header(addresses: tcp4.addresses, tlvs: [.authority("a.example"), .alpn("h2")])
    /// len 12 + (3 + 9) + (3 + 2) = 29; TLV 0x02 "a.example", TLV 0x01 "h2".
    static let withTLVsBytes: [UInt8] = signature + [0x21, 0x11, 0x00, 0x1D]
        + Array(tcp4Bytes[16...])
        + [0x02, 0x00, 0x09] + Array("a.example".utf8)
        + [0x01, 0x00, 0x02, 0x68, 0x32]

    /// ver_cmd 0x20 (v2, LOCAL), fam 0x00 (UNSPEC), len 0.
    static let localBytes: [UInt8] = signature + [0x20, 0x00, 0x00, 0x00]

    static let vectors: [(Header, [UInt8])] = [(tcp4, tcp4Bytes), (tcp6, tcp6Bytes), (withTLVs, withTLVsBytes), (.local, localBytes)]

    // MARK: Encoding

    @Test func encodesHandDerivedVectors() throws {
        for (header, bytes) in Self.vectors {
            var buffer = ByteBuffer()
            let written = try header.write(to: &buffer)
            #expect(Array(buffer: buffer) == bytes)
            #expect(written == bytes.count)
            #expect(header.encodedLength == bytes.count)
        }
    }

    @Test func writeAppendsAfterExistingBytes() throws {
        var buffer = ByteBuffer(string: "x")
        try Self.tcp4.write(to: &buffer)
        #expect(Array(buffer: buffer) == [UInt8(ascii: "x")] + Self.tcp4Bytes)
    }

    @Test func encodingMoreThan65535PayloadBytesThrowsAndWritesNothing() {
        let header = Header(addresses: .unspecified, tlvs: [Header.TLV(type: .noop, value: Array(repeating: 0, count: 65_533))])
        var buffer = ByteBuffer()
        #expect(throws: ProxyProtocolError.tooLarge(length: 65_552, limit: 65_551)) { try header.write(to: &buffer) }
        #expect(buffer.readableBytes == 0)
        let fits = Header(addresses: .unspecified, tlvs: [Header.TLV(type: .noop, value: Array(repeating: 0, count: 65_532))])
        #expect((try? fits.encoded().readableBytes) == 65_551)
    }

    @Test func addressesFromNIOSocketAddresses() throws {
        let v4 = Header.Addresses(
            source: try SocketAddress(ipAddress: "192.0.2.10", port: 51_234),
            destination: try SocketAddress(ipAddress: "198.51.100.20", port: 443)
        )
        #expect(v4 == Self.tcp4.addresses)
        let v6 = Header.Addresses(
            source: try SocketAddress(ipAddress: "2001:db8::1", port: 1234),
            destination: try SocketAddress(ipAddress: "::ffff:198.51.100.20", port: 8443)
        )
        #expect(v6 == Self.tcp6.addresses)
        let mixed = Header.Addresses(
            source: try SocketAddress(ipAddress: "2001:db8::1", port: 1234),
            destination: try SocketAddress(ipAddress: "198.51.100.20", port: 8443)
        )
        #expect(mixed == Self.tcp6.addresses)
        #expect(Header.IPv4Address(192, 0, 2, 10).description == "192.0.2.10")
    }

    // MARK: Decoding

    @Test func decodesHandDerivedVectorsAndConsumesOnlyTheHeader() throws {
        for (header, bytes) in Self.vectors {
            var buffer = ByteBuffer(bytes: bytes + Array("payload".utf8))
            #expect(try Header.read(from: &buffer) == header)
            #expect(buffer.readString(length: buffer.readableBytes) == "payload")
            #expect(try Header(decoding: bytes) == header)
        }
        #expect(try Header(decoding: Self.withTLVsBytes).authority == "a.example")
        #expect(try Header(decoding: Self.withTLVsBytes).alpn == "h2")
    }

    @Test func everyPrefixNeedsMoreAndConsumesNothing() throws {
        for (_, bytes) in Self.vectors {
            for length in 0..<bytes.count {
                var buffer = ByteBuffer(bytes: bytes.prefix(length))
                #expect(try Header.read(from: &buffer) == nil, "prefix \(length)")
                #expect(buffer.readableBytes == length)
                #expect(throws: ProxyProtocolError.truncated) { try Header(decoding: bytes.prefix(length)) }
            }
        }
    }

    @Test func unknownTLVsAndNoopArePreserved() throws {
        let header = Header(addresses: Self.tcp4.addresses, tlvs: [.init(type: .noop, value: []), .init(type: .init(rawValue: 0xE0), value: [1, 2])])
        #expect(try Header(decoding: Array(buffer: header.encoded())) == header)
    }

    @Test(arguments: [Array("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n".utf8), [0x0D, 0x0A, 0x0D, 0x0B], [0x47], Array("GET / HTTP/1.1\r\n\r\n".utf8)])
    func wrongSignatureIsRejectedAtTheFirstWrongByte(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: ProxyProtocolError.notProxyProtocol) { try Header.read(from: &buffer) }
        #expect(buffer.readableBytes == bytes.count)
    }

    @Test func unsupportedVersionCommandAndFamilyAreRejected() {
        #expect(throws: ProxyProtocolError.unsupportedVersion(1)) { try Header(decoding: Self.signature + [0x11, 0x11, 0, 12]) }
        #expect(throws: ProxyProtocolError.unsupportedCommand(2)) { try Header(decoding: Self.signature + [0x22, 0x11, 0, 12]) }
        for family: UInt8 in [0x12, 0x22, 0x31, 0x32, 0x01, 0xFF] {
            #expect(throws: ProxyProtocolError.unsupportedFamily(family)) { try Header(decoding: Self.signature + [0x21, family, 0, 0]) }
        }
    }

    @Test func lengthShorterThanTheAddressBlockIsRejected() {
        #expect(throws: ProxyProtocolError.addressBlockTooShort(family: 0x11, length: 11)) {
            try Header(decoding: Self.signature + [0x21, 0x11, 0, 11] + Array(repeating: 0, count: 11))
        }
        #expect(throws: ProxyProtocolError.addressBlockTooShort(family: 0x21, length: 12)) {
            try Header(decoding: Self.signature + [0x21, 0x21, 0, 12] + Array(repeating: 0, count: 12))
        }
    }

    @Test func tlvOverrunningTheHeaderIsRejected() {
        // len 12 + 4: a TLV announcing 2 value bytes but holding 1.
        let bytes = Self.signature + [0x21, 0x11, 0, 16] + Array(Self.tcp4Bytes[16...]) + [0x02, 0x00, 0x02, 0x61]
        #expect(throws: ProxyProtocolError.malformedTLV(type: 0x02)) { try Header(decoding: bytes) }
        let stub = Self.signature + [0x21, 0x11, 0, 14] + Array(Self.tcp4Bytes[16...]) + [0x05, 0x00]
        #expect(throws: ProxyProtocolError.malformedTLV(type: 0x05)) { try Header(decoding: stub) }
    }

    @Test func headerLongerThanTheLimitIsRejectedBeforeItArrives() {
        var buffer = ByteBuffer(bytes: Self.signature + [0x21, 0x11, 0x08, 0x00])
        #expect(throws: ProxyProtocolError.tooLarge(length: 2_064, limit: 1_024)) {
            try Header.read(from: &buffer, maximumLength: 1_024)
        }
    }

    @Test func trailingBytesAreRejectedByTheWholeInputDecoder() {
        #expect(throws: ProxyProtocolError.trailingBytes(1)) { try Header(decoding: Self.localBytes + [0]) }
    }

    @Test func randomGarbageNeverCrashes() {
        var generator = SeededRandom(seed: 0x9902)
        for _ in 0..<5_000 {
            var bytes = Self.withTLVsBytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 12..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            var buffer = ByteBuffer(bytes: bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            _ = try? Header.read(from: &buffer)
        }
    }
}
