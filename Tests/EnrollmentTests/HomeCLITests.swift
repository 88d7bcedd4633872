import TestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HomeAgent

/// `homeagent domain`, `sync`, `expose` and `unexpose` as real processes
/// against a real `edgeagent serve`, over mutual TLS with the files `join` wrote.
@Suite("homeagent domain, sync, expose and unexpose against a running edge", .timeLimit(.minutes(2)))
struct HomeCLITests {
    @Test("domain add claims example.com; com and co.uk are refused as public suffixes with exit status 1")
    func domainAdd() async throws {
        let home = try await HomeCLIFixture()
        #expect(try await home.homeagent(["domain", "list"]).output == "(none)\n")

        let added = try await home.homeagent(["domain", "add", "example.com"])
        #expect(added.status == 0, "stderr: \(added.error)")
        #expect(added.output == "added example.com\ndomains: example.com\n")
        #expect(try await home.homeagent(["domain", "add", "example.org"]).status == 0)
        let listed = try await home.homeagent(["domain", "list"])
        #expect(listed.status == 0, "stderr: \(listed.error)")
        #expect(listed.output == "example.com\nexample.org\n")
        #expect(try await home.homeagent(["domain", "list", "--json"]).output == #"{"domains":["example.com","example.org"]}"# + "\n")
        #expect(try await home.homeagent(["domain", "remove", "example.org"]).status == 0)

        // A single label is refused before the list is consulted, under the same code.
        let single = try await home.homeagent(["domain", "add", "com"])
        #expect(single.status == 1)
        #expect(single.error == #"Error: the edge refused: "com" needs at least two labels, such as example.com. (public_suffix)"# + "\n")
        let suffix = try await home.homeagent(["domain", "add", "co.uk"])
        #expect(suffix.status == 1)
        #expect(suffix.error.contains("'co.uk' is a public suffix; claim a domain registered under it instead"), "stderr: \(suffix.error)")
        #expect(suffix.error.contains("(public_suffix)"))

        let removed = try await home.homeagent(["domain", "remove", "example.com"])
        #expect(removed.status == 0, "stderr: \(removed.error)")
        #expect(removed.output == "removed example.com\ndomains: (none)\n")
        await home.stop()
    }

