import DNS
import Foundation
import Testing
import TestSupport

/// `edgeagent serve --domain-verification txt` with `homeagent domain add`
/// as real processes, the edge asking a DNS responder the test runs.
@Suite("homeagent domain add against an edge that requires a DNS TXT record", .timeLimit(.minutes(2)))
struct DomainVerificationCLITests {
    @Test("refused with the exact record to publish, again with a wrong value; accepted once it is published; subdomains need none")
    func domainAddNeedsRecord() async throws {
        let dns = try await DNSTestResponder()
        let home: HomeCLIFixture
        do {
            home = try await HomeCLIFixture(edgeArguments: Self.edgeArguments(dns))
        } catch {
            await dns.stop()
            throw error
        }
        do {
            try await checkClaims(home, dns)
        } catch {
            await home.stop()
            await dns.stop()
            throw error
        }
        await home.stop()
        await dns.stop()
    }

    private func checkClaims(_ home: HomeCLIFixture, _ dns: DNSTestResponder) async throws {
        let refused = try await home.homeagent(["domain", "add", "example.com"])
        #expect(refused.status == 1)
        let value = try #require(Self.publishedValue(in: refused.error), "stderr: \(refused.error)")
        #expect(refused.error.contains(
            "to prove this home owns example.com, publish TXT _portico.example.com \"\(value)\" then run this again "
                + "(the edge found no such record"), "stderr: \(refused.error)")
        #expect(refused.error.contains("(verification_required)"))
        #expect(value.count == "portico-verify=".count + 43)
        // The same value every time: nothing depends on when it is asked.
        let again = try await home.homeagent(["domain", "add", "example.com"])
        #expect(Self.publishedValue(in: again.error) == value)

        let name = try DNSDomainName("_portico.example.com")
        dns.setRecords([.txt(name, "portico-verify=not-this-one")])
        let wrong = try await home.homeagent(["domain", "add", "example.com"])
        #expect(wrong.status == 1)
        #expect(wrong.error.contains("the edge found \"portico-verify=not-this-one\" there"), "stderr: \(wrong.error)")

        dns.setRecords([.txt(name, value)])
        let added = try await home.homeagent(["domain", "add", "example.com"])
        #expect(added.status == 0, "stderr: \(added.error)")
        #expect(added.output == "added example.com\ndomains: example.com\n")

        dns.setRecords([])
        #expect(try await home.homeagent(["domain", "add", "www.example.com"]).status == 0)
        let other = try await home.homeagent(["domain", "add", "example.org"])
        #expect(other.status == 1)
        #expect(other.error.contains("publish TXT _portico.example.org \"portico-verify="), "stderr: \(other.error)")
    }

    @Test("through a running homeagent (its control socket) the refusal reads the same, and the claim then succeeds")
    func throughRunningAgent() async throws {
        let dns = try await DNSTestResponder()
        let home: HomeCLIFixture
        do {
            home = try await HomeCLIFixture(edgeArguments: Self.edgeArguments(dns))
        } catch {
            await dns.stop()
            throw error
        }
        let log = URL(fileURLWithPath: home.config).deletingLastPathComponent().appendingPathComponent("run.log").path
        let agent = try SpawnedProcess(AgentRun.binary("homeagent"), ["run", "--config", home.config], output: log, error: log)
        do {
            // Connected: `status` exits 0 (no forwards to wait for). Each poll is a process, bounded in number.
            var connected = false
            for _ in 0..<100 where !connected && agent.isRunning {
                connected = try await home.homeagent(["status"]).status == 0
                if !connected { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(connected, "homeagent run did not connect: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

            let refused = try await home.homeagent(["domain", "add", "example.com"])
            #expect(refused.status == 1)
            let value = try #require(Self.publishedValue(in: refused.error), "stderr: \(refused.error)")
            #expect(refused.error.contains("publish TXT _portico.example.com \"\(value)\" then run this again"))
            #expect(refused.error.contains("(verification_required)"), "stderr: \(refused.error)")

            dns.setRecords([.txt(try DNSDomainName("_portico.example.com"), value)])
            let added = try await home.homeagent(["domain", "add", "example.com"])
            #expect(added.status == 0, "stderr: \(added.error)")
            #expect(added.output == "added example.com\ndomains: example.com\n")
        } catch {
            _ = await agent.terminate(timeout: .seconds(10))
            await home.stop()
            await dns.stop()
            throw error
        }
        _ = await agent.terminate(timeout: .seconds(10))
        await home.stop()
        await dns.stop()
    }

    @Test("edgeagent domain add for a home needs the record too, unless --skip-verification")
    func operatorClaim() async throws {
        let dns = try await DNSTestResponder()
        let home: HomeCLIFixture
        do {
            home = try await HomeCLIFixture(edgeArguments: Self.edgeArguments(dns))
        } catch {
            await dns.stop()
            throw error
        }
        do {
            let refused = try await home.edgeagent(["domain", "add", "example.com", "--home", "alice"])
            #expect(refused.status != 0)
            #expect(refused.error.contains("to prove this home owns example.com, publish TXT _portico.example.com \"portico-verify="),
                    "stderr: \(refused.error)")
            #expect(refused.error.contains(
                "An operator who knows alice holds it can skip the check: edgeagent domain add example.com --home alice --skip-verification."))
            let skipped = try await home.edgeagent(["domain", "add", "example.com", "--home", "alice", "--skip-verification"])
            #expect(skipped.status == 0, "stderr: \(skipped.error)")
            #expect(skipped.output == "alice holds example.com\n")
            #expect(try await home.homeagent(["domain", "list"]).output == "example.com\n")
        } catch {
            await home.stop()
            await dns.stop()
            throw error
        }
        await home.stop()
        await dns.stop()
    }

    @Test("serve refuses a --dns-server that is not an IP address, or one nothing would ask, saying what to do")
    func badDNSServer() async throws {
        let run = try await AgentRun.run("edgeagent", ["serve", "--domain-verification", "txt", "--dns-server", "dns.example.com:53"])
        #expect(run.status != 0)
        #expect(run.error.contains("--dns-server: 'dns.example.com' is not a nameserver address; give an IP address"), "stderr: \(run.error)")
        let unused = try await AgentRun.run("edgeagent", ["serve", "--dns-server", "127.0.0.1:53"])
        #expect(unused.status != 0)
        #expect(unused.error.contains("--dns-server is only used with --domain-verification txt"), "stderr: \(unused.error)")
        let slow = try await AgentRun.run("edgeagent", ["serve", "--domain-verification", "txt", "--dns-timeout", "30"])
        #expect(slow.status != 0)
        #expect(slow.error.contains("--dns-timeout must be 1-5 seconds, got 30"), "stderr: \(slow.error)")
    }

    /// Proof required, asking `dns`; 5 s per try, so a loaded machine's slow
    /// loopback answer is not taken for a silent nameserver.
    static func edgeArguments(_ dns: DNSTestResponder) -> [String] {
        ["--domain-verification", "txt", "--dns-server", dns.address, "--dns-timeout", "5"]
    }

    /// The `portico-verify=…` value between quotes in a refusal.
    static func publishedValue(in text: String) -> String? {
        guard let start = text.range(of: "\"portico-verify=") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return "portico-verify=" + rest[..<end]
    }
}
