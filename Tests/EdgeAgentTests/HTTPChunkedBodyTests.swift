import NIOCore
import Testing
import Wire

@testable import EdgeAgent

/// A chunked body is read strictly so that the edge and the home's server
/// agree on where it ends ([SEC-8]), and forwarding headers cannot come in
/// as trailers ([SEC-7]).
@Suite("HTTP port: chunked bodies are framed strictly")
struct HTTPChunkedBodyTests {
    static let head = "POST /c HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n"
    static let next = "GET /next HTTP/1.1\r\nHost: a.example\r\n\r\n"

    /// Feeds `body` after a first request whose head is `head`, whole or one
    /// byte at a time.
    static func run(_ body: String, dripped: Bool) throws -> (forwarded: String, stop: HTTPRequestSequence.Stop?) {
        let bytes = Array((head + body).utf8)
        guard case .complete(let parsed) = try HTTPHeadParser().parse(bytes) else { throw HTTPHeadError.tooLarge(limit: 0) }
        var sequence = try HTTPRequestSequence(first: parsed) { $0.host == "a.example" }
        let rest = bytes[parsed.headLength...]
        var forwarded: [UInt8] = []
        for piece in dripped ? rest.indices.map({ rest[$0...$0] }) : [rest] {
            let output = sequence.feed(ByteBuffer(bytes: piece))
            forwarded += output.forward.readableBytesView
            if let stop = output.stop { return (String(decoding: forwarded, as: UTF8.self), stop) }
        }
        return (String(decoding: forwarded, as: UTF8.self), nil)
    }

    /// Bodies a lenient server reads differently from a strict one, and
    /// what of each may reach the home before the connection ends.
    static let smuggling: [(String, String)] = [
        // The attack of the review: nginx ends the size line at the bare LF.
        ("80;x\n" + String(repeating: "A", count: 126) + "\r\n", ""),
        ("5\n", ""),
        ("5\rhello\r\n", ""),
        ("5;a=b\rc\r\nhello\r\n", ""),
        ("5;a=\"b\nc\"\r\nhello\r\n", ""),
        ("5 \r\nhello\r\n", ""),
        ("5;\r\nhello\r\n", ""),
        ("0x5\r\nhello\r\n", ""),
        ("-5\r\nhello\r\n", ""),
        ("80000000\r\n", ""),
        ("1000000000000005\r\nhello\r\n", ""),
        ("00000000000000005\r\nhello\r\n", ""),
        ("5\r\nhello\r\n0\r\nX-Sum: 1\n\r\n", "5\r\nhello\r\n0\r\n"),
        ("5\r\nhello\r\n0\r\nX-Sum: 1\r\r\n\r\n", "5\r\nhello\r\n0\r\n"),
        ("0\r\n X-Folded: 1\r\n\r\n", "0\r\n"),
        ("0\r\nX-Sum : 1\r\n\r\n", "0\r\n"),
        ("0\r\nno colon\r\n\r\n", "0\r\n"),
        ("0\r\n\n", "0\r\n"),
    ]

    @Test("a bare CR or LF in a chunk-size line, extension or trailer, a size out of range or a bad trailer ends it", arguments: smuggling)
    func strictLinesEndTheConnection(body: String, passing: String) throws {
        for dripped in [false, true] {
            let result = try Self.run(body + Self.next, dripped: dripped)
            guard case .malformed = result.stop else {
                Issue.record("not stopped as malformed (dripped \(dripped)): \(String(describing: result.stop)) for \(body.debugDescription)")
                continue
            }
            #expect(result.forwarded == passing, "dripped \(dripped)")
        }
    }

    @Test("valid sizes, extensions and trailers pass whole", arguments: [false, true])
    func validBodiesPass(dripped: Bool) throws {
        let body = "5;name;a=b;q=\"x;\\\"y\" ;  b = c\r\nhello\r\nA\r\n0123456789\r\n7fffffff;x\r\n"
        let result = try Self.run(body, dripped: dripped)
        #expect(result.stop == nil)
        #expect(result.forwarded == body)
        let ended = "00005\r\nhello\r\n0\r\nX-Sum: 1\r\nServer-Timing: a;dur=1\r\n\r\n"
        let whole = try Self.run(ended + Self.next, dripped: dripped)
        #expect(whole.stop == nil)
        #expect(whole.forwarded == ended + Self.next)
    }

    @Test("forwarding headers sent as trailers are dropped, in any spelling; other trailers stay", arguments: [false, true])
    func forwardingTrailersDropped(dripped: Bool) throws {
        let body = "5\r\nhello\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\nX-Sum: 1\r\nx_real_ip: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
            + "X-Forwarded_Proto: https\r\nX-Forwarded-Host: bank.example\r\n\r\n"
        let result = try Self.run(body + Self.next, dripped: dripped)
        #expect(result.stop == nil)
        #expect(result.forwarded == "5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n" + Self.next)
    }

    @Test("trailers are bounded like a head")
    func trailersBounded() throws {
        let result = try Self.run("0\r\nX-Pad: " + String(repeating: "p", count: HTTPChunkedBody.maximumTrailers) + "\r\n\r\n", dripped: false)
        guard case .malformed = result.stop else { Issue.record("not malformed: \(String(describing: result.stop))"); return }
        #expect(result.forwarded == "0\r\n")
    }
}
