import Foundation

/// Ports for servers that cannot be told to pick their own (`--tcp-ports`,
/// nginx): found free by binding them on 127.0.0.1 and letting go.
public enum FreePorts {
    /// One free port chosen by the kernel.
    public static func one() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EdgeServerFailure("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw EdgeServerFailure("could not bind an ephemeral port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `count` consecutive free ports between 20000 and 32000: below Linux's
    /// ephemeral range (32768-60999), so no client socket of a parallel test
    /// takes one of them between this check and the edge's bind.
    public static func range(count: Int) throws -> ClosedRange<Int> {
        for _ in 0..<50 {
            let low = Int.random(in: 20_000...(32_000 - count))
            if (low..<(low + count)).allSatisfy(isFree) { return low...(low + count - 1) }
        }
        throw EdgeServerFailure("found no \(count) consecutive free ports")
    }

    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Whether something accepts connections on 127.0.0.1:`port`. A connect,
    /// not a bind: probing by binding could take the port from the server
    /// that is about to bind it.
    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
