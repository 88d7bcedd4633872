import DNS
import Testing

@Suite("nameservers from resolv.conf and --dns-server text")
struct ResolvConfTests {
    @Test("nameserver lines in order, IPv4 and IPv6; other lines, names and scoped addresses skipped")
    func nameservers() {
        let text = """
            # generated
            search example.com
            nameserver 10.0.0.2
            nameserver\t2001:db8::53
            nameserver fe80::1%eth0
            nameserver dns.example.com
            options edns0
            """
        #expect(ResolvConf.nameservers(in: text).map(\.description) == ["10.0.0.2:53", "[2001:db8::53]:53"])
        #expect(ResolvConf.nameservers(in: "search x\n").map(\.description) == ["127.0.0.1:53"])
    }

    @Test("HOST, HOST:PORT and [IPV6]:PORT parse; names and bad ports are refused with what to give")
    func serverAddresses() throws {
        #expect(try DNSServerAddress(parsing: "127.0.0.1:5353").description == "127.0.0.1:5353")
        #expect(try DNSServerAddress(parsing: "[::1]:53").description == "[::1]:53")
        #expect(try DNSServerAddress(parsing: "::1").description == "[::1]:53")
        #expect(try DNSServerAddress(parsing: "9.9.9.9").port == 53)
        #expect(throws: DNSServerAddressError.notAnIPAddress("dns.google")) { try DNSServerAddress(parsing: "dns.google:53") }
        #expect(throws: DNSServerAddressError.badPort("70000")) { try DNSServerAddress(parsing: "127.0.0.1:70000") }
    }
}