    @Test("expose https and tcp print their public addresses; sync keeps the TCP port; unexpose releases it")
    func exposeSyncUnexpose() async throws {
        let home = try await HomeCLIFixture()
        #expect(try await home.homeagent(["domain", "add", "example.com"]).status == 0)
        let https = "https://blog.example.com:\(home.edge.ports.https)"

        let web = try await home.homeagent(["expose", "web", "--type", "https", "--hostname", "blog.example.com", "--target", "127.0.0.1:8443"])
        #expect(web.status == 0, "stderr: \(web.error)")
        #expect(web.output.contains("web  \(https)\n"), "stdout: \(web.output)")

        let ssh = try await home.homeagent(["expose", "ssh", "--type", "tcp", "--target", "127.0.0.1:22"])
        #expect(ssh.status == 0, "stderr: \(ssh.error)")
        let port = try #require(Self.tcpPort(of: "ssh", in: ssh.output), "stdout: \(ssh.output)")
        #expect(home.edge.tcpPorts.contains(port))

        let first = try await home.homeagent(["sync"])
        let second = try await home.homeagent(["sync"])
        #expect(first.status == 0 && second.status == 0, "stderr: \(first.error) \(second.error)")
        #expect(first.output == "web  \(https)\nssh  127.0.0.1:\(port)\n")
        #expect(second.output == first.output)

        let json = try await home.homeagent(["sync", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let forwards = document?["forwards"] as? [[String: Any]]
        #expect(document?["home"] as? String == "alice")
        #expect(forwards?.map { $0["public_address"] as? String } == [https, "127.0.0.1:\(port)"])

        let routesBefore = try await home.edgeagent(["route", "list", "--json"])
        #expect(routesBefore.output.contains("\"public_address\" : \"127.0.0.1:\(port)\""), "routes: \(routesBefore.output)")

        let unexposed = try await home.homeagent(["unexpose", "ssh"])
        #expect(unexposed.status == 0, "stderr: \(unexposed.error)")
        #expect(unexposed.output == "removed forward \"ssh\" from \(home.config)\nweb  \(https)\n")
        #expect(!(try String(contentsOfFile: home.config, encoding: .utf8)).contains("ssh"))
        let mode = try FileManager.default.attributesOfItem(atPath: home.config)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let routesAfter = try await home.edgeagent(["route", "list"])
        #expect(routesAfter.status == 0 && routesAfter.output.contains("blog.example.com"), "routes: \(routesAfter.output)")
        #expect(!routesAfter.output.contains("127.0.0.1:\(port)"), "routes: \(routesAfter.output)")
        await home.stop()
    }

    @Test("a hostname outside the home's domains is saved but reported as rejected, with exit status 1")
    func foreignDomain() async throws {
        let home = try await HomeCLIFixture()
        #expect(try await home.homeagent(["domain", "add", "example.com"]).status == 0)

        let app = try await home.homeagent(["expose", "app", "--type", "http", "--hostname", "app.other.org", "--target", "127.0.0.1:8080"])
        #expect(app.status == 1)
        #expect(app.output.contains("app  error: 'app.other.org' is not under any base domain of this home"), "stdout: \(app.output)")
        #expect(app.output.contains("(foreign_domain)"))
        #expect(try String(contentsOfFile: home.config, encoding: .utf8).contains("app.other.org"))
        #expect(try await home.homeagent(["sync"]).status == 1)
        await home.stop()
    }

    @Test("edgeagent sets a home's TCP port quota; a forward beyond it is reported by homeagent until it is raised")
    func tcpPortQuota() async throws {
        let home = try await HomeCLIFixture()
        let limited = try await home.edgeagent(["home", "limit", "alice", "--tcp-ports", "1"])
        #expect(limited.status == 0, "stderr: \(limited.error)")
        #expect(limited.output.hasSuffix(", tcp ports 1\n"), "stdout: \(limited.output)")

        let first = try await home.homeagent(["expose", "ssh", "--type", "tcp", "--target", "127.0.0.1:22"])
        #expect(first.status == 0, "stderr: \(first.error)")
        let port = try #require(Self.tcpPort(of: "ssh", in: first.output), "stdout: \(first.output)")
        let second = try await home.homeagent(["expose", "db", "--type", "tcp", "--target", "127.0.0.1:5432"])
        #expect(second.status == 1)
        #expect(second.output.contains("db   error: Home 'alice' may hold at most 1 public TCP port (its quota)"),
                "stdout: \(second.output)")
        #expect(second.output.contains("`edgeagent home limit alice --tcp-ports N`"), "stdout: \(second.output)")
        #expect(second.output.contains("(port_quota_exceeded)"))

        #expect(try await home.edgeagent(["home", "limit", "alice", "--tcp-ports", "2"]).status == 0)
        let synced = try await home.homeagent(["sync"])
        #expect(synced.status == 0, "stdout: \(synced.output) stderr: \(synced.error)")
        #expect(Self.tcpPort(of: "ssh", in: synced.output) == port)
        #expect(Self.tcpPort(of: "db", in: synced.output) != nil)

        let created = try await home.edgeagent(["home", "create", "bob", "--tcp-ports", "3"])
        #expect(created.status == 0, "stderr: \(created.error)")
        let shown = try await home.edgeagent(["home", "show", "bob"])
        #expect(shown.output.contains("tcp ports at most 3"), "stdout: \(shown.output)")
        let refused = try await home.edgeagent(["home", "limit", "bob", "--tcp-ports", "65536"])
        #expect(refused.status != 0 && refused.error.contains("--tcp-ports 65536: a quota is 0 to 65535 ports"),
                "stderr: \(refused.error)")
        await home.stop()
    }

