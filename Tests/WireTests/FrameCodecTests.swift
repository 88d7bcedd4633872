import TestSupport
import NIOCore
import Testing
@testable import Wire

@Suite("Frame codec")
struct FrameCodecTests {
    /// One frame of every kind, with every optional field used somewhere.
    static let samples: [Frame] = {
        let address4 = PeerAddress(ipBytes: [203, 0, 113, 7], port: 51_234)!
        let address6 = PeerAddress(ipBytes: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1], port: 443)!
        let text = ByteBuffer(string: String(repeating: "portico frames compress well. ", count: 40))
        let block = LZ4.compress(text, allocator: ByteBufferAllocator())!
        return [
            .hello(SessionConfiguration().hello),
            .hello(Hello(minimumVersion: 1, maximumVersion: 3, settings: [Setting(SettingID(rawValue: 0x7777), 9)])),
            .open(StreamID(2), StreamMetadata(forward: "web"), initialData: ByteBuffer()),
            .open(
                StreamID(4),
                StreamMetadata(forward: "web", clientAddress: address4, serverName: "example.com", publicPort: 443),
                initialData: ByteBuffer(string: "GET / HTTP/1.1\r\n")),
            .open(StreamID(1), StreamMetadata(forward: "ssh", clientAddress: address6), initialData: ByteBuffer()),
            .open(StreamID(3), StreamMetadata(forward: String(repeating: "f", count: 255), serverName: String(repeating: "s", count: 255)),
                  initialData: ByteBuffer(string: "x")),
            .data(StreamID(1), .plain(ByteBuffer(string: "hello"))),
            .data(StreamID(3), .plain(ByteBuffer())),
            .data(StreamID(2), .lz4(decodedLength: text.readableBytes, block: block)),
            .windowUpdate(.connection, increment: 65_536),
            .windowUpdate(StreamID(5), increment: UInt32(FrameLimits.maximumWindow)),
            .fin(StreamID(7)),
            .rst(StreamID(3), .cancel),
            .rst(StreamID(9), WireErrorCode(rawValue: 0xFFFF)),
            .ping(0x0011_2233_4455_6677),
            .pong(.max),
            .goAway(lastStreamID: StreamID(5), code: .noError, debug: ""),
            .goAway(lastStreamID: .maximum, code: .protocolError, debug: "bad frame: ünïcode ✓"),
            .control(kind: 1, body: ByteBuffer(string: #"{"forwards":[]}"#)),
            .control(kind: 0xFFFF, body: ByteBuffer()),
            .unknown(FrameHeader(length: 5, type: FrameType(rawValue: 0x2A), flags: FrameFlags(rawValue: 0x81), streamID: StreamID(11))),
        ]
    }()

    static var sampleStream: ByteBuffer {
        var bytes = ByteBuffer()
        for frame in samples { bytes.writeFrame(frame) }
        return bytes
    }

    private static let limit = 65_536

    @Test("every frame kind decodes to exactly the frame that was encoded", arguments: samples)
    func roundTrip(_ frame: Frame) throws {
        var bytes = ByteBuffer()
        bytes.writeFrame(frame)
        var decoder = FrameDecoder(maxPayloadSize: Self.limit)
        decoder.append(bytes)
        #expect(try decoder.nextFrame() == frame)
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.bufferedBytes == 0)
    }

    @Test("the encoded header says exactly how many payload bytes follow", arguments: samples)
    func lengthFieldMatchesPayload(_ frame: Frame) {
        var bytes = ByteBuffer()
        bytes.writeFrame(frame)
        let header = bytes.readFrameHeader()!
        #expect(Int(header.length) == bytes.readableBytes)
        #expect(header.streamID == frame.streamID)
    }

    @Test("every prefix of a valid frame stream yields the whole frames in it and then waits, never throws")
    func everyPrefixNeedsMoreData() throws {
        let stream = Self.sampleStream
        var boundaries: [Int] = []
        var cursor = stream
        while let header = cursor.readFrameHeader() {
            cursor.moveReaderIndex(forwardBy: Int(header.length))
            boundaries.append(cursor.readerIndex)
        }
        #expect(boundaries.count == Self.samples.count)
        for length in 0...stream.readableBytes {
            var decoder = FrameDecoder(maxPayloadSize: Self.limit)
            decoder.append(stream.getSlice(at: 0, length: length)!)
            var frames: [Frame] = []
            while let frame = try decoder.nextFrame() { frames.append(frame) }
            let whole = boundaries.filter { $0 <= length }.count
            #expect(frames == Array(Self.samples.prefix(whole)), "prefix of \(length) bytes")
            #expect(decoder.bufferedBytes == length - (whole == 0 ? 0 : boundaries[whole - 1]))
        }
    }

