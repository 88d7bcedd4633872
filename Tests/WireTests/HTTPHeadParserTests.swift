import TestSupport
import NIOCore
import Testing
@testable import Wire

@Suite("HTTPHeadParser")
struct HTTPHeadParserTests {
    let parser = HTTPHeadParser()

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func head(_ text: String) throws -> HTTPRequestHead {
        try #require(try parser.parse(bytes(text)).value)
    }

    func expectError(_ expected: HTTPHeadError, _ text: String, parser: HTTPHeadParser = HTTPHeadParser(),
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try parser.parse(Array(text.utf8)) }
    }

    // MARK: Success paths

    @Test func parsesRequestLineHostFieldsAndHeadLength() throws {
        let text = "GET /index.html?x=1 HTTP/1.1\r\nHost: Blog.Example.com:8442\r\nUser-Agent: t/1\r\nAccept:  */*  \r\n\r\n"
        let parsed = try head(text + "BODY")
        #expect(parsed == HTTPRequestHead(
            method: "GET", target: "/index.html?x=1", path: "/index.html", version: .http1_1,
            host: "blog.example.com", port: 8442,
            fields: [.init(name: "Host", value: "Blog.Example.com:8442"), .init(name: "User-Agent", value: "t/1"),
                     .init(name: "Accept", value: "*/*")],
            headLength: text.utf8.count
        ))
        #expect(parsed.values(named: "user-agent") == ["t/1"])
        #expect(!parsed.isACMEChallenge)
    }

    @Test func hostWithoutPortHasNilPort() throws {
        let parsed = try head("GET / HTTP/1.1\r\nhost: app.example.org\r\n\r\n")
        #expect(parsed.host == "app.example.org")
        #expect(parsed.port == nil)
    }

    @Test func hostWithEmptyPortHasNilPort() throws {
        #expect(try head("GET / HTTP/1.1\r\nHost: a.example:\r\n\r\n").port == nil)
    }

    @Test func trailingDotOfHostIsDropped() throws {
        #expect(try head("GET / HTTP/1.1\r\nHost: A.Example.\r\n\r\n").host == "a.example")
    }

    @Test func ipv6LiteralKeepsBracketsAndLosesPort() throws {
        let parsed = try head("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:8080\r\n\r\n")
        #expect(parsed.host == "[2001:db8::1]")
        #expect(parsed.port == 8080)
        #expect(try head("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n").host == "[::1]")
    }

    @Test func ipv4LiteralIsAccepted() throws {
        let parsed = try head("GET / HTTP/1.1\r\nHost: 127.0.0.1:8442\r\n\r\n")
        #expect(parsed.host == "127.0.0.1")
        #expect(parsed.port == 8442)
    }

    @Test func http10MayOmitHost() throws {
        let parsed = try head("GET / HTTP/1.0\r\n\r\n")
        #expect(parsed.version == .http1_0)
        #expect(parsed.host == nil)
        #expect(parsed.headLength == 18)
    }

    @Test func emptyHostIsNoHost() throws {
        #expect(try head("GET / HTTP/1.1\r\nHost:\r\n\r\n").host == nil)
    }

    @Test func absoluteFormTargetSuppliesHostAndPath() throws {
        let parsed = try head("GET HTTP://Www.Example.com:81/a/b?c HTTP/1.1\r\nHost: www.example.com:81\r\n\r\n")
        #expect(parsed.host == "www.example.com")
        #expect(parsed.port == 81)
        #expect(parsed.path == "/a/b")
        #expect(try head("GET http://x.example HTTP/1.0\r\n\r\n").path == "/")
    }

    @Test func asteriskAndAuthorityFormsHaveTheirOwnPaths() throws {
        #expect(try head("OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n").path == "*")
        let connect = try head("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n")
        #expect(connect.path == "")
        #expect(connect.host == "a.example")
    }

    @Test func acmeChallengeIsRecognizedByPathPrefix() throws {
        let parsed = try head("GET /.well-known/acme-challenge/tok-123 HTTP/1.1\r\nHost: a.example\r\n\r\n")
        #expect(parsed.isACMEChallenge)
        #expect(HTTPRequestHead.isACMEChallenge(path: "/.well-known/acme-challenge/x"))
        #expect(!HTTPRequestHead.isACMEChallenge(path: "/.well-known/acme-challenge"))
        #expect(!HTTPRequestHead.isACMEChallenge(path: "/.well-known/ACME-challenge/x"))
        #expect(!HTTPRequestHead.isACMEChallenge(path: "/x/.well-known/acme-challenge/x"))
        #expect(try head("GET http://a.example/.well-known/acme-challenge/t HTTP/1.1\r\nHost: a.example\r\n\r\n").isACMEChallenge)
    }

    @Test func obsTextInValuesIsAccepted() throws {
        let text = bytes("GET / HTTP/1.1\r\nHost: a.example\r\nX: caf") + [0xE9] + bytes("\r\n\r\n")
        #expect(try parser.parse(text).value?.fields.count == 2)
    }

    // MARK: Not consuming and prefixes

    @Test func parsingLeavesTheCallersBufferUntouched() throws {
        var buffer = ByteBuffer(string: "xxGET / HTTP/1.1\r\nHost: a.example\r\n\r\n")
        buffer.moveReaderIndex(forwardBy: 2)
        let before = buffer
        #expect(try parser.parse(buffer).value?.headLength == buffer.readableBytes)
        #expect(buffer == before)
    }

    @Test func everyStrictPrefixNeedsMoreData() throws {
        let text = bytes("POST /upload HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\n\r\n")
        for length in 0..<text.count {
            #expect(try parser.parse(text.prefix(length)) == .needMoreData, "prefix \(length)")
        }
        #expect(try parser.parse(text + bytes("abc")).value?.headLength == text.count)
    }

    // MARK: Errors

    @Test(arguments: ["\u{16}\u{3}\u{1}\u{2}\u{0}", "\u{0}", "\r\nGET / HTTP/1.1\r\n", "GET\t/", "G(T / HTTP/1.1", " GET /"])
    func nonHTTPBytesAreRejectedAtOnce(_ input: String) {
        #expect(throws: HTTPHeadError.notHTTP) { try parser.parse(bytes(input)) }
    }

    @Test func bareLineFeedIsRejected() {
        expectError(.bareLineFeed, "GET / HTTP/1.1\nHost: a\n\n")
        expectError(.bareLineFeed, "GET / HTTP/1.1\r\nHost: a.example\n\r\n")
    }

    @Test func bareCarriageReturnIsRejected() {
        expectError(.bareCarriageReturn, "GET / HTTP/1.1\r\nHost: a\rexample\r\n\r\n")
    }

    @Test func obsoleteLineFoldingIsRejected() {
        expectError(.obsoleteLineFolding, "GET / HTTP/1.1\r\nHost: a.example\r\nX-Long: a\r\n b\r\n\r\n")
        expectError(.obsoleteLineFolding, "GET / HTTP/1.1\r\n\tHost: a.example\r\n\r\n")
    }

    @Test(arguments: ["Host : a.example", "Ho st: a.example", ": empty-name", "NoColon", "X: a\u{1}b", "X: a\u{7F}"])
    func badHeaderLinesAreRejected(_ line: String) {
        do {
            _ = try parser.parse(bytes("GET / HTTP/1.1\r\n\(line)\r\nHost: a.example\r\n\r\n"))
            Issue.record("accepted \(line)")
        } catch {
            guard case .badHeaderLine = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    @Test(arguments: ["GET  / HTTP/1.1", "GET / HTTP/1.1 ", "GET /\u{7F} HTTP/1.1", "GET / http/1.1", "GET /", "GET / HTTP/1.10",
                      "GET ", "GET"])
    func malformedRequestLinesAreRejected(_ line: String) {
        do {
            _ = try parser.parse(bytes("\(line)\r\nHost: a.example\r\n\r\n"))
            Issue.record("accepted \(line)")
        } catch {
            guard case .malformedRequestLine = error else {
                Issue.record("unexpected \(error) for \(line)")
                return
            }
        }
    }

    @Test func malformedTargetFormIsRejected() {
        expectError(.malformedRequestLine("request-target 'index.html' is not a path, absolute URI or '*'"),
                    "GET index.html HTTP/1.1\r\nHost: a.example\r\n\r\n")
    }

    @Test func versionsOtherThan10And11AreUnsupported() {
        expectError(.unsupportedVersion("HTTP/2.0"), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        expectError(.unsupportedVersion("HTTP/1.2"), "GET / HTTP/1.2\r\n")
        expectError(.unsupportedVersion("HTTP/0"), "GET / HTTP/0")
    }

    @Test func http11WithoutHostIsRejected() {
        expectError(.missingHost, "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")
    }

    @Test func moreThanOneHostLineIsRejectedEvenIfEqual() {
        expectError(.duplicateHost, "GET / HTTP/1.1\r\nHost: a.example\r\nHOST: b.example\r\n\r\n")
        expectError(.duplicateHost, "GET / HTTP/1.1\r\nHost: a.example\r\nHost: a.example\r\n\r\n")
    }

    @Test func hostDisagreeingWithAbsoluteTargetIsRejected() {
        expectError(.conflictingHost, "GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n")
        expectError(.conflictingHost, "GET http://a.example:81/ HTTP/1.1\r\nHost: a.example\r\n\r\n")
    }

    @Test(arguments: ["bad_host.example", "a..b", ":80", "a.example:99999", "a.example:8o", "a.example:123456", "[::1",
                      "[zz::1]", "[::1]x", "a b", "-a.example", "user@a.example", "1.2.3.4.5"])
    func invalidHostsAreRejected(_ host: String) {
        do {
            _ = try parser.parse(bytes("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"))
            Issue.record("accepted \(host)")
        } catch {
            guard case .invalidHost = error else {
                Issue.record("unexpected \(error) for \(host)")
                return
            }
        }
    }

    @Test func absoluteTargetWithUserinfoOrNoHostIsRejected() throws {
        #expect(throws: (any Error).self) { try parser.parse(bytes("GET http://u@a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n")) }
        expectError(.invalidHost("absolute request-target has no host"), "GET http:///x HTTP/1.0\r\n\r\n")
    }

    // MARK: Limits and garbage

    @Test func headWithoutEndIsTooLargeAtTheLimit() throws {
        let parser = HTTPHeadParser(maximumLength: 64)
        let start = "GET / HTTP/1.1\r\nHost: a.example\r\nX: "
        expectError(.tooLarge(limit: 64), start + String(repeating: "a", count: 64 - start.utf8.count), parser: parser)
        #expect(try parser.parse(bytes(start + String(repeating: "a", count: 63 - start.utf8.count))) == .needMoreData)
    }

    @Test func headEndingJustPastTheLimitIsTooLarge() throws {
        let text = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"
        let count = text.utf8.count
        #expect(try HTTPHeadParser(maximumLength: count).parse(bytes(text)).value?.headLength == count)
        expectError(.tooLarge(limit: count - 1), text, parser: HTTPHeadParser(maximumLength: count - 1))
    }

    @Test func defaultLimitIs16KiB() throws {
        let filler = "X-Fill: " + String(repeating: "f", count: 16_384) + "\r\n"
        expectError(.tooLarge(limit: 16_384), "GET / HTTP/1.1\r\nHost: a.example\r\n" + filler + "\r\n")
    }

    @Test func randomGarbageNeverCrashes() {
        var generator = SeededRandom(seed: 0x4774)
        let alphabet = bytes("GET / HTTP/1.1\r\nHost: a.example:80\r\n[]:@ \t") + [0, 0x7F, 0xFF]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0..<200, using: &generator)
            let input = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? parser.parse(input)
        }
        let valid = bytes("GET /a HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n")
        for _ in 0..<3_000 {
            var input = valid
            input[Int.random(in: 0..<input.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            _ = try? parser.parse(input.prefix(Int.random(in: 0...input.count, using: &generator)))
        }
    }
}
