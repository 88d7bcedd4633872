#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import NIOCore

/// A listener that could not open its port, named so the operator knows
/// which flag to change: "public TLS port 127.0.0.1:8443 is in use by
/// another process".
public struct ListenError: Error, CustomStringConvertible {
    /// What listens there, as the operator knows it: "public TLS port", "tunnel port".
    public var listener: String
    public var host: String
    public var port: Int
    public var underlying: any Error

    public init(listener: String, host: String, port: Int, underlying: any Error) {
        self.listener = listener
        self.host = host
        self.port = port
        self.underlying = underlying
    }

    public var description: String {
        let address = "\(listener) \(host):\(port)"
        switch (underlying as? IOError)?.errnoCode {
        case EADDRINUSE?: return "\(address) is in use by another process"
        case EADDRNOTAVAIL?: return "\(address) cannot be opened: \(host) is not an address of this machine"
        case EACCES?: return "\(address) cannot be opened: ports below 1024 need root or CAP_NET_BIND_SERVICE"
        default: return "\(address) cannot be opened: \(NetworkErrorText.describe(underlying))"
        }
    }

    /// Runs `bind`, naming the listener in the error if it fails.
    public static func naming<Result>(
        _ listener: String, host: String, port: Int, _ bind: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await bind()
        } catch {
            throw ListenError(listener: listener, host: host, port: port, underlying: error)
        }
    }
}