    @Test("bad expose input names the field and leaves the config unchanged", arguments: [
        (["expose", "x", "--type", "udp", "--target", "127.0.0.1:1"], "--type"),
        (["expose", "x", "--type", "tcp"], "--target"),
        (["expose", "x", "--type", "tcp", "--target", "127.0.0.1"], "--target"),
        (["expose", "x", "--type", "https", "--target", "127.0.0.1:1"], "--hostname is required"),
        (["expose", "x", "--type", "tcp", "--hostname", "a.example.com", "--target", "127.0.0.1:1"], "--hostname is not allowed"),
        (["expose", "x", "--type", "https", "--hostname", "my_blog.example.com", "--target", "127.0.0.1:1"], "--hostname: the label \"my_blog\" may only contain"),
        (["expose", "Bad_Name", "--type", "tcp", "--target", "127.0.0.1:1"], "name \"Bad_Name\""),
        (["expose", "web", "--type", "tcp", "--target", "127.0.0.1:1"], "name \"web\" is already used"),
        (["unexpose", "nothere"], "no forward named \"nothere\""),
    ])
    func badInput(arguments: [String], field: String) async throws {
        let home = try await HomeCLIFixture()
        let setup = try await home.homeagent(["expose", "web", "--type", "https", "--hostname", "blog.example.com", "--target", "127.0.0.1:8443", "--no-sync"])
        #expect(setup.status == 0, "stderr: \(setup.error)")
        let before = try home.configBytes()

        let refused = try await home.homeagent(arguments)
        #expect(refused.status != 0)
        #expect(refused.error.contains(field), "stderr: \(refused.error)")
        #expect(try home.configBytes() == before)
        await home.stop()
    }

    @Test("a deleted home is told the edge no longer accepts its certificate; a stopped edge is unreachable")
    func deletedHomeAndStoppedEdge() async throws {
        let home = try await HomeCLIFixture()
        #expect(try await home.homeagent(["sync"]).status == 0)

        #expect(try await home.edgeagent(["home", "delete", "alice"]).status == 0)
        let deleted = try await home.homeagent(["sync"])
        #expect(deleted.status == 1)
        #expect(deleted.error.contains("no longer accepts this home's certificate (deleted or disabled?)"), "stderr: \(deleted.error)")
        #expect(deleted.error.contains("`edgeagent home token"), "stderr: \(deleted.error)")

        #expect(await home.edge.terminate() == 0)
        let stopped = try await home.homeagent(["domain", "add", "example.com"])
        #expect(stopped.status == 1)
        #expect(stopped.error.contains("cannot reach the edge at 127.0.0.1:"), "stderr: \(stopped.error)")
        await home.stop()
    }

    @Test("a lost certificate file is named; an edge address that never speaks TLS times out after 5 s")
    func lostCertificateAndSilentEdge() async throws {
        let home = try await HomeCLIFixture()
        let directory = URL(fileURLWithPath: home.config).deletingLastPathComponent()
        let certificate = directory.appendingPathComponent("homeagent.pem")
        try FileManager.default.moveItem(at: certificate, to: directory.appendingPathComponent("homeagent.pem.lost"))
        let lost = try await home.homeagent(["sync"])
        #expect(lost.status == 1)
        #expect(lost.error.contains("cannot use the certificate file \(certificate.path) named in the config: no such file"), "stderr: \(lost.error)")
        try FileManager.default.moveItem(at: directory.appendingPathComponent("homeagent.pem.lost"), to: certificate)

        // A listener that accepts and never answers stands in for a wedged edge.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let silent = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        var config = try HomeConfigFile.load(path: home.config)
        config.edge = HomeConfig.Address(host: "127.0.0.1", port: silent.localAddress!.port!)
        try HomeConfigFile.save(config, to: home.config)
        let started = ContinuousClock.now
        let wedged = try await home.homeagent(["domain", "add", "example.com"])
        let elapsed = ContinuousClock.now - started
        try await silent.close()
        try await group.shutdownGracefully()
        #expect(wedged.status == 1)
        #expect(wedged.error.contains("did not complete TLS and HELLO within 5 s"), "stderr: \(wedged.error)")
        #expect(elapsed >= .seconds(5) && elapsed < .seconds(15))
        await home.stop()
    }

    /// The port of `name`'s `host:port` line in `sync` output.
    static func tcpPort(of name: String, in output: String) -> Int? {
        output.split(separator: "\n").first { $0.hasPrefix("\(name)  ") }
            .flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
    }
}
