// [ENROLL-7]: the tunnel certificate names every --hostname, IP addresses as
// IP address subjectAltNames, so a home that dials the edge by address (a
// token whose host is 127.0.0.1) can verify that name too. Checked with our
// parser and with the openssl CLI.

import Foundation
import Testing
@testable import EdgeAgent

@Suite(.timeLimit(.minutes(1))) struct AuthorityTunnelAddressTests {
    @Test func ipHostnamesBecomeIPAddressSANs() throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open(hostnames: ["127.0.0.1", "edge.portico.test", "::1", "0:0::1", "2001:DB8::7"])
        #expect(authority.tunnelAddresses == ["127.0.0.1", "::1", "2001:db8::7"])
        #expect(authority.tunnelCertificate.ipAddresses == ["127.0.0.1", "::1", "2001:db8::7"])
        #expect(authority.tunnelCertificate.dnsNames == ["edge.portico.test", "localhost"])
        #expect(authority.tunnelNames == ["edge.portico.test", "localhost"])
    }

    @Test("openssl shows the IP SANs and verifies the certificate for 127.0.0.1 against the CA")
    func opensslVerifiesTheAddress() async throws {
        let dir = try AuthorityTestDirectory()
        _ = try dir.open(hostnames: ["127.0.0.1"])
        let text = try await authorityRunOpenSSL(["x509", "-in", dir.path("tunnel.pem"), "-noout", "-text"])
        #expect(text.status == 0)
        #expect(text.output.contains("IP Address:127.0.0.1"), "\(text.output)")
        #expect(text.output.contains("DNS:localhost"))
        let verified = try await authorityRunOpenSSL(["verify", "-CAfile", dir.path("ca.pem"), "-purpose", "sslserver",
                                                      "-verify_ip", "127.0.0.1", dir.path("tunnel.pem")])
        #expect(verified.status == 0, "\(verified.output)")
        let other = try await authorityRunOpenSSL(["verify", "-CAfile", dir.path("ca.pem"), "-verify_ip", "127.0.0.2",
                                                   dir.path("tunnel.pem")])
        #expect(other.status != 0, "an address the edge was not given verified: \(other.output)")
    }

    @Test("a tunnel certificate issued without the edge's IP address is reissued at the next start")
    func missingAddressIsReissued() throws {
        let dir = try AuthorityTestDirectory()
        let first = try dir.open(hostnames: ["edge.portico.test"])
        #expect(first.tunnelCertificate.ipAddresses.isEmpty)
        let second = try dir.open(hostnames: ["edge.portico.test", "127.0.0.1"])
        #expect(second.events == [.issuedTunnelCertificate(.namesChanged)])
        #expect(second.tunnelCertificate.ipAddresses == ["127.0.0.1"])
        #expect(try dir.open(hostnames: ["edge.portico.test", "127.0.0.1"]).events.isEmpty)
    }
}
