import Foundation
import NIOCore

/// The forwarding headers the edge writes into every request it relays on an
/// `http` forward, so the service at home learns who the client is and how
/// it came, as it would behind any reverse proxy: `X-Forwarded-For`,
/// `X-Real-IP`, `X-Forwarded-Proto` and RFC 7239 `Forwarded`.
///
/// The edge is the first proxy a request meets: its public ports accept no
/// PROXY protocol or other word from a proxy in front of them, so nothing
/// can vouch for forwarding headers a client sent. They are removed rather
/// than appended to ([SEC-7]), together with `X-Forwarded-Host` and
/// `X-Forwarded-Port`, which services that trust their proxy believe as
/// well: every forwarding header the service sees was written by the edge.
/// Names are compared with `_` read as `-`: CGI, WSGI and PHP services turn
/// both into `HTTP_X_FORWARDED_FOR` and would merge `X_Forwarded_For` with
/// the edge's line ([SEC-7]).
///
/// One value per connection (the client address does not change); the
/// lines are encoded once and copied into each request head.
struct ForwardedHeaders: Sendable {
    /// Names of the request headers a client may not set, lowercased: the
    /// edge's own, and the others frameworks believe from a proxy (Rack and
    /// Spring take `X-Forwarded-Ssl: on` for https, Werkzeug's ProxyFix the
    /// prefix, CDNs' client-address headers).
    static let replacedNames: [[UInt8]] = [
        "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip",
        "x-forwarded-ssl", "x-forwarded-scheme", "x-forwarded-protocol", "x-forwarded-prefix", "x-forwarded-server",
        "x-forwarded-by", "x-original-forwarded-for", "front-end-https", "x-url-scheme", "x-client-ip", "true-client-ip",
        "x-cluster-client-ip", "cf-connecting-ip", "fastly-client-ip",
    ].map { Array($0.utf8) }

    /// The header lines added to each request, each ending in CRLF.
    let lines: ByteBuffer

    /// Headers for a connection from `client` on a port speaking `proto`
    /// (`http` on the public HTTP port). An unknown client (no IP address)
    /// is `for=unknown` (RFC 7239 §6.2) and gets no `X-Forwarded-For`.
    init(client: SocketAddress?, proto: String) {
        var text = ""
        let address = client.flatMap(Self.clientText)
        if let address {
            text += "X-Forwarded-For: \(address)\r\nX-Real-IP: \(address)\r\n"
        }
        text += "X-Forwarded-Proto: \(proto)\r\n"
        text += "Forwarded: for=\(address.map(Self.forwardedNode) ?? "unknown");proto=\(proto)\r\n"
        lines = ByteBuffer(string: text)
    }

    /// Writes one whole request head (request line through the empty line,
    /// as `HTTPHeadParser` accepted it) into `output`, without the client's
    /// forwarding lines and with the edge's before the empty line.
    func write(head: ByteBuffer, into output: inout ByteBuffer) {
        let length = head.readableBytes
        guard length >= 4, head.getInteger(at: head.readerIndex + length - 4, as: UInt32.self) == Self.endOfHead else {
            // Not a whole head (the parser never hands one over): passed as is.
            var unchanged = head
            output.writeBuffer(&unchanged)
            return
        }
        output.reserveCapacity(minimumWritableBytes: length + lines.readableBytes)
        var kept = 0
        for edit in Self.edits(in: head) {
            output.writeImmutableBuffer(head.getSlice(at: head.readerIndex + kept, length: edit.range.lowerBound - kept) ?? ByteBuffer())
            if let replacement = edit.replacement { output.writeString(replacement) }
            kept = edit.range.upperBound
        }
        // Everything up to the empty line's CRLF, then ours, then the empty line.
        output.writeImmutableBuffer(head.getSlice(at: head.readerIndex + kept, length: length - 2 - kept) ?? ByteBuffer())
        output.writeImmutableBuffer(lines)
        output.writeStaticString("\r\n")
    }

    /// CR LF CR LF, read big-endian.
    private static let endOfHead: UInt32 = 0x0D0A_0D0A

    /// A header line to drop (no replacement) or to write differently.
    private struct Edit {
        var range: Range<Int>
        var replacement: String?
    }

    /// Offsets (from the reader index) of the header lines, CRLF included,
    /// whose names are in `replacedNames` (dropped), and of `Connection` lines
    /// that name them: a client must not make a proxy at home treat the
    /// edge's own headers as hop-by-hop and drop them (RFC 9110 §7.6.1), so
    /// those tokens go and the others stay. The head is strict HTTP/1.1
    /// (`HTTPHeadParser`): CRLF line ends, no folding, no space before a colon.
    private static func edits(in head: ByteBuffer) -> [Edit] {
        head.withUnsafeReadableBytes { raw in
            var found: [Edit] = []
            var lineStart = 0
            var isRequestLine = true
            var index = 0
            while index + 1 < raw.count {
                guard raw[index] == 0x0D, raw[index + 1] == 0x0A else {
                    index += 1
                    continue
                }
                let line = lineStart..<index
                index += 2
                defer { lineStart = index }
                if isRequestLine {
                    isRequestLine = false
                    continue
                }
                if line.isEmpty { break }
                let name = line.prefix { raw[$0] != UInt8(ascii: ":") }
                if isReplaced(name: raw[name]) {
                    found.append(Edit(range: line.lowerBound..<index, replacement: nil))
                } else if equalIgnoringCase(raw[name], "connection"), name.upperBound < line.upperBound {
                    let value = String(decoding: raw[(name.upperBound + 1)..<line.upperBound], as: UTF8.self)
                    let tokens = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    let kept = tokens.filter { !isReplaced(name: Array($0.utf8)) }
                    if kept.count != tokens.count {
                        found.append(Edit(
                            range: line.lowerBound..<index,
                            replacement: kept.isEmpty ? nil : "Connection: \(kept.joined(separator: ", "))\r\n"))
                    }
                }
            }
            return found
        }
    }

    private static func equalIgnoringCase(_ bytes: some Collection<UInt8>, _ lowercased: String) -> Bool {
        bytes.count == lowercased.utf8.count
            && zip(bytes, lowercased.utf8).allSatisfy { byte, wanted in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == wanted : byte == wanted
            }
    }

    /// Whether a header (or trailer) field name is one the edge replaces:
    /// compared case-insensitively and with `_` read as `-` ([SEC-7]).
    static func isReplaced(name: some Collection<UInt8>) -> Bool {
        replacedNames.contains { wanted in
            name.count == wanted.count && zip(name, wanted).allSatisfy { byte, wanted in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20 == wanted
                case UInt8(ascii: "_"): wanted == UInt8(ascii: "-")
                default: byte == wanted
                }
            }
        }
    }

    /// The client's IP address as services expect it in `X-Forwarded-For`:
    /// dotted IPv4 (also for an IPv4 client on a dual-stack listener, which
    /// the kernel reports as `::ffff:a.b.c.d`), IPv6 without brackets.
    static func clientText(_ address: SocketAddress) -> String? {
        guard let ip = address.ipAddress else { return nil }
        if case .v6 = address, ip.lowercased().hasPrefix("::ffff:"), ip.contains(".") {
            return String(ip.dropFirst("::ffff:".count))
        }
        return ip
    }

    /// A `Forwarded` node (RFC 7239 §6): an IPv4 address as a token; an IPv6
    /// address bracketed and, since `:` and `[` are not token characters,
    /// quoted.
    static func forwardedNode(_ address: String) -> String {
        address.contains(":") ? "\"[\(address)]\"" : address
    }
}
