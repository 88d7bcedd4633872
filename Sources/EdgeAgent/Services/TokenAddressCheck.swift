#if canImport(Glibc)
import Glibc
#endif

/// Whether homes on other machines can use the join tokens this edge hands
/// out: the first `--hostname` goes into every token, and a home dials it.
/// Checked once at start; the answer is a warning for the operator, never a
/// refusal (behind a NAT or a load balancer the public address is rightly
/// not one of the machine's own).
enum TokenAddressCheck {
    /// A warning to log, or nil when the name is fine. `bind` is the address
    /// the tunnel listens on (`--bind`): a loopback bind serves no home elsewhere.
    static func warning(hostnames: [String], given: Bool, bind: String = "0.0.0.0") -> String? {
        let name = hostnames.first ?? "localhost"
        guard given else {
            return "no --hostname given: join tokens name \(name), which homes on other machines cannot reach; "
                + "give the edge's public DNS name (--hostname edge.example.com)"
        }
        guard let resolved = addresses(of: name), !resolved.isEmpty else {
            return "--hostname \(name) does not resolve here: homes will not find the edge with the join tokens it makes"
        }
        // A literal address "is" itself; a name "resolves to" its addresses.
        let literal = resolved == [name]
        let shown = literal ? name : "\(name) resolves to \(resolved.sorted().joined(separator: ", "))"
        if resolved.contains(where: isUnspecified) {
            return "--hostname \(literal ? name : shown) is \"any address\", which a home cannot dial: "
                + "give the edge's public DNS name or address"
        }
        if resolved.allSatisfy(isLoopback) {
            return "--hostname \(literal ? "\(name) is" : "\(name) resolves to") loopback only: only homes on this machine can use the join tokens"
        }
        if isLoopback(bind) {
            return "--bind \(bind) is loopback only, but join tokens name \(name): homes on other machines cannot reach "
                + "the tunnel port; bind to 0.0.0.0 (the default) or to the address behind \(name)"
        }
        guard resolved.isDisjoint(with: localAddresses()) else { return nil }
        return "--hostname \(literal ? "\(name) is" : shown + ",") \(literal ? "not" : "none of them") an address of this machine: "
            + "fine behind a NAT or load balancer that forwards the tunnel port, otherwise homes will dial the wrong place"
    }

    private static func isUnspecified(_ address: String) -> Bool {
        address == "0.0.0.0" || address == "::"
    }

    private static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "localhost"
    }

    /// The numeric addresses `name` resolves to, or nil if it does not.
    private static func addresses(of name: String) -> Set<String>? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var found: Set<String> = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr, let text = numeric(address, length: current.pointee.ai_addrlen) {
                found.insert(text)
            }
            entry = current.pointee.ai_next
        }
        return found
    }

    /// Every address of this machine's interfaces.
    static func localAddresses() -> Set<String> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var found: Set<String> = []
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let current = entry {
            if let address = current.pointee.ifa_addr {
                let family = Int32(address.pointee.sa_family)
                let length = family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
                if family == AF_INET || family == AF_INET6, let text = numeric(address, length: socklen_t(length)) {
                    found.insert(text)
                }
            }
            entry = current.pointee.ifa_next
        }
        return found
    }

    private static func numeric(_ address: UnsafePointer<sockaddr>, length: socklen_t) -> String? {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
        // A link-local IPv6 address comes with its zone ("fe80::1%eth0").
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: "%").first.map(String.init)
    }
}
