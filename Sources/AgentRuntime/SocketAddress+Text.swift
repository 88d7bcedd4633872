import NIOCore

extension Optional where Wrapped == SocketAddress {
    /// The address as an operator writes it: `203.0.113.7:51234`,
    /// `[2001:db8::1]:443`, a Unix socket's path, or `-` when unknown,
    /// instead of NIO's `[IPv4]203.0.113.7/203.0.113.7:51234`.
    public var plainText: String {
        guard let address = self else { return "-" }
        switch address {
        case .v4:
            return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6:
            return "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket:
            return address.pathname ?? "unix socket"
        }
    }
}
