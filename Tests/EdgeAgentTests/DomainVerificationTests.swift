import DNS
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

/// Domain ownership proof ([PROOF-1]): the value, its key file, and the check
/// a claim goes through, against a real registry and a real DNS responder on
/// loopback.
@Suite("Domain ownership proof by DNS TXT record", .timeLimit(.minutes(1)))
struct DomainVerificationTests {
    @Test("HMAC-SHA256 matches RFC 4231 test case 2")
    func hmacVector() {
        let mac = HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(SHA256.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("the key file is created 0600 once and reloads to the same values; values differ per home and domain")
    func keyAndValues() throws {
        let directory = try AuthorityTestDirectory()
        let key = try DomainProofKey.loadOrCreate(in: directory.data)
        #expect(directory.mode(directory.path(DomainProofKey.fileName)) == 0o600)
        let proof = key.proof(home: "alice", domain: "example.com")
        #expect(proof.recordName == "_portico.example.com")
        #expect(proof.value.hasPrefix("portico-verify="))
        #expect(proof.value.count == "portico-verify=".count + 43)
        #expect(try DomainProofKey.loadOrCreate(in: directory.data).proof(home: "alice", domain: "example.com") == proof)
        #expect(key.proof(home: "bob", domain: "example.com").value != proof.value)
        #expect(key.proof(home: "alice", domain: "example.org").value != proof.value)
        // Another edge (another key) asks for another value.
        #expect(DomainProofKey(bytes: Array(repeating: 7, count: 32)).proof(home: "alice", domain: "example.com") != proof)

        directory.chmod(DomainProofKey.fileName, 0o644)
        #expect(throws: AuthorityError.self) { try DomainProofKey.loadOrCreate(in: directory.data) }
    }

    @Test("a claim is refused without the record and with another value, accepted with the right one; the reply carries the record")
    func claimThroughControlService() async throws {
        try await withVerifyingEdge { edge in
            let refused = try await edge.add("example.com")
            #expect(refused.domains == [])
            #expect(refused.error?.code == "verification_required")
            let proof = edge.verifier.key.proof(home: "alice", domain: "example.com")
            #expect(refused.verification == DomainVerificationRecord(name: "_portico.example.com", value: proof.value))
            #expect(refused.error?.message.hasPrefix(
                "to prove this home owns example.com, publish TXT _portico.example.com \"\(proof.value)\" then run this again") == true)
            #expect(refused.error?.message.contains("found no such record") == true)

            // Bob's value for the same domain does not prove Alice's claim.
            let bobs = edge.verifier.key.proof(home: "bob", domain: "example.com").value
            edge.dns.setRecords([.txt(try DNSDomainName("_portico.example.com"), bobs)])
            let wrong = try await edge.add("Example.COM")
            #expect(wrong.error?.code == "verification_required")
            #expect(wrong.error?.message.contains("the edge found \"\(bobs)\" there") == true)

            edge.dns.setRecords([
                .txt(try DNSDomainName("_portico.example.com"), bobs),
                .txt(try DNSDomainName("_portico.example.com"), proof.value),
            ])
            let accepted = try await edge.add("example.com")
            #expect(accepted.error == nil)
            #expect(accepted.verification == nil)
            #expect(accepted.domains == ["example.com"])

            // Under a domain the home holds: no new record needed. Another domain: one is.
            edge.dns.setRecords([])
            #expect(try await edge.add("blog.example.com").error == nil)
            #expect(try await edge.add("example.org").error?.code == "verification_required")
        }
    }

    @Test("claims the registry refuses anyway get its reason, not a request for proof")
    func registryReasonsFirst() async throws {
        try await withVerifyingEdge { edge in
            _ = try await edge.registry.createHome(name: "bob", now: Date())
            try await edge.registry.claimDomain("example.com", home: "bob", now: Date())
            #expect(try await edge.add("shop.example.com").error?.code == "overlap")
            #expect(try await edge.add("co.uk").error?.code == "public_suffix")
            #expect(try await edge.add("bad..name").error?.code == "invalid_domain")
            #expect(edge.dns.queryCounts.udp == 0)
        }
    }

    @Test("nameservers that do not answer: verification_unavailable, naming the server and the record")
    func lookupFailure() async throws {
        try await withVerifyingEdge(dnsTimeout: .milliseconds(300)) { edge in
            edge.dns.ignoreUDPQueries(100)
            let result = try await edge.add("example.com")
            #expect(result.error?.code == "verification_unavailable")
            #expect(result.error?.message.contains("The edge could not check it now: no nameserver answered the TXT query for _portico.example.com") == true)
            #expect(result.error?.message.contains(edge.dns.address) == true)
            #expect(result.verification?.name == "_portico.example.com")
        }
    }

    /// A registry with home alice, a DNS responder, and alice's control
    /// service with a verifier asking that responder.
    /// The DNS timeout is generous, as a loaded machine needs; only the
    /// test of a silent server shortens it.
    private func withVerifyingEdge(
        dnsTimeout: Duration = .seconds(5), _ body: (VerifyingEdge) async throws -> Void
    ) async throws {
        let directory = try AuthorityTestDirectory()
        let dns = try await DNSTestResponder()
        let registry = try RegistryFixture.open(directory.root)
        do {
            _ = try await registry.createHome(name: "alice", now: Date())
            let verifier = DomainVerifier(
                key: try DomainProofKey.loadOrCreate(in: directory.data),
                resolver: DNSResolver(
                    servers: [try DNSServerAddress(parsing: dns.address)], timeout: dnsTimeout, attempts: 1,
                    group: MultiThreadedEventLoopGroup.singleton))
            let logger = Logger(label: "test.domain-verification")
            let service = HomeControlService(
                home: "alice", registry: registry, addresses: EdgePublicAddresses(hostname: "edge.portico.test"),
                now: { Date() }, logger: logger,
                renewal: CertificateRenewalService(home: "alice", registry: registry, authority: try directory.open(), logger: logger),
                domainVerifier: verifier)
            try await body(VerifyingEdge(registry: registry, dns: dns, verifier: verifier, service: service))
        } catch {
            try? registry.close()
            await dns.stop()
            throw error
        }
        try? registry.close()
        await dns.stop()
    }
}

private struct VerifyingEdge {
    let registry: Registry
    let dns: DNSTestResponder
    let verifier: DomainVerifier
    let service: HomeControlService

    /// DOMAIN_REQUEST add, answered as it goes on the wire: encoded, then decoded.
    func add(_ domain: String) async throws -> DomainResult {
        let request = ControlMessage.domainRequest(DomainRequest(requestID: 9, action: .add, domain: domain))
        let reply = try #require(await service.reply(to: .domainRequest, body: request.encodedBody()))
        // The field as [PROOF-2] spells it on the wire.
        let json = try JSONSerialization.jsonObject(with: Data(reply.body.readableBytesView)) as? [String: Any]
        if let record = json?["verification"] as? [String: String] {
            #expect(Set(record.keys) == ["name", "type", "value"])
            #expect(record["type"] == "TXT")
        }
        guard case .domainResult(let result)? = try ControlMessage.decode(kind: reply.kind, body: reply.body) else {
            throw DomainVerificationTestFailure()
        }
        #expect(result.requestID == 9)
        return result
    }
}

private struct DomainVerificationTestFailure: Error {}
