import DNS
import Foundation
import Testing
import TestSupport

/// The DNS TXT proof settings from the edge's config file and environment,
/// with the real binaries: the file alone turns proof on (a claim is refused
/// until the record exists), and mistakes stop `serve` naming their source.
@Suite("domain verification from the edge's config file and environment", .timeLimit(.minutes(2)))
struct DomainVerificationConfigFileTests {
    @Test("domain_verification, dns_server and dns_timeout in the file make serve require the TXT record")
    func fileTurnsProofOn() async throws {
        let directory = try EdgeConfigFileProcessTests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dns = try await DNSTestResponder()
        let config = directory.appendingPathComponent("edge.yaml")
        try "domain_verification: txt\ndns_server: [\"\(dns.address)\"]\ndns_timeout: 5\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let home: HomeCLIFixture
        do {
            home = try await HomeCLIFixture(edgeArguments: ["--config", config.path])
        } catch {
            await dns.stop()
            throw error
        }
        do {
            let refused = try await home.homeagent(["domain", "add", "example.com"])
            #expect(refused.status == 1)
            let value = try #require(DomainVerificationCLITests.publishedValue(in: refused.error), "stderr: \(refused.error)")
            dns.setRecords([.txt(try DNSDomainName("_portico.example.com"), value)])
            let added = try await home.homeagent(["domain", "add", "example.com"])
            #expect(added.status == 0, "stderr: \(added.error)")
        } catch {
            await home.stop()
            await dns.stop()
            throw error
        }
        await home.stop()
        await dns.stop()
    }

    @Test("a nameserver without txt, or a bad value, stops serve naming the file and line or the variable")
    func mistakesAreNamed() async throws {
        let directory = try EdgeConfigFileProcessTests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("edge.yaml")
        func serve(_ text: String, environment: [String: String] = [:]) async throws -> AgentRun {
            try text.write(to: config, atomically: true, encoding: .utf8)
            return try await AgentRun.run("edgeagent", ["serve", "--config", config.path], environment: environment)
        }
        let unused = try await serve("dns_server: 127.0.0.1:53\n")
        #expect(unused.status != 0)
        #expect(unused.error.contains(
            "dns_server in \(config.path) is only used with domain_verification: txt; add that, or drop it"), "\(unused.error)")
        let mode = try await serve("base_port: 8443\ndomain_verification: yes\n")
        #expect(mode.status != 0)
        #expect(mode.error.contains("\(config.path) line 2: domain_verification: \"yes\" is not one of none, txt"), "\(mode.error)")
        let timeout = try await serve("domain_verification: txt\n", environment: ["PORTICO_DNS_TIMEOUT": "10"])
        #expect(timeout.status != 0)
        #expect(timeout.error.contains("PORTICO_DNS_TIMEOUT=10 in the environment: 10 is outside 1-5"), "\(timeout.error)")
    }
}
