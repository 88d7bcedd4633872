import NIOCore
import Testing
import Wire

@testable import EdgeAgent

/// Only the server switches a connection's protocol ([SEC-9]): the first
/// request asking to (`Upgrade`, `CONNECT`) has its body framed like any
/// other, the client's next bytes wait for the server's answer, and a
/// refusal leaves the connection checked HTTP.
@Suite("HTTP port: a connection switches protocols only when the server says so")
struct HTTPProtocolSwitchTests {
    static let forged = "GET /two HTTP/1.1\r\nHost: b.example\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"

    /// A sequence started after `first` (parsed as the listener does), fed
    /// the bytes after its head, and what went and why it stopped.
    struct Run {
        var sequence: HTTPRequestSequence
        var forwarded = ""
        var stop: HTTPRequestSequence.Stop?

        init(first: String, dripped: Bool = false) throws {
            let bytes = Array(first.utf8)
            guard case .complete(let head) = try HTTPHeadParser().parse(bytes) else { throw HTTPHeadError.tooLarge(limit: 0) }
            sequence = try HTTPRequestSequence(first: head) { $0.host == "a.example" }
            client(String(decoding: bytes[head.headLength...], as: UTF8.self), dripped: dripped)
        }

        mutating func client(_ text: String, dripped: Bool = false) {
            let bytes = Array(text.utf8)
            for piece in dripped ? bytes.indices.map({ bytes[$0...$0] }) : [bytes[...]] {
                take(sequence.feed(ByteBuffer(bytes: piece)))
            }
        }

        mutating func server(_ text: String) {
            for byte in text.utf8 { take(sequence.observe(answer: ByteBuffer(bytes: [byte]))) }
        }

        private mutating func take(_ output: HTTPRequestSequence.Output) {
            forwarded += String(buffer: output.forward)
            if let stop = output.stop { self.stop = stop }
        }
    }

    static let upgradeWithBody =
        "POST /one HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"

    @Test("an upgrade request's body is framed; what follows waits for the answer and a refusal judges it as a request")
    func bodyOfUpgradeIsFramed() throws {
        var run = try Run(first: Self.upgradeWithBody + Self.forged)
        #expect(run.forwarded == "{\"a\":1}", "the body goes, the next request waits")
        #expect(run.stop == nil)
        run.server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(run.stop == .otherDestination(host: "b.example"))
        #expect(run.forwarded == "{\"a\":1}")
    }

    @Test("bytes that are not HTTP after a refused upgrade end the connection; they are never passed", arguments: [false, true])
    func refusedUpgradeThenGarbage(dripped: Bool) throws {
        let upgrade = "GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        var run = try Run(first: upgrade + "GET /two HTTP/1.1\nHost: a.example\n\n", dripped: dripped)
        run.server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        guard case .malformed? = run.stop else { Issue.record("not malformed: \(String(describing: run.stop))"); return }
        #expect(run.forwarded.isEmpty)
    }

    @Test("after 101 to an Upgrade, and after interim answers, held bytes and the rest pass unexamined", arguments: [false, true])
    func switchedAfter101(dripped: Bool) throws {
        let upgrade = "GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        var run = try Run(first: upgrade + "\u{81}\u{05}hello", dripped: dripped)
        #expect(run.forwarded.isEmpty)
        run.server("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
        #expect(run.forwarded.isEmpty, "an interim answer is not the switch")
        run.server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u{82}")
        #expect(run.forwarded == "\u{81}\u{05}hello")
        run.client(Self.forged, dripped: dripped)
        #expect(run.stop == nil)
        #expect(run.forwarded == "\u{81}\u{05}hello" + Self.forged)
    }

    @Test("only a WebSocket upgrade can switch: h2c and CONNECT stay checked whatever the server answers")
    func onlyWebSocketSwitches() throws {
        // h2c's 101 is followed by HTTP/2 requests the edge would not judge ([SEC-9]).
        for answer in ["HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"] {
            var h2c = try Run(first: "GET / HTTP/1.1\r\nHost: a.example\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n" + Self.forged)
            h2c.server(answer)
            #expect(h2c.stop == .otherDestination(host: "b.example"), "\(answer)")
        }
        // A catch-all service's 200 to CONNECT is no tunnel (the listener refuses CONNECT first).
        var connect = try Run(first: "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n" + Self.forged)
        connect.server("HTTP/1.1 200 OK\r\nContent-Length: 166\r\n\r\n")
        #expect(connect.stop == .otherDestination(host: "b.example"))

        var garbage = try Run(first: "GET / HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\n\r\n" + Self.forged)
        garbage.server("SSH-2.0-OpenSSH\r\n")
        #expect(garbage.stop == .otherDestination(host: "b.example"), "an answer that is not HTTP is a refusal")
    }

    @Test("a 101 that comes before the upgrade request's body has ended switches only after the body")
    func earlyAnswerWaitsForTheBody() throws {
        let head = "POST /one HTTP/1.1\r\nHost: a.example\r\nUpgrade: WebSocket\r\nContent-Length: 7\r\n\r\n"
        var run = try Run(first: head + "{\"a\"")
        run.server("HTTP/1.1 101 Switching Protocols\r\n\r\n")
        run.client(":1}" + Self.forged)
        #expect(run.stop == nil)
        #expect(run.forwarded == "{\"a\":1}" + Self.forged)
    }

    @Test("what a client sends before the answer is bounded")
    func heldBeforeTheAnswerIsBounded() throws {
        var run = try Run(first: "GET / HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\n\r\n")
        run.client(String(repeating: "x", count: HTTPRequestSequence.maximumHeldBeforeSwitch + 1))
        guard case .malformed? = run.stop else { Issue.record("not malformed: \(String(describing: run.stop))"); return }
        #expect(run.forwarded.isEmpty)
    }
}
