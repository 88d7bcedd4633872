import NIOCore

/// A nameserver's IP address and port. Only literal addresses: looking up a
/// nameserver's own name would need a nameserver.
public struct DNSServerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let defaultPort = 53

    public init(host: String, port: Int = DNSServerAddress.defaultPort) throws(DNSServerAddressError) {
        guard (1...65535).contains(port) else { throw .badPort("\(port)") }
        // A scoped IPv6 address (`fe80::1%eth0`) would need its interface carried along: not supported.
        guard !host.contains("%"), (try? SocketAddress(ipAddress: host, port: port)) != nil else {
            throw .notAnIPAddress(host)
        }
        self.host = host
        self.port = port
    }

    /// 127.0.0.1 at `port`: needs no check.
    init(loopbackPort port: Int) {
        host = "127.0.0.1"
        self.port = port
    }

    /// `HOST`, `HOST:PORT` or `[IPV6]:PORT`; a bare IPv6 address is taken
    /// whole, with the default port.
    public init(parsing text: String) throws(DNSServerAddressError) {
        let trimmed = String(text.trimmingCharacters(in: " \t"))
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw .notAnIPAddress(trimmed) }
            let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { throw .notAnIPAddress(trimmed) }
            try self.init(host: host, port: rest.isEmpty ? Self.defaultPort : Self.port(rest.dropFirst()))
        } else if trimmed.filter({ $0 == ":" }).count == 1, let colon = trimmed.firstIndex(of: ":") {
            try self.init(host: String(trimmed[..<colon]), port: Self.port(trimmed[trimmed.index(after: colon)...]))
        } else {
            try self.init(host: trimmed)
        }
    }

    private static func port(_ text: Substring) throws(DNSServerAddressError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw .badPort(String(text)) }
        return port
    }

    /// Cannot fail: `init` checked that the host is an IP address.
    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: host, port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why text is not a nameserver address.
public enum DNSServerAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    case notAnIPAddress(String)
    case badPort(String)

    public var description: String {
        switch self {
        case .notAnIPAddress(let text):
            "'\(text.prefix(80))' is not a nameserver address; give an IP address, optionally with a port: 127.0.0.1:53 or [::1]:53"
        case .badPort(let text): "'\(text.prefix(20))' is not a port; give 1 to 65535"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        let characters = Set(set)
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return Substring(slice)
    }
}
