extension HTTPHeadParser {
    /// Assembles the head once the empty line has arrived, applying the Host
    /// rules of RFC 9112 §3.2 and §3.2.2.
    static func makeHead(
        _ line: RequestLine,
        fields: [HTTPRequestHead.Field],
        headLength: Int
    ) throws(HTTPHeadError) -> HTTPRequestHead {
        let hostFields = fields.filter { $0.name.lowercased() == "host" }
        guard hostFields.count <= 1 else { throw .duplicateHost }
        if line.version == .http1_1, hostFields.isEmpty { throw .missingHost }
        var authority = try hostFields.first.map { field throws(HTTPHeadError) in try parseAuthority(field.value) }

        let path: String
        let targetBytes = Array(line.target.utf8)
        if targetBytes.first == UInt8(ascii: "/") {
            path = String(decoding: targetBytes.prefix { $0 != UInt8(ascii: "?") }, as: UTF8.self)
        } else if line.target == "*" {
            path = "*"
        } else if let absolute = try parseAbsoluteForm(targetBytes) {
            // RFC 9112 §3.2.2: the target's authority wins over Host. Refuse a
            // disagreement rather than risk routing differently from the home.
            if let fromHeader = authority, fromHeader != absolute.authority { throw .conflictingHost }
            authority = absolute.authority
            path = absolute.path
        } else if line.method == "CONNECT" {
            path = ""
        } else {
            throw .malformedRequestLine("request-target '\(line.target.prefix(64))' is not a path, absolute URI or '*'")
        }

        return HTTPRequestHead(
            method: line.method,
            target: line.target,
            path: path,
            version: line.version,
            host: authority?.host,
            port: authority?.port,
            fields: fields,
            headLength: headLength
        )
    }

    struct Authority: Equatable {
        var host: String?
        var port: UInt16?
    }

    /// `absolute-form`: `http` or `https` scheme, `//authority`, optional path.
    private static func parseAbsoluteForm(_ target: [UInt8]) throws(HTTPHeadError) -> (authority: Authority, path: String)? {
        let lowered = target.prefix(8).map { $0 | 0x20 }
        let schemeLength: Int
        if lowered.starts(with: "http://".utf8) {
            schemeLength = 7
        } else if lowered.starts(with: "https://".utf8) {
            schemeLength = 8
        } else {
            return nil
        }
        let rest = target.dropFirst(schemeLength)
        let authorityBytes = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        let afterAuthority = rest.dropFirst(authorityBytes.count)
        let pathBytes = afterAuthority.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        let authority = try parseAuthority(String(decoding: authorityBytes, as: UTF8.self))
        guard authority.host != nil else { throw .invalidHost("absolute request-target has no host") }
        return (authority, pathBytes.isEmpty ? "/" : String(decoding: pathBytes, as: UTF8.self))
    }

    /// `Host = uri-host [ ":" port ]` (RFC 9110 §7.2). Hosts are reg-names
    /// validated as DNS names, dotted IPv4, or bracketed IPv6 literals.
    static func parseAuthority(_ value: String) throws(HTTPHeadError) -> Authority {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { return Authority(host: nil, port: nil) }
        let hostBytes: ArraySlice<UInt8>
        let portBytes: ArraySlice<UInt8>?
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else {
                throw .invalidHost("IPv6 literal has no closing ']'")
            }
            hostBytes = bytes[0...close]
            let after = bytes[(close + 1)...]
            if after.isEmpty {
                portBytes = nil
            } else {
                guard after.first == UInt8(ascii: ":") else { throw .invalidHost("bytes after IPv6 literal") }
                portBytes = after.dropFirst()
            }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            hostBytes = bytes[..<colon]
            portBytes = bytes[(colon + 1)...]
        } else {
            hostBytes = bytes[...]
            portBytes = nil
        }
        let port = try parsePort(portBytes)
        guard !hostBytes.isEmpty else {
            throw .invalidHost(port == nil ? "empty host before ':'" : "port without host")
        }
        return Authority(host: try normalizeHost(hostBytes), port: port)
    }

    private static func parsePort(_ bytes: ArraySlice<UInt8>?) throws(HTTPHeadError) -> UInt16? {
        // RFC 3986 §3.2.3: `port = *DIGIT`; an empty port means no port.
        guard let bytes, !bytes.isEmpty else { return nil }
        guard bytes.count <= 5, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidHost("port is not a number from 0 to 65535")
        }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard let port = UInt16(exactly: value) else { throw .invalidHost("port \(value) is larger than 65535") }
        return port
    }

    private static func normalizeHost(_ bytes: ArraySlice<UInt8>) throws(HTTPHeadError) -> String {
        if bytes.first == UInt8(ascii: "[") {
            let inner = bytes.dropFirst().dropLast()
            let isIPv6Character: (UInt8) -> Bool = { byte in
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                     UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: ":"), UInt8(ascii: "."):
                    return true
                default:
                    return false
                }
            }
            guard inner.count >= 2, inner.count <= 45, inner.contains(UInt8(ascii: ":")), inner.allSatisfy(isIPv6Character) else {
                throw .invalidHost("'\(String(decoding: bytes.prefix(64), as: UTF8.self))' is not an IPv6 literal")
            }
            return String(decoding: bytes, as: UTF8.self).lowercased()
        }
        if isIPv4Literal(bytes) { return String(decoding: bytes, as: UTF8.self) }
        // A single trailing dot names the same host (an absolute DNS name);
        // DNSName drops it.
        do {
            return try DNSName(utf8: bytes).text
        } catch {
            throw .invalidHost("host name: \(error)")
        }
    }

    /// Dotted-decimal IPv4 (RFC 3986 §3.2.2 `IPv4address`).
    private static func isIPv4Literal(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count),
                  part.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return false }
            if part.count > 1, part.first == UInt8(ascii: "0") { return false }
            return part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 255
        }
    }
}
