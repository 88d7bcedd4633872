import Foundation
import Testing
import TestSupport

/// The operator's listings and token commands as real processes: tables for
/// people (aligned, with a header, or one line saying there is nothing),
/// `--json` for scripts, and the messages a home meets at join after the
/// operator revoked its token or disabled it.
@Suite("edgeagent domain/route/token/audit commands as processes", .timeLimit(.minutes(2)))
struct AdminCommandsProcessTests {
    /// Where `column` starts in the header equals where the row's cell starts.
    static func aligned(_ table: String, column: String, cell: String, row: Int = 1) -> Bool {
        let lines = table.split(separator: "\n").map(String.init)
        guard lines.count > row, let header = lines[0].range(of: column), let value = lines[row].range(of: cell) else { return false }
        return lines[0].distance(from: lines[0].startIndex, to: header.lowerBound)
            == lines[row].distance(from: lines[row].startIndex, to: value.lowerBound)
    }

    @Test("domain list and route list: aligned tables with a header, a line when empty, --json the API's answer")
    func domainAndRouteTables() async throws {
        let home = try await HomeCLIFixture()
        let emptyDomains = try await home.edgeagent(["domain", "list"])
        #expect(emptyDomains.status == 0 && emptyDomains.output.hasPrefix("no domains yet"), "\(emptyDomains.output) \(emptyDomains.error)")
        let emptyRoutes = try await home.edgeagent(["route", "list"])
        #expect(emptyRoutes.output.hasPrefix("no routes yet"), "\(emptyRoutes.output)")
        // Home names run to 63 characters; the columns follow the longest.
        let long = "a-very-long-home-name-for-table-alignment-test"
        #expect(try await home.edgeagent(["home", "create", long]).status == 0)
        let homes = try await home.edgeagent(["home", "list"]).output
        #expect(Self.aligned(homes, column: "STATE", cell: "pending", row: 1) && Self.aligned(homes, column: "STATE", cell: "active", row: 2),
                "\(homes)")

