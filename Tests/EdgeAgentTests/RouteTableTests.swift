import NIOCore
import Testing
import Wire
@testable import EdgeAgent

@Suite("Route table")
struct RouteTableTests {
    static func route(_ key: Route.Key, _ type: ForwardType, home: String = "alice", forward: String = "f") -> Route {
        Route(key: key, type: type, home: home, forward: forward, proxyProtocol: nil, compress: nil)
    }

    static let table: RouteTable = {
        let table = RouteTable()
        table.replace(with: [
            route(.hostname("blog.example.com"), .https, forward: "blog"),
            route(.hostname("*.example.com"), .https, forward: "wild"),
            route(.hostname("*.b.example.com"), .https, forward: "deeper"),
            route(.hostname("app.example.com"), .http, forward: "app"),
            route(.port(10_003), .tcp, home: "bob", forward: "ssh"),
        ])
        return table
    }()

    @Test("exact name first, then the longest wildcard; a wildcard never matches its own base name", arguments: [
        ("blog.example.com", "blog"),
        ("x.example.com", "wild"),
        ("x.y.example.com", "wild"),
        ("a.b.example.com", "deeper"),
        ("b.example.com", "wild"),
        ("example.com", nil),
        ("example.org", nil),
        ("com", nil),
        ("", nil),
    ] as [(String, String?)])
    func hostLookup(host: String, forward: String?) {
        #expect(Self.table.route(forHost: host, type: .https)?.forward == forward)
    }

    @Test("each listener sees only its own type, and ports map to TCP forwards")
    func typesAndPorts() {
        #expect(Self.table.route(forHost: "app.example.com", type: .http)?.forward == "app")
        // The https wildcard does not answer on the HTTP port's type.
        #expect(Self.table.route(forHost: "app.example.com", type: .https)?.forward == "wild")
        #expect(Self.table.route(forHost: "blog.example.com", type: .http) == nil)
        #expect(Self.table.route(forPort: 10_003)?.home == "bob")
        #expect(Self.table.route(forPort: 10_004) == nil)
        #expect(Self.table.tcpPorts == [10_003])
    }

    @Test("replacing the table drops routes that are gone")
    func replace() {
        let table = RouteTable()
        table.replace(with: [Self.route(.port(1), .tcp)])
        table.replace(with: [])
        #expect(table.route(forPort: 1) == nil)
        #expect(table.tcpPorts.isEmpty)
    }
}

@Suite("Public listener odds and ends")
struct PublicListenerPartsTests {
    @Test("--tcp-ports parses low-high and refuses everything else", arguments: [
        ("10000-10099", 10_000...10_099 as ClosedRange<Int>?),
        ("1-65535", 1...65_535),
        ("5-5", 5...5),
        ("10-9", nil), ("0-10", nil), ("1-65536", nil), ("10000", nil), ("-", nil), ("a-b", nil), ("1--2", nil), ("", nil),
    ])
    func portRange(text: String, range: ClosedRange<Int>?) {
        #expect((try? PortRange.parse(text))?.range == range)
    }

    @Test("a bad --tcp-ports says what is wrong with it", arguments: [
        ("200-100", "the lower port comes first: 100-200"),
        ("0-5", "ports are 1 to 65535"),
        ("abc", "write two ports joined by '-', such as 10000-10099"),
        ("100-200x", "write two ports joined by '-', such as 10000-10099"),
    ])
    func portRangeMessage(text: String, problem: String) {
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--tcp-ports", text]) }
        do {
            _ = try ServeCommand.parse(["--tcp-ports", text])
        } catch {
            let message = ServeCommand.message(for: error)
            #expect(message == "The value '\(text)' is invalid for '--tcp-ports <low-high>': \(problem)")
        }
    }

    @Test("TLS alerts are fatal alert records in the clear")
    func alerts() {
        let record = TLSAlert.unrecognizedName.record(allocator: ByteBufferAllocator())
        #expect(Array(record.readableBytesView) == [21, 3, 3, 0, 2, 2, 112])
    }

    @Test("the edge's own HTTP answers are complete responses that close the connection")
    func responses() {
        let response = PublicHTTPResponse.redirect(to: "https://a.example.com/x?y=1")
        let text = String(buffer: response.bytes(allocator: ByteBufferAllocator()))
        let (head, body) = (text.components(separatedBy: "\r\n\r\n")[0], text.components(separatedBy: "\r\n\r\n")[1])
        #expect(head.hasPrefix("HTTP/1.1 308 Permanent Redirect\r\n"))
        #expect(head.contains("\r\nLocation: https://a.example.com/x?y=1"))
        #expect(head.contains("\r\nConnection: close"))
        #expect(head.contains("\r\nContent-Length: \(body.utf8.count)"))
        for answer in [PublicHTTPResponse.notFound(host: "h"), .homeOffline(host: "h"), .badGateway, .headTooLarge, .timeout] {
            let bytes = String(buffer: answer.bytes(allocator: ByteBufferAllocator()))
            #expect(bytes.hasPrefix("HTTP/1.1 \(answer.status) "))
            #expect(!bytes.contains("Location:"))
        }
    }
}
