import Testing
@testable import EdgeAgent

@Suite("The edge's name in join tokens")
struct TokenAddressCheckTests {
    @Test("no --hostname, a loopback name, or an address not of this machine: a warning that says why; one of its own addresses: none")
    func warnings() throws {
        let missing = TokenAddressCheck.warning(hostnames: ["localhost"], given: false)
        #expect(missing?.hasPrefix("no --hostname given: join tokens name localhost") == true)
        let loopback = TokenAddressCheck.warning(hostnames: ["127.0.0.1"], given: true)
        #expect(loopback?.contains("resolves to loopback only") == true)
        // TEST-NET-1 (RFC 5737) is nobody's address.
        let elsewhere = TokenAddressCheck.warning(hostnames: ["192.0.2.1"], given: true)
        #expect(elsewhere?.contains("192.0.2.1, none of them an address of this machine: fine behind a NAT") == true)
        let own = TokenAddressCheck.localAddresses().filter { !$0.hasPrefix("127.") && $0 != "::1" }
        for address in own.prefix(2) {
            #expect(TokenAddressCheck.warning(hostnames: [address], given: true) == nil, "\(address)")
        }
    }
}
