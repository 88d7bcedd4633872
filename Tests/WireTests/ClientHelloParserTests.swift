import TestSupport
import NIOCore
import Testing
@testable import Wire

@Suite("ClientHelloParser")
struct ClientHelloParserTests {
    typealias Builder = ClientHelloBuilder
    let parser = ClientHelloParser()

    func info(_ bytes: [UInt8], parser: ClientHelloParser = ClientHelloParser()) throws -> ClientHelloInfo? {
        try parser.parse(bytes).value
    }

    func expectError(_ expected: ClientHelloError, _ bytes: [UInt8], parser: ClientHelloParser = ClientHelloParser(),
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try parser.parse(bytes) }
    }

    func expectMalformed(_ bytes: [UInt8], containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let result = try parser.parse(bytes)
            Issue.record("expected malformed(\(fragment)), got \(result)", sourceLocation: sourceLocation)
        } catch {
            guard case .malformed(let reason) = error else {
                Issue.record("expected malformed(\(fragment)), got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(reason.contains(fragment), "reason: \(reason)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Success paths

    @Test func extractsServerNameALPNAndVersionsFromOneRecord() throws {
        let result = try parser.parse(Builder().records())
        #expect(result == .complete(ClientHelloInfo(
            serverName: "blog.example.com", alpnProtocols: ["h2", "http/1.1"],
            legacyVersion: 0x0303, supportedVersions: [0x0304, 0x0303]
        )))
        #expect(result.value?.offersTLS13 == true)
    }

    @Test func serverNameIsLowercased() throws {
        var builder = Builder()
        builder.extensions = [Builder.serverName("Blog.EXAMPLE.com")]
        #expect(try info(builder.records())?.serverName == "blog.example.com")
    }

    @Test func helloWithoutExtensionsHasNoServerNameOrALPN() throws {
        var builder = Builder()
        builder.extensions = nil
        let parsed = try #require(try info(builder.records()))
        #expect(parsed.serverName == nil)
        #expect(parsed.alpnProtocols.isEmpty)
        #expect(parsed.supportedVersions.isEmpty)
        #expect(!parsed.offersTLS13)
    }

    @Test func emptyExtensionsBlockAndUnknownExtensionsAreAccepted() throws {
        var builder = Builder()
        builder.extensions = []
        #expect(try info(builder.records())?.serverName == nil)
        builder.extensions = [(0x0A0A, []), (0xFF01, [0]), Builder.serverName("a.example"), (21, Array(repeating: 0, count: 300))]
        #expect(try info(builder.records())?.serverName == "a.example")
    }

    @Test func serverNameListSkipsOtherNameTypesBesideHostName() throws {
        var builder = Builder()
        builder.extensions = [Builder.serverNameEntries([(7, [1, 2, 3]), (0, Array("x.example".utf8))])]
        #expect(try info(builder.records())?.serverName == "x.example")
    }

    @Test func sslv3AndTLS10RecordVersionsAreAccepted() throws {
        for version: UInt16 in [0x0300, 0x0301, 0x0302, 0x0303] {
            var builder = Builder()
            builder.recordVersion = version
            builder.legacyVersion = version
            #expect(try info(builder.records())?.serverName == "blog.example.com")
        }
    }

    @Test(arguments: ["a.b", "localhost", "xn--bcher-kva.example", "a1-b2.c3", "x.123a",
                      String(repeating: "a", count: 63) + ".com",
                      (0..<4).map { _ in String(repeating: "b", count: 62) }.joined(separator: ".") + ".c"])
    func acceptsValidHostNames(_ name: String) throws {
        #expect(name.utf8.count <= 253)
        var builder = Builder()
        builder.extensions = [Builder.serverName(name)]
        #expect(try info(builder.records())?.serverName == name.lowercased())
    }

    // MARK: Not consuming, prefixes, fragmentation

    @Test func parsingLeavesTheCallersBufferUntouched() throws {
        let bytes = Builder().records()
        var buffer = ByteBuffer(bytes: [0xEE, 0xEE] + bytes)
        buffer.moveReaderIndex(forwardBy: 2)
        let before = buffer
        _ = try parser.parse(buffer)
        #expect(buffer == before)
        #expect(buffer.readerIndex == 2)
        #expect(buffer.readableBytes == bytes.count)
    }

    @Test func everyStrictPrefixNeedsMoreData() throws {
        var withTrailingPadding = Builder()
        withTrailingPadding.extensions?.append((21, Array(repeating: 0, count: 40)))
        for bytes in [Builder().records(), withTrailingPadding.records()] {
            for length in 0..<bytes.count {
                #expect(try parser.parse(bytes.prefix(length)) == .needMoreData, "prefix \(length)")
            }
            #expect(try parser.parse(bytes).value?.serverName == "blog.example.com")
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 33, 100, 255])
    func helloSplitAcrossManyRecordsParses(fragmentSize: Int) throws {
        let bytes = Builder().records(fragmentSize: fragmentSize)
        for length in 0..<bytes.count where length % 3 == 0 || length > bytes.count - 12 {
            #expect(try parser.parse(bytes.prefix(length)) == .needMoreData, "prefix \(length)")
        }
        #expect(try info(bytes)?.serverName == "blog.example.com")
        #expect(try info(bytes)?.alpnProtocols == ["h2", "http/1.1"])
    }

    @Test func bytesAfterTheHelloAreIgnored() throws {
        let bytes = Builder().records() + [0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0xFF, 0xFF]
        #expect(try info(bytes)?.serverName == "blog.example.com")
    }

    // MARK: Record layer errors

    @Test(arguments: [[UInt8]("GET / HTTP/1.1\r\n".utf8), [0x80, 0x2E, 0x01, 0x03, 0x01], [0x17, 0x03, 0x03], [0x15], [0x00]])
    func nonHandshakeFirstRecordIsNotTLS(_ bytes: [UInt8]) {
        expectError(.notTLS, bytes)
    }

    @Test func recordVersionMajorOtherThan3IsNotTLS() {
        expectError(.notTLS, [0x16, 0x02])
        expectError(.notTLS, [0x16, 0x7F, 0x01, 0x00, 0x10])
    }

    @Test func recordVersionMinorAbove4IsMalformed() {
        expectMalformed([0x16, 0x03, 0x05], containing: "record version")
    }

    @Test func zeroLengthRecordIsMalformed() {
        expectMalformed([0x16, 0x03, 0x01, 0x00, 0x00], containing: "empty handshake record")
    }

    @Test func recordLongerThan2To14IsMalformed() {
        expectMalformed([0x16, 0x03, 0x01, 0x40, 0x01], containing: "exceeds 2^14")
    }

    @Test func nonHandshakeRecordInsideTheHelloIsMalformed() {
        let handshake = Builder().handshake
        let bytes = Builder.wrap(Array(handshake.prefix(10)), fragmentSize: 100) + [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]
        expectMalformed(bytes, containing: "content type 21")
    }

    // MARK: Handshake errors

    @Test func handshakeOtherThanClientHelloIsRejectedFromItsFirstByte() {
        var builder = Builder()
        builder.handshakeType = 2
        expectMalformed(Array(builder.records().prefix(6)), containing: "is not ClientHello")
    }

    @Test func legacyVersionThatIsNotTLSIsMalformed() {
        var builder = Builder()
        builder.legacyVersion = 0x0200
        expectMalformed(builder.records(), containing: "legacy_version")
    }

    @Test func sessionIDLongerThan32IsMalformed() {
        var builder = Builder()
        builder.sessionID = Array(repeating: 1, count: 33)
        expectMalformed(builder.records(), containing: "legacy_session_id")
    }

    @Test func cipherSuitesMustBeEvenAndNonEmpty() {
        var builder = Builder()
        builder.cipherSuites = []
        expectMalformed(builder.records(), containing: "cipher_suites")
        // Odd length: patch the length field to one less than written.
        var handshake = Builder().handshake
        let offset = 4 + 2 + 32 + 1 + 32
        handshake[offset + 1] -= 1
        expectMalformed(Builder.wrap(handshake, fragmentSize: 16_384), containing: "cipher_suites")
    }

    @Test func compressionMethodsMustNotBeEmpty() {
        var builder = Builder()
        builder.compressionMethods = []
        expectMalformed(builder.records(), containing: "compression")
    }

    @Test func handshakeShorterThanItsFieldsIsMalformed() {
        // A declared handshake length of 10 cannot hold legacy_version + random.
        let handshake: [UInt8] = [1, 0, 0, 10, 3, 3] + Array(repeating: 0, count: 8)
        expectMalformed(Builder.wrap(handshake, fragmentSize: 100), containing: "random")
    }

    @Test func extensionsLengthOverrunningTheHelloIsMalformed() {
        var handshake = Builder().handshake
        let extensionsLengthOffset = handshake.count - Builder().extensions!.reduce(0) { $0 + 4 + $1.data.count } - 2
        handshake[extensionsLengthOffset + 1] &+= 1
        expectMalformed(Builder.wrap(handshake, fragmentSize: 16_384), containing: "extensions length")
    }

    @Test func extensionDataOverrunningTheBlockIsMalformed() {
        var builder = Builder()
        builder.extensions = [(0xFF01, [0])]
        var handshake = builder.handshake
        handshake[handshake.count - 3] = 0x01 // extension length 0x0101
        expectMalformed(Builder.wrap(handshake, fragmentSize: 16_384), containing: "overruns")
    }

    @Test func bytesAfterExtensionsAreMalformed() {
        var builder = Builder()
        builder.extensions = [(0xFF01, [0])]
        var handshake = builder.handshake + [0xAB]
        handshake[3] &+= 1 // grow the handshake length to include the trailing byte
        expectMalformed(Builder.wrap(handshake, fragmentSize: 16_384), containing: "does not match")
    }

    // MARK: Extension errors

    @Test func duplicateServerNameExtensionIsMalformed() {
        var builder = Builder()
        builder.extensions = [Builder.serverName("a.example"), Builder.serverName("b.example")]
        expectMalformed(builder.records(), containing: "duplicate extension 0")
    }

    @Test func duplicateOtherExtensionIsMalformed() {
        var builder = Builder()
        builder.extensions = [(0xFF01, [0]), (0xFF01, [0])]
        expectMalformed(builder.records(), containing: "duplicate extension")
    }

    @Test func serverNameWithOnlyNonHostNameTypeIsMalformed() {
        var builder = Builder()
        builder.extensions = [Builder.serverNameEntries([(1, Array("a.example".utf8))])]
        expectMalformed(builder.records(), containing: "no host_name")
    }

    @Test func serverNameListWithTwoHostNamesIsMalformed() {
        var builder = Builder()
        builder.extensions = [Builder.serverNameEntries([(0, Array("a.example".utf8)), (0, Array("b.example".utf8))])]
        expectMalformed(builder.records(), containing: "two names of type 0")
    }

    @Test func emptyServerNameExtensionAndListAreMalformed() {
        var builder = Builder()
        builder.extensions = [(0, [])]
        expectMalformed(builder.records(), containing: "server_name_list")
        builder.extensions = [(0, [0, 0])]
        expectMalformed(builder.records(), containing: "empty server_name_list")
        builder.extensions = [Builder.serverNameEntries([(0, [])])]
        expectMalformed(builder.records(), containing: "empty")
    }

    @Test(arguments: ["bad_name.com", "-a.com", "a-.com", "a..b", "1.2.3.4", ".a.com", "a.com.", "ex ample.com",
                      "caf\u{E9}.example", "a\u{0}b.com", "a.b/c", "[::1]", "10.0.0.1",
                      String(repeating: "a", count: 64) + ".com",
                      (0..<4).map { _ in String(repeating: "b", count: 63) }.joined(separator: ".") + ".cc"])
    func rejectsInvalidHostNames(_ name: String) {
        var builder = Builder()
        builder.extensions = [Builder.serverName(name)]
        expectMalformed(builder.records(), containing: "SNI host name")
    }

    @Test func alpnListAndNamesMustNotBeEmpty() {
        var builder = Builder()
        builder.extensions = [(16, [0, 0])]
        expectMalformed(builder.records(), containing: "empty ALPN protocol_name_list")
        builder.extensions = [(16, [0, 1, 0])]
        expectMalformed(builder.records(), containing: "empty ALPN protocol name")
        builder.extensions = [(16, [0, 3, 5, 0x68, 0x32])]
        expectMalformed(builder.records(), containing: "overruns")
    }

    @Test func supportedVersionsMustBeEvenAndNonEmpty() {
        var builder = Builder()
        builder.extensions = [(43, [3, 3, 4, 3])]
        expectMalformed(builder.records(), containing: "supported_versions")
        builder.extensions = [(43, [0])]
        expectMalformed(builder.records(), containing: "supported_versions")
    }

    // MARK: Limits

    @Test func declaredHandshakeLargerThanTheLimitIsTooLargeAtOnce() {
        let bytes: [UInt8] = [22, 3, 1, 0x40, 0x00, 1, 0xFF, 0xFF, 0xFF]
        expectError(.tooLarge(limit: 16_384), bytes)
    }

    @Test func limitIsConfigurableAndCountsRecordHeaders() throws {
        let bytes = Builder().records()
        #expect(try info(bytes, parser: ClientHelloParser(maximumLength: bytes.count))?.serverName == "blog.example.com")
        expectError(.tooLarge(limit: bytes.count - 1), bytes, parser: ClientHelloParser(maximumLength: bytes.count - 1))
        // The same hello in 1-byte records needs about six times the room.
        let fragmented = Builder().records(fragmentSize: 1)
        expectError(.tooLarge(limit: bytes.count), fragmented, parser: ClientHelloParser(maximumLength: bytes.count))
        #expect(try info(fragmented, parser: ClientHelloParser(maximumLength: fragmented.count)) != nil)
    }

    @Test func endlessTinyRecordsStopAtTheLimit() {
        // A handshake header announcing 16,000 bytes, then 1-byte records forever.
        var bytes = Builder.wrap([1, 0, 0x3E, 0x80], fragmentSize: 4)
        for _ in 0..<4_000 { bytes += [22, 3, 1, 0, 1, 0] }
        expectError(.tooLarge(limit: 16_384), bytes)
    }

    // MARK: Garbage

    @Test func randomGarbageNeverCrashes() {
        var generator = SeededRandom(seed: 0xC11E47)
        for _ in 0..<3_000 {
            let length = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty, Bool.random(using: &generator) { bytes[0] = 22 }
            if bytes.count > 2, Bool.random(using: &generator) { bytes[1] = 3; bytes[2] = 1 }
            _ = try? parser.parse(bytes)
        }
    }

    @Test func mutatedValidHellosNeverCrash() throws {
        var generator = SeededRandom(seed: 42)
        let valid = Builder().records(fragmentSize: 40)
        var outcomes = (complete: 0, more: 0, failed: 0)
        for _ in 0..<5_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            switch Result(catching: { try parser.parse(bytes) }) {
            case .success(.complete): outcomes.complete += 1
            case .success(.needMoreData): outcomes.more += 1
            case .failure: outcomes.failed += 1
            }
        }
        #expect(outcomes.failed > 0)
        #expect(outcomes.more > 0)
    }
}
