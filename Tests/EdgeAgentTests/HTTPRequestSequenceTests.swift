import NIOCore
import Testing
import Wire

@testable import EdgeAgent

@Suite("HTTP port: later requests on a connection stay with the first one's destination")
struct HTTPRequestSequenceTests {
    static func request(_ host: String, _ rest: String = "", path: String = "/") -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(rest)\r\n"
    }

    static func post(_ host: String, body: String) -> String {
        "POST /upload HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static func chunked(_ host: String, chunks: [String], trailers: String = "") -> String {
        var text = "POST /c HTTP/1.1\r\nHost: \(host)\r\nTransfer-Encoding: chunked\r\n\r\n"
        for chunk in chunks { text += String(chunk.utf8.count, radix: 16) + ";ext=1\r\n" + chunk + "\r\n" }
        return text + "0\r\n" + trailers + "\r\n"
    }

    /// Starts after `first` (whose head the listener parsed) and feeds the
    /// rest, either at once or one byte at a time.
    static func run(_ first: String, then later: String, dripped: Bool) throws -> (forwarded: String, stop: HTTPRequestSequence.Stop?) {
        let bytes = Array((first + later).utf8)
        guard case .complete(let head) = try HTTPHeadParser().parse(bytes) else { throw HTTPHeadError.tooLarge(limit: 0) }
        var sequence = try HTTPRequestSequence(first: head) { $0.host == "a.example" }
        let rest = bytes[head.headLength...]
        var forwarded: [UInt8] = []
        let pieces: [ArraySlice<UInt8>] = dripped ? rest.indices.map { rest[$0...$0] } : [rest]
        for piece in pieces {
            let output = sequence.feed(ByteBuffer(bytes: piece))
            forwarded += output.forward.readableBytesView
            if let stop = output.stop { return (String(decoding: forwarded, as: UTF8.self), stop) }
        }
        return (String(decoding: forwarded, as: UTF8.self), nil)
    }

    @Test("requests for the same host pass whole, however the bytes arrive", arguments: [false, true])
    func sameHostPasses(dripped: Bool) throws {
        let later = Self.request("a.example", "Cookie: a=1\r\n", path: "/2") + Self.post("A.EXAMPLE:80", body: "hello")
            + Self.chunked("a.example", chunks: ["abc", "defgh"], trailers: "X-Sum: 1\r\n") + "\r\n" + Self.request("a.example")
        let result = try Self.run(Self.request("a.example"), then: later, dripped: dripped)
        #expect(result.stop == nil)
        #expect(result.forwarded == later)
    }

    @Test("a request for another host stops the sequence before its first byte", arguments: [false, true])
    func otherHostStops(dripped: Bool) throws {
        let allowed = Self.post("a.example", body: "x=1")
        let result = try Self.run(Self.request("a.example"), then: allowed + Self.request("b.example", "Cookie: secret=b\r\n") + Self.request("a.example"), dripped: dripped)
        #expect(result.stop == .otherDestination(host: "b.example"))
        #expect(result.forwarded == allowed)
    }

    @Test("a body that looks like a request for another host is only a body", arguments: [false, true])
    func bodiesAreNotJudged(dripped: Bool) throws {
        let disguised = Self.request("b.example")
        let later = Self.post("a.example", body: disguised) + Self.chunked("a.example", chunks: [disguised, "GET"]) + Self.request("a.example")
        let result = try Self.run(Self.request("a.example"), then: later, dripped: dripped)
        #expect(result.stop == nil)
        #expect(result.forwarded == later)
    }

    @Test("the first request's own body is skipped before the next head is judged")
    func firstBodySkipped() throws {
        let first = Self.post("a.example", body: Self.request("b.example"))
        let head = String(first.prefix(while: { $0 != "G" }))
        let result = try Self.run(head, then: String(first.dropFirst(head.count)) + Self.request("b.example"), dripped: false)
        #expect(result.stop == .otherDestination(host: "b.example"))
        #expect(result.forwarded == Self.request("b.example"))
    }

    /// Later requests whose framing is wrong, and how many of their bytes
    /// may go before the stop (a head with ambiguous framing: none).
    static let badFraming: [(String, Int)] = [
        ("POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 0),
        ("POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0),
        ("POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 0),
        ("POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: -1\r\n\r\n", 0),
        ("POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: +5\r\n\r\nhello", 0),
        ("GET / HTTP/1.1\nHost: a.example\n\n", 0),
        ("GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", 0),
        // The head (64 bytes) is fine; a bad chunk-size line is held and
        // never goes ([SEC-8]); chunk data goes as it comes, up to the
        // byte where its CRLF should be.
        ("POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 64),
        ("POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 64 + 4),
    ]

    @Test("ambiguous or unknown framing stops the sequence, and an ambiguous head never reaches the home", arguments: badFraming)
    func ambiguousFramingStops(later: String, passing: Int) throws {
        let result = try Self.run(Self.request("a.example"), then: later, dripped: false)
        guard case .malformed = result.stop else {
            Issue.record("not stopped as malformed: \(String(describing: result.stop))")
            return
        }
        #expect(result.forwarded.utf8.count == passing, "forwarded: \(result.forwarded)")
    }

    @Test("an Upgrade or CONNECT the server did not honour lets no request for another host through", arguments: [
        "Upgrade: websocket\r\nConnection: upgrade\r\n", "Upgrade: h2c\r\n",
    ])
    func refusedUpgradeIsStillJudged(upgrade: String) throws {
        let asking = Self.request("a.example", upgrade)
        let result = try Self.run(Self.request("a.example"), then: asking + Self.request("b.example"), dripped: false)
        #expect(result.stop == .otherDestination(host: "b.example"))
        #expect(result.forwarded == asking)
        let connect = "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n"
        let tunnelled = try Self.run(Self.request("a.example"), then: connect + Self.request("b.example"), dripped: true)
        #expect(tunnelled.stop == .otherDestination(host: "b.example"))
        // A request for the same host after a refused upgrade goes on as usual.
        let same = try Self.run(Self.request("a.example"), then: asking + Self.request("a.example") + Self.request("b.example"), dripped: false)
        #expect(same.stop == .otherDestination(host: "b.example"))
        #expect(same.forwarded == asking + Self.request("a.example"))
    }

    @Test("a request only asking to upgrade later on the connection switches nothing: bytes that are not HTTP end it")
    func laterUpgradeNeverOpaque() throws {
        let upgrade = Self.request("a.example", "Upgrade: websocket\r\nConnection: Upgrade\r\n")
        for frames in ["\u{81}\u{05}hello" + Self.request("b.example"), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + Self.request("b.example")] {
            let result = try Self.run(Self.request("a.example"), then: upgrade + frames, dripped: true)
            guard case .malformed = result.stop else {
                Issue.record("not stopped as malformed: \(String(describing: result.stop))")
                continue
            }
            #expect(result.forwarded == upgrade)
        }
    }

    @Test("a first request with ambiguous framing is refused before anything is forwarded")
    func ambiguousFirstRequest() throws {
        let bytes = Array("POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        guard case .complete(let head) = try HTTPHeadParser().parse(bytes) else { Issue.record("head not parsed"); return }
        #expect(throws: HTTPRequestSequence.Stop.self) { try HTTPRequestSequence(first: head) { _ in true } }
    }

    @Test("a head held back is bounded: a later head beyond 16 KiB stops the sequence")
    func heldHeadIsBounded() throws {
        let huge = "GET / HTTP/1.1\r\nHost: a.example\r\nX-Pad: " + String(repeating: "p", count: 20_000)
        let result = try Self.run(Self.request("a.example"), then: huge, dripped: false)
        guard case .malformed = result.stop else {
            Issue.record("not stopped: \(String(describing: result.stop))")
            return
        }
        #expect(result.forwarded.isEmpty)
    }
}
