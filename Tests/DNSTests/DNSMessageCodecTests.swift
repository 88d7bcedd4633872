import DNS
import Testing

@Suite("DNS message codec: RFC 1035 encoding, compression, and peer input that must not crash")
struct DNSMessageCodecTests {
    let name = try! DNSDomainName("_portico.example.com")

    @Test("a TXT answer with several strings and a CNAME round-trips, names compressed")
    func roundTrip() throws {
        let target = try DNSDomainName("verify.example.net")
        let message = DNSMessage(
            id: 0xBEEF, flags: DNSFlags(isResponse: true, recursionDesired: true, recursionAvailable: true),
            questions: [DNSQuestion(name: name, type: .txt)],
            answers: [
                DNSRecord(name: name, ttl: 300, data: .cname(target)),
                DNSRecord(name: target, ttl: 60, data: .txt([Array("portico-verify=".utf8), Array("abc".utf8)])),
            ])
        let bytes = try DNSMessageEncoder.encode(message)
        #expect(try DNSMessageDecoder.decode(bytes) == message)
        // The answer's owner is a two-byte pointer to the question's name (offset 12).
        let questionEnd = 12 + name.wireLength + 4
        #expect(Array(bytes[questionEnd..<questionEnd + 2]) == [0xC0, 12])
        #expect(message.answers[1].joinedText == Array("portico-verify=abc".utf8))
    }

    @Test("names compare without case: a response spelling the question in other case matches it")
    func caseInsensitiveNames() throws {
        #expect(try DNSDomainName("_Portico.EXAMPLE.com.") == name)
        #expect(try DNSDomainName("_Portico.EXAMPLE.com").description == "_portico.example.com")
        var bytes = try DNSMessageEncoder.encode(.query(id: 1, name: name, type: .txt))
        bytes[14] = UInt8(ascii: "P")  // "_portico" → "_Portico" on the wire (12 header bytes, 1 length)
        #expect(try DNSMessageDecoder.decode(bytes).questions.first?.name == name)
    }

    @Test("a compression pointer to itself, or forwards, is refused, not followed")
    func pointerLoop() {
        // Header with one question whose name is a pointer to its own offset 12.
        let selfLoop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 16, 0, 1]
        #expect(throws: DNSParseError.badPointer(at: 12, target: 12)) { try DNSMessageDecoder.decode(selfLoop) }
        let forward: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 0, 16, 0, 1]
        #expect(throws: DNSParseError.badPointer(at: 12, target: 14)) { try DNSMessageDecoder.decode(forward) }
    }

    @Test("two names pointing at each other (a loop through labels) are refused")
    func pointerCycle() {
        // Question 1 at 12: label "a" then a pointer back to 12 (its own start):
        // a reader that only checked "target < pointer" would loop forever.
        let cycle: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, UInt8(ascii: "a"), 0xC0, 12, 0, 16, 0, 1]
        #expect(throws: DNSParseError.badPointer(at: 14, target: 12)) { try DNSMessageDecoder.decode(cycle) }
    }

    @Test("every truncation of a valid answer is refused with an error")
    func truncation() throws {
        let message = DNSMessage(
            id: 7, flags: DNSFlags(isResponse: true), questions: [DNSQuestion(name: name, type: .txt)],
            answers: [.txt(name, "portico-verify=0123456789")])
        let bytes = try DNSMessageEncoder.encode(message)
        for length in 0..<bytes.count {
            #expect(throws: DNSParseError.self) { try DNSMessageDecoder.decode(Array(bytes.prefix(length))) }
        }
    }

    @Test("a header announcing more entries than the message can hold is refused before reading them")
    func oversizedCounts() {
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(throws: DNSParseError.countsExceedMessage(counts: [1, 65535, 0, 0], bytes: 12)) {
            try DNSMessageDecoder.decode(header)
        }
    }

    @Test("a TXT string that runs past its record, and a name over 255 bytes, are refused")
    func malformedData() throws {
        var bytes = try DNSMessageEncoder.encode(DNSMessage(
            id: 7, flags: DNSFlags(isResponse: true), answers: [.txt(name, "abc")]))
        bytes[bytes.count - 4] = 10  // the string claims 10 bytes of the record's 4
        #expect(throws: DNSParseError.self) { try DNSMessageDecoder.decode(bytes) }

        // 5 labels of 63 bytes: 321 bytes of name.
        var long: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { long += [63] + Array(repeating: UInt8(ascii: "a"), count: 63) }
        long += [0, 0, 16, 0, 1]
        #expect(throws: DNSParseError.nameTooLong(at: 12)) { try DNSMessageDecoder.decode(long) }
        #expect(throws: DNSNameError.labelTooLong(64)) { try DNSDomainName(String(repeating: "a", count: 64) + ".com") }
    }

    @Test("a long TXT value is cut into 255-byte strings and joined back whole")
    func longText() throws {
        let text = String(repeating: "x", count: 600)
        let record = DNSRecord.txt(name, text)
        guard case .txt(let strings) = record.data else { Issue.record("not TXT"); return }
        #expect(strings.map(\.count) == [255, 255, 90])
        let bytes = try DNSMessageEncoder.encode(DNSMessage(id: 1, flags: DNSFlags(isResponse: true), answers: [record]))
        #expect(try DNSMessageDecoder.decode(bytes).answers.first?.joinedText == Array(text.utf8))
    }
}
