import NIOCore
import Testing
import Wire

@testable import EdgeAgent

/// The forwarding headers the edge writes into each request head on an
/// `http` forward ([SEC-7]), byte for byte.
@Suite("HTTP port: forwarding headers written by the edge")
struct ForwardedHeadersRewriteTests {
    static func rewrite(_ head: String, client: SocketAddress?) -> String {
        var output = ByteBuffer()
        ForwardedHeaders(client: client, proto: "http").write(head: ByteBuffer(string: head), into: &output)
        return String(buffer: output)
    }

    static let ipv4 = try? SocketAddress(ipAddress: "203.0.113.7", port: 51_234)

    @Test("the edge's lines go before the empty line; the client's other lines stay as they were")
    func addsBeforeTheEmptyLine() throws {
        let head = "GET /a?b=1 HTTP/1.1\r\nHost: app.example.com\r\nCookie: a=1\r\nX-Forwarded-Ish: kept\r\n\r\n"
        #expect(Self.rewrite(head, client: Self.ipv4) == """
            GET /a?b=1 HTTP/1.1\r\nHost: app.example.com\r\nCookie: a=1\r\nX-Forwarded-Ish: kept\r\n\
            X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nX-Forwarded-Proto: http\r\n\
            Forwarded: for=203.0.113.7;proto=http\r\n\r\n
            """)
    }

    @Test("forwarding headers a client sent are removed, in any case and position, repeated or empty")
    func removesTheClients() throws {
        let head = "POST / HTTP/1.1\r\nx-forwarded-for: 6.6.6.6\r\nHost: a.example\r\nFORWARDED: for=6.6.6.6\r\n"
            + "X-Real-Ip:6.6.6.6\r\nX-Forwarded-Proto: https\r\nx-forwarded-host: bank.example\r\nX-Forwarded-Port: 443\r\n"
            + "X-Forwarded-For: 7.7.7.7, 8.8.8.8\r\nx-forwarded-for:\r\nContent-Length: 0\r\n\r\n"
        #expect(Self.rewrite(head, client: Self.ipv4) == """
            POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\n\
            X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nX-Forwarded-Proto: http\r\n\
            Forwarded: for=203.0.113.7;proto=http\r\n\r\n
            """)
    }

    @Test("underscore spellings, which CGI and WSGI services merge with the hyphenated name, are removed too")
    func removesUnderscoreSpellings() throws {
        let head = "GET / HTTP/1.1\r\nHost: a.example\r\nX_Forwarded_For: 6.6.6.6\r\nX_Real_IP: 6.6.6.6\r\n"
            + "X-Forwarded_Proto: https\r\nx_forwarded-host: bank.example\r\nX_FORWARDED_PORT: 443\r\nX_Custom: kept\r\n\r\n"
        #expect(Self.rewrite(head, client: Self.ipv4) == """
            GET / HTTP/1.1\r\nHost: a.example\r\nX_Custom: kept\r\n\
            X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nX-Forwarded-Proto: http\r\n\
            Forwarded: for=203.0.113.7;proto=http\r\n\r\n
            """)
    }

    @Test("Connection tokens naming the edge's headers are removed, the others kept; a line left empty goes")
    func connectionCannotDropTheEdgesHeaders() throws {
        let head = "GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close, X-Forwarded-For, forwarded,X_Real_IP\r\n"
            + "connection: X-Forwarded-Proto\r\nConnection: keep-alive\r\n\r\n"
        #expect(Self.rewrite(head, client: Self.ipv4) == """
            GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\nConnection: keep-alive\r\n\
            X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nX-Forwarded-Proto: http\r\n\
            Forwarded: for=203.0.113.7;proto=http\r\n\r\n
            """)
    }

    @Test("an IPv6 client is bracketed and quoted in Forwarded, plain in X-Forwarded-For")
    func ipv6Client() throws {
        let client = try SocketAddress(ipAddress: "2001:db8::1", port: 443)
        let output = Self.rewrite("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", client: client)
        #expect(output.contains("\r\nX-Forwarded-For: 2001:db8::1\r\n"))
        #expect(output.contains("\r\nForwarded: for=\"[2001:db8::1]\";proto=http\r\n"))
    }

    @Test("an IPv4 client on a dual-stack listener (::ffff:a.b.c.d) is written as IPv4")
    func mappedIPv4Client() throws {
        let client = try SocketAddress(ipAddress: "::ffff:198.51.100.9", port: 80)
        let output = Self.rewrite("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", client: client)
        #expect(output.contains("\r\nX-Forwarded-For: 198.51.100.9\r\nX-Real-IP: 198.51.100.9\r\n"))
        #expect(output.contains("\r\nForwarded: for=198.51.100.9;proto=http\r\n"))
    }

    @Test("a client without an IP address is for=unknown, with no X-Forwarded-For")
    func unknownClient() throws {
        let output = Self.rewrite("GET / HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n", client: nil)
        #expect(output == "GET / HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-Proto: http\r\nForwarded: for=unknown;proto=http\r\n\r\n")
    }

    @Test("later requests on a connection get the headers too, however their bytes arrive", arguments: [false, true])
    func laterRequestsInTheSequence(dripped: Bool) throws {
        let first = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"
        // A body that looks like a header line is a body, left alone.
        let body = "X-Forwarded-For: 6.6.6.6\r\n\r\n"
        let later = "POST /p HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 6.6.6.6\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            + body + "GET /q HTTP/1.1\r\nHost: a.example\r\n\r\n"
        guard case .complete(let head) = try HTTPHeadParser().parse(Array(first.utf8)) else {
            Issue.record("the first head did not parse")
            return
        }
        let headers = ForwardedHeaders(client: Self.ipv4, proto: "http")
        var sequence = try HTTPRequestSequence(first: head, allows: { $0.host == "a.example" }, writeHead: headers.write(head:into:))
        let bytes = Array(later.utf8)
        var forwarded = ByteBuffer()
        for piece in dripped ? bytes.indices.map({ bytes[$0...$0] }) : [bytes[...]] {
            var output = sequence.feed(ByteBuffer(bytes: piece))
            #expect(output.stop == nil)
            forwarded.writeBuffer(&output.forward)
        }
        let ours = "X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\nX-Forwarded-Proto: http\r\nForwarded: for=203.0.113.7;proto=http\r\n"
        #expect(String(buffer: forwarded) == "POST /p HTTP/1.1\r\nHost: a.example\r\nContent-Length: \(body.utf8.count)\r\n\(ours)\r\n"
            + body + "GET /q HTTP/1.1\r\nHost: a.example\r\n\(ours)\r\n")
    }
}