    @Test("drip-feeding one byte at a time yields the same frames as one buffer")
    func dripFeed() throws {
        let run = SpecDecodeRun(Self.sampleStream, maxPayloadSize: Self.limit, chunkSize: 1)
        #expect(run.error == nil)
        #expect(run.frames == Self.samples)
        #expect(run.bufferedBytes == 0)
    }

    @Test("random chunk boundaries yield the same frames", arguments: 1...20)
    func randomChunks(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        var rest = Self.sampleStream
        var decoder = FrameDecoder(maxPayloadSize: Self.limit)
        var frames: [Frame] = []
        while rest.readableBytes > 0 {
            let size = Int(random.next() % 40) + 1
            decoder.append(rest.readSlice(length: min(size, rest.readableBytes))!)
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        #expect(frames == Self.samples)
    }

    @Test("an oversized length is rejected as soon as the header arrives, without waiting for the payload")
    func oversizedLengthRejectedOnHeader() throws {
        for limit in [FrameLimits.minimumMaxFrameSize, Self.limit, FrameLimits.maximumMaxFrameSize] {
            var decoder = FrameDecoder(maxPayloadSize: limit)
            var header = ByteBuffer()
            header.writeFrameHeader(FrameHeader(length: UInt32(limit + 1), type: .data, streamID: StreamID(1)))
            decoder.append(header.getSlice(at: 0, length: 11)!)
            #expect(try decoder.nextFrame() == nil)
            decoder.append(header.getSlice(at: 11, length: 1)!)
            let error = #expect(throws: WireProtocolError.self) { try decoder.nextFrame() }
            #expect(error?.code == .frameSizeError)

            var atLimit = FrameDecoder(maxPayloadSize: limit)
            var legal = ByteBuffer()
            legal.writeFrameHeader(FrameHeader(length: UInt32(limit), type: .data, streamID: StreamID(1)))
            atLimit.append(legal)
            #expect(try atLimit.nextFrame() == nil)
        }
    }

    @Test("2,000 seeded random buffers never crash; they yield frames that re-encode faithfully, or a connection error")
    func randomGarbage() {
        var random = SeededRandom(seed: 0x5EED)
        var outcomes = (frames: 0, errors: 0, waiting: 0)
        for round in 0..<2_000 {
            var bytes = ByteBuffer()
            if round % 2 == 0 {
                // Plausible headers reach the per-type payload checks.
                let length = Int(random.next() % 48)
                let streams: [UInt32] = [0, 1, 2, 0x8000_0001, UInt32(truncatingIfNeeded: random.next())]
                bytes.writeMultipleIntegers(
                    UInt32(length), UInt8(random.next() % 12), UInt8(truncatingIfNeeded: random.next() % 4 == 0 ? random.next() : 0),
                    UInt16(0), streams[Int(random.next() % 5)])
                bytes.writeBytes((0..<(length + Int(random.next() % 8))).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            } else {
                bytes.writeBytes((0..<Int(random.next() % 256)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            var decoder = FrameDecoder(maxPayloadSize: FrameLimits.minimumMaxFrameSize)
            decoder.append(bytes)
            do {
                while let frame = try decoder.nextFrame() {
                    outcomes.frames += 1
                    var encoded = ByteBuffer()
                    encoded.writeFrame(frame)
                    var again = FrameDecoder(maxPayloadSize: FrameLimits.minimumMaxFrameSize)
                    again.append(encoded)
                    #expect(try again.nextFrame() == frame, "round \(round)")
                }
                if decoder.bufferedBytes > 0 { outcomes.waiting += 1 }
            } catch {
                outcomes.errors += 1
                #expect([WireErrorCode.protocolError, .frameSizeError].contains(error.code), "round \(round): \(error)")
            }
        }
        #expect(outcomes.frames > 100)
        #expect(outcomes.errors > 100)
    }

    @Test("OPEN names of 255 bytes are accepted and of 256 bytes rejected")
    func openNameLengths() throws {
        for (length, accepted) in [(255, true), (256, false)] {
            var tlvs = ByteBuffer()
            tlvs.writeMultipleIntegers(UInt8(1), UInt16(length))
            tlvs.writeRepeatingByte(0x61, count: length)
            var frame = ByteBuffer()
            frame.writeFrameHeader(FrameHeader(length: UInt32(2 + tlvs.readableBytes), type: .open, streamID: StreamID(2)))
            frame.writeInteger(UInt16(tlvs.readableBytes))
            frame.writeImmutableBuffer(tlvs)
            let run = SpecDecodeRun(frame, maxPayloadSize: FrameLimits.minimumMaxFrameSize)
            if accepted {
                #expect(run.frames == [.open(StreamID(2), StreamMetadata(forward: String(repeating: "a", count: 255)), initialData: ByteBuffer())])
            } else {
                #expect(run.error?.code == .protocolError)
            }
        }
    }

    @Test("the largest OPEN metadata block is 545 bytes")
    func largestMetadata() {
        let address = PeerAddress(ipBytes: Array(repeating: 0xFF, count: 16), port: 65_535)!
        let metadata = StreamMetadata(
            forward: String(repeating: "f", count: 255), clientAddress: address,
            serverName: String(repeating: "s", count: 255), publicPort: 65_535)
        var bytes = ByteBuffer()
        bytes.writeMetadata(metadata)
        #expect(bytes.readableBytes == 545)
    }

    // MARK: HELLO negotiation and settings

    @Test("the negotiated version is the highest version both ranges contain")
    func versionNegotiation() {
        func hello(_ range: ClosedRange<UInt16>) -> Hello {
            Hello(minimumVersion: range.lowerBound, maximumVersion: range.upperBound, settings: [])
        }
        #expect(hello(1...1).negotiatedVersion(with: hello(1...1)) == 1)
        #expect(hello(1...3).negotiatedVersion(with: hello(2...5)) == 3)
        #expect(hello(2...5).negotiatedVersion(with: hello(1...3)) == 3)
        #expect(hello(1...2).negotiatedVersion(with: hello(3...4)) == nil)
    }

    @Test("absent settings take their specified defaults")
    func absentSettingsDefaults() throws {
        let peer = try PeerSettings(peer: Hello(minimumVersion: 1, maximumVersion: 1, settings: []), local: SessionConfiguration().hello)
        #expect(peer.version == 1)
        #expect(peer.maxFrameSize == 16_384)
        #expect(peer.initialStreamWindow == 65_536)
        #expect(peer.initialConnectionWindow == 65_536)
        #expect(peer.maxConcurrentStreams == 100)
        #expect(peer.capabilities == [])
    }

    @Test("the implementation advertises its configured defaults, and the last duplicate setting wins")
    func advertisedDefaults() throws {
        let hello = SessionConfiguration().hello
        #expect(hello.minimumVersion == 1 && hello.maximumVersion == 1)
        #expect(hello.value(of: .maxFrameSize) == 65_536)
        #expect(hello.value(of: .initialStreamWindow) == 262_144)
        #expect(hello.value(of: .maxConcurrentStreams) == 8_192)
        #expect(hello.value(of: .capabilities) == Capabilities.lz4.rawValue)
        #expect(hello.value(of: .initialConnectionWindow) == 1_048_576)
        let twice = Hello(minimumVersion: 1, maximumVersion: 1, settings: [Setting(.maxFrameSize, 20_000), Setting(.maxFrameSize, 30_000)])
        #expect(try PeerSettings(peer: twice, local: hello).maxFrameSize == 30_000)
    }

    @Test("invalid settings and disjoint versions are connection errors with the specified codes")
    func invalidSettings() {
        let local = SessionConfiguration().hello
        let cases: [([Setting], UInt16, WireErrorCode)] = [
            ([Setting(.maxFrameSize, 16_383)], 1, .protocolError),
            ([Setting(.maxFrameSize, 16_777_216)], 1, .protocolError),
            ([Setting(.initialStreamWindow, 0x8000_0000)], 1, .flowControlError),
            ([Setting(.initialConnectionWindow, 0x8000_0000)], 1, .flowControlError),
            ([], 2, .versionMismatch),
        ]
        for (settings, version, code) in cases {
            let peer = Hello(minimumVersion: version, maximumVersion: version, settings: settings)
            let error = #expect(throws: WireProtocolError.self) { try PeerSettings(peer: peer, local: local) }
            #expect(error?.code == code)
        }
        let edges = Hello(minimumVersion: 1, maximumVersion: 1, settings: [
            Setting(.maxFrameSize, 16_777_215), Setting(.initialStreamWindow, 0x7FFF_FFFF), Setting(.initialConnectionWindow, 0),
            Setting(SettingID(rawValue: 0xABCD), 1),
        ])
        #expect(throws: Never.self) { try PeerSettings(peer: edges, local: local) }
    }

    // MARK: LZ4

    @Test("LZ4 compresses repetitive data and decompresses it to the same bytes")
    func lz4RoundTrip() throws {
        let allocator = ByteBufferAllocator()
        for count in [64, 100, 4_096, 65_536] {
            let text = ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 % 7 + ($0 / 100) % 3) })
            let block = try #require(LZ4.compress(text, allocator: allocator))
            #expect(block.readableBytes < text.readableBytes)
            #expect(try LZ4.decompress(block, decodedLength: text.readableBytes, allocator: allocator) == text)
        }
    }

    @Test("LZ4 declines input that would not shrink, and empty input")
    func lz4Incompressible() {
        var random = SeededRandom(seed: 7)
        let noise = ByteBuffer(bytes: (0..<4_096).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        #expect(LZ4.compress(noise, allocator: ByteBufferAllocator()) == nil)
        #expect(LZ4.compress(ByteBuffer(), allocator: ByteBufferAllocator()) == nil)
        #expect(LZ4.compress(ByteBuffer(bytes: [1]), allocator: ByteBufferAllocator()) == nil)
    }

    @Test("every truncation of an LZ4 block throws rather than crashing or returning short data")
    func lz4Truncated() throws {
        let allocator = ByteBufferAllocator()
        let text = ByteBuffer(string: String(repeating: "truncate me, please. ", count: 50))
        let block = try #require(LZ4.compress(text, allocator: allocator))
        for length in 0..<block.readableBytes {
            #expect(throws: WireProtocolError.self, "block cut to \(length) bytes") {
                try LZ4.decompress(block.getSlice(at: block.readerIndex, length: length)!, decodedLength: text.readableBytes, allocator: allocator)
            }
        }
    }

    @Test("corrupt LZ4 blocks either throw PROTOCOL_ERROR or decode to exactly the announced length")
    func lz4Corrupt() throws {
        let allocator = ByteBufferAllocator()
        let text = ByteBuffer(string: String(repeating: "corrupt me if you can. ", count: 60))
        let block = try #require(LZ4.compress(text, allocator: allocator))
        var random = SeededRandom(seed: 99)
        var failures = 0
        for round in 0..<2_000 {
            var bytes = Array(block.readableBytesView)
            if round % 4 == 0 {
                bytes = (0..<Int(random.next() % 64 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                for _ in 0..<Int(random.next() % 4 + 1) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            let length = round % 8 == 0 ? Int(random.next() % 4_096) : text.readableBytes
            do {
                let decoded = try LZ4.decompress(ByteBuffer(bytes: bytes), decodedLength: length, allocator: allocator)
                #expect(decoded.readableBytes == length)
            } catch {
                failures += 1
                #expect(error.code == .protocolError)
            }
        }
        #expect(failures > 100)
    }

    @Test("a compressed DATA payload (4-byte length + block) is smaller than the plain bytes it replaces")
    func lz4PayloadNeverLargerThanPlain() {
        // COMP-3 and LIMIT-2: the 4-byte length plus the block must stay below the
        // plain size, or a full-size frame would exceed the peer's MAX_FRAME_SIZE.
        // Inputs ending in 75-78 repeated bytes once compressed to exactly the edge.
        var random = SeededRandom(seed: 3)
        let noise = (0..<16_384).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var compressed = 0
        for repeated in stride(from: 0, through: 400, by: 1) {
            var input = noise
            input.replaceSubrange((16_384 - repeated)..., with: noise.prefix(repeated))
            guard let block = LZ4.compress(ByteBuffer(bytes: input), allocator: ByteBufferAllocator()) else { continue }
            compressed += 1
            #expect(4 + block.readableBytes < input.count, "\(repeated) repeated bytes: block of \(block.readableBytes)")
        }
        #expect(compressed > 0, "no input compressed, so the bound was never exercised")
    }

    /// Found by the frame decoder's fuzzer (docs/fuzzing.md): invalid UTF-8
    /// in GOAWAY debug data comes out as U+FFFD, three bytes for one, so
    /// the text is longer than the bytes it came from. A receiver may do
    /// that; what it re-encodes must still fit every legal MAX_FRAME_SIZE.
    @Test("GOAWAY debug data that is not UTF-8 decodes with replacement characters; re-encoded it stays within 1,024 bytes")
    func goAwayDebugInvalidUTF8() throws {
        for count in [22, 1024, 4000] {
            var bytes = ByteBuffer()
            _ = bytes.writeFrameHeader(FrameHeader(length: UInt32(8 + count), type: .goAway, streamID: .connection))
            bytes.writeInteger(UInt32(2))
            bytes.writeInteger(WireErrorCode.protocolError.rawValue)
            bytes.writeBytes(Array(repeating: 0xE6, count: count))  // lead bytes with no continuation
            var decoder = FrameDecoder(maxPayloadSize: Self.limit)
            decoder.append(bytes)
            guard case .goAway(_, _, let debug) = try decoder.nextFrame() else {
                Issue.record("no GOAWAY for \(count) bytes of debug data")
                continue
            }
            #expect(debug.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" } && debug.utf8.count > count)
            var encoded = ByteBuffer()
            encoded.writeFrame(.goAway(lastStreamID: StreamID(2), code: .protocolError, debug: debug))
            let header = encoded.readFrameHeader()
            #expect(header.map { Int($0.length) <= 8 + FrameLimits.maximumDebugBytes } == true)
        }
    }
}