        #expect(try await home.homeagent(["domain", "add", "example.com"]).status == 0)
        #expect(try await home.homeagent(["expose", "web", "--type", "https", "--hostname", "blog.example.com",
                                          "--target", "127.0.0.1:8443"]).status == 0)
        #expect(try await home.homeagent(["expose", "ssh", "--type", "tcp", "--target", "127.0.0.1:22"]).status == 0)

        let domains = try await home.edgeagent(["domain", "list"])
        #expect(domains.output.hasPrefix("DOMAIN "), "\(domains.output)")
        #expect(domains.output.split(separator: "\n").count == 2)
        #expect(Self.aligned(domains.output, column: "HOME", cell: "alice"), "\(domains.output)")
        let routes = try await home.edgeagent(["route", "list"])
        let lines = routes.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ADDRESS ") == true && lines.count == 4, "\(routes.output)")
        #expect(lines.contains { $0.hasPrefix("https://blog.example.com") && $0.contains(" https ") && $0.contains(" web ") }, "\(routes.output)")
        #expect(lines.last == "refused since the edge started: none")
        for (row, line) in lines.enumerated().dropFirst().dropLast() {
            #expect(Self.aligned(routes.output, column: "HOME", cell: "alice", row: row), "\(line)")
            #expect(!line.hasSuffix(" "))
        }
        let json = try await home.edgeagent(["domain", "list", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect((object?["domains"] as? [[String: Any]])?.first?["name"] as? String == "example.com")
        let routesJSON = try await home.edgeagent(["route", "list", "--json"])
        #expect(((try JSONSerialization.jsonObject(with: Data(routesJSON.output.utf8)) as? [String: Any])?["routes"] as? [Any])?.count == 2)
        await home.stop()
    }

    @Test("home tokens lists tokens without secrets; a revoked token and a disabled home are refused at join, saying why")
    func tokensRevokeAndDisabledJoin() async throws {
        let edge = try EdgeServerProcess()
        defer { edge.removeData() }
        try await edge.waitUntilReady()
        func edgeagent(_ arguments: [String]) async throws -> AgentRun {
            try await AgentRun.run("edgeagent", arguments + ["--data-dir", edge.directory.path])
        }
        let config = edge.directory.appendingPathComponent("home/homeagent.yaml").path
        let first = try await edgeagent(["home", "create", "bob", "--ttl", "1h"])
        let second = try await edgeagent(["home", "token", "bob"])
        #expect(first.status == 0 && second.status == 0)
        let token = second.output.trimmingCharacters(in: .whitespacesAndNewlines)

        let listed = try await edgeagent(["home", "tokens", "bob"])
        let rows = listed.output.split(separator: "\n").map(String.init)
        #expect(rows.count == 3 && rows[0].hasPrefix("ID ") && rows[1].contains(" unused ") && rows[2].contains(" superseded "),
                "\(listed.output) \(listed.error)")
        #expect(!listed.output.contains(token.dropFirst(12).prefix(20)))
        let json = try await edgeagent(["home", "tokens", "bob", "--json"])
        let tokens = (try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["tokens"] as? [[String: Any]]
        let id = try #require(tokens?.first?["id"] as? String)
        #expect(tokens?.allSatisfy { $0["secret"] == nil } == true)

        let revoked = try await edgeagent(["home", "token-revoke", "bob", String(id.prefix(8))])
        #expect(revoked.status == 0 && revoked.output == "bob: token \(id) revoked\n", "\(revoked.output) \(revoked.error)")
        let refused = try await AgentRun.run("homeagent", ["join", token, "--config", config])
        #expect(refused.status != 0 && refused.error.contains("The join token was revoked by the edge operator"), "\(refused.error)")
        let badID = try await edgeagent(["home", "token-revoke", "bob", "abc"])
        #expect(badID.status != 0 && badID.error.contains("'abc' is not a token id"), "\(badID.error)")
        let unknownHome = try await edgeagent(["home", "tokens", "nobody"])
        #expect(unknownHome.status != 0 && unknownHome.error.contains("There is no home named 'nobody'"), "\(unknownHome.error)")

        #expect(try await edgeagent(["home", "disable", "bob"]).status == 0)
        let third = try await edgeagent(["home", "token", "bob"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let disabled = try await AgentRun.run("homeagent", ["join", third, "--config", config])
        #expect(disabled.status != 0 && disabled.error.contains("Home 'bob' is disabled by the edge operator"), "\(disabled.error)")
        #expect(disabled.error.contains("edgeagent home enable bob"))
        #expect(try await edgeagent(["home", "enable", "bob"]).status == 0)
        let joined = try await AgentRun.run("homeagent", ["join", third, "--config", config])
        #expect(joined.status == 0, "the refused join spent the token: \(joined.error)")

        let audit = try await edgeagent(["audit", "--home", "bob"])
        let actions = audit.output.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[2] }
        #expect(actions.prefix(5) == ["home.certificate.set", "token.redeem", "home.enable", "token.issue", "home.disable"], "\(audit.output)")
        #expect(audit.output.hasPrefix("TIME "), "\(audit.output)")
        #expect(Self.aligned(audit.output, column: "SUBJECT", cell: "bob", row: 3), "\(audit.output)")
        let limited = try await edgeagent(["audit", "--limit", "2", "--json"])
        #expect(((try JSONSerialization.jsonObject(with: Data(limited.output.utf8)) as? [String: Any])?["entries"] as? [Any])?.count == 2)
        let badLimit = try await edgeagent(["audit", "--limit", "0"])
        #expect(badLimit.status != 0 && badLimit.error.contains("--limit 0: use 1 to 1000"), "\(badLimit.error)")
        let badHome = try await edgeagent(["audit", "--home", "Not_A_Name"])
        #expect(badHome.status != 0 && badHome.error.contains("'Not_A_Name' is not a home name"), "\(badHome.error)")
        let none = try await edgeagent(["audit", "--home", "carol"])
        #expect(none.output == "no audit entries for carol\n")
        #expect(await edge.terminate() == 0)
    }

    @Test("root's admin commands default to /var/lib/portico/edge, where the packaged service keeps its data",
          .enabled(if: getuid() == 0 && !FileManager.default.fileExists(atPath: "/var/lib/portico/edge"), "needs root and no system edge"))
    func rootDefaultsToTheSystemDataDirectory() async throws {
        let run = try await AgentRun.run("edgeagent", ["home", "list"], environment: ["XDG_DATA_HOME": "", "PORTICO_DATA_DIR": ""])
        #expect(run.status != 0 && run.error.contains("/var/lib/portico/edge"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: "/var/lib/portico/edge"))
    }

    @Test("--api-port of an edge with another data directory: the refusal of the admin token is explained")
    func apiPortOfAnotherEdge() async throws {
        let first = try EdgeServerProcess()
        let second = try EdgeServerProcess()
        defer { first.removeData(); second.removeData() }
        try await first.waitUntilReady()
        try await second.waitUntilReady()
        let run = try await AgentRun.run("edgeagent", [
            "home", "list", "--data-dir", second.directory.path, "--api-port", "\(first.ports.api)",
        ])
        #expect(run.status != 0 && run.error.contains("does not accept the admin token of \(second.directory.path)"),
                "stderr: \(run.error)")
        #expect(!run.error.contains("Bearer"), "stderr: \(run.error)")
        #expect(await first.terminate() == 0)
        #expect(await second.terminate() == 0)
    }
}
