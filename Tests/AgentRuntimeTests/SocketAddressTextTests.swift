import AgentRuntime
import NIOCore
import Testing

/// Peer addresses in logs read as an operator writes them.
@Suite struct SocketAddressTextTests {
    @Test("IPv4 as host:port, IPv6 in brackets, unknown as -")
    func plainText() throws {
        let v4: SocketAddress? = try SocketAddress(ipAddress: "203.0.113.7", port: 51_234)
        let v6: SocketAddress? = try SocketAddress(ipAddress: "2001:db8::1", port: 443)
        #expect(v4.plainText == "203.0.113.7:51234")
        #expect(v6.plainText == "[2001:db8::1]:443")
        #expect((nil as SocketAddress?).plainText == "-")
    }
}
