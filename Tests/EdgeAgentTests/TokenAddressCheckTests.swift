import Testing
@testable import EdgeAgent

@Suite("The edge's name in join tokens")
struct TokenAddressCheckTests {
    @Test("no --hostname, a loopback name, or an address not of this machine: a warning that says why; one of its own addresses: none")
    func warnings() throws {
        let missing = TokenAddressCheck.warning(hostnames: ["localhost"], given: false)
        #expect(missing?.hasPrefix("no --hostname given: join tokens name localhost") == true)
        let loopback = TokenAddressCheck.warning(hostnames: ["127.0.0.1"], given: true)
        #expect(loopback?.contains("127.0.0.1 is loopback only") == true, "\(loopback ?? "")")
        let named = TokenAddressCheck.warning(hostnames: ["localhost"], given: true)
        #expect(named?.contains("localhost resolves to loopback only") == true, "\(named ?? "")")
        let any = TokenAddressCheck.warning(hostnames: ["0.0.0.0"], given: true)
        #expect(any?.contains("0.0.0.0 is \"any address\", which a home cannot dial") == true, "\(any ?? "")")
        // TEST-NET-1 (RFC 5737) is nobody's address.
        let elsewhere = TokenAddressCheck.warning(hostnames: ["192.0.2.1"], given: true)
        #expect(elsewhere?.contains("--hostname 192.0.2.1 is not an address of this machine: fine behind a NAT") == true,
                "\(elsewhere ?? "")")
        let boundToLoopback = TokenAddressCheck.warning(hostnames: ["192.0.2.1"], given: true, bind: "127.0.0.1")
        #expect(boundToLoopback?.hasPrefix("--bind 127.0.0.1 is loopback only, but join tokens name 192.0.2.1") == true,
                "\(boundToLoopback ?? "")")
        let own = TokenAddressCheck.localAddresses().filter { !$0.hasPrefix("127.") && $0 != "::1" }
        for address in own.prefix(2) {
            #expect(TokenAddressCheck.warning(hostnames: [address], given: true) == nil, "\(address)")
        }
    }
}
