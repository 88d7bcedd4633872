import Foundation
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// The home refuses at config load exactly the forward names and hostnames
/// the edge refuses in FORWARDS_SYNC ([CTRL-4], [CTRL-6]): a config that
/// loads never earns an `invalid_forward` or `invalid_hostname`, and the home
/// never refuses what the edge would take. (Before the rules moved to Wire the
/// home refused `my_app`, which the edge accepts, and `Blog.example.com`.)
///
/// The edge side is a real registry on SQLite running a real sync; the home
/// side is the config parser the agent loads its file with. Whether a name
/// lies under the home's domains is the edge's alone, so every valid
/// hostname here is under `example.com`, which the home holds.
@Suite struct ForwardRulesAgreementTests {
    static let label63 = String(repeating: "a", count: 63)
    /// `<63>.<63>.<63>.<n>.example.com`: 253 bytes when n is 49.
    static func hostname(lastLabel length: Int) -> String {
        [label63, label63, label63, String(repeating: "d", count: length), "example", "com"].joined(separator: ".")
    }

    static let names = [
        "web", "my_app", "_", "-web", "web-", "0", label63, label64, "", "Web", "web.app", "a b", "wéb",
    ]
    static let label64 = String(repeating: "a", count: 64)

    static let hostnames = [
        "blog.example.com", "Blog.Example.COM", "blog.example.com.", "blog.example.com..", "example.com",
        "*.example.com", "*.Example.com.", "a.*.example.com", "*.*.example.com", "w*.example.com",
        "my_blog.example.com", "xn--bcher-kva.example.com", "bücher.example.com", "-blog.example.com",
        "blog-.example.com", "\(label63).example.com", "\(label64).example.com",
        hostname(lastLabel: 49), hostname(lastLabel: 50), "1.2.3.4", "blog.example.123", "com", "",
    ]

    @Test func homeConfigRefusesExactlyTheForwardNamesTheEdgeRefuses() async throws {
        let names = Self.names
        try await Self.withEdge { sync in
            for name in names {
                let home = Self.homeAccepts(name: name, hostname: "blog.example.com")
                let edge = try await sync(ForwardDeclaration(name: name, type: .https, hostname: "blog.example.com"))
                #expect(home == edge, "forward name \(name.debugDescription): home \(home), edge \(edge)")
            }
        }
    }

    @Test func homeConfigRefusesExactlyTheHostnamesTheEdgeRefuses() async throws {
        let hostnames = Self.hostnames
        try await Self.withEdge { sync in
            for hostname in hostnames {
                let home = Self.homeAccepts(name: "web", hostname: hostname)
                let edge = try await sync(ForwardDeclaration(name: "web", type: .https, hostname: hostname))
                #expect(home == edge, "hostname \(hostname.debugDescription): home \(home), edge \(edge)")
            }
        }
    }

    /// Whether `homeagent` loads a config with this one https forward.
    static func homeAccepts(name: String, hostname: String) -> Bool {
        let yaml = """
            edge: edge.example.com:8444
            home: alice
            ca: edge-ca.pem
            key: home.key
            certificate: home.pem
            forwards:
              - name: \(name.debugDescription)
                type: https
                hostname: \(hostname.debugDescription)
                target: 127.0.0.1:8443

            """
        return (try? HomeConfig(yaml: yaml)) != nil
    }

    /// Runs `body` with a function that syncs one declaration for a home
    /// holding `example.com` and says whether the edge took its name and
    /// hostname (`false` only for `invalid_forward` and `invalid_hostname`).
    static func withEdge(
        _ body: (_ sync: (ForwardDeclaration) async throws -> Bool) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-rules-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory, publicSuffixList: PublicSuffixList(text: "com\n"))
        defer { try? registry.close() }
        let now = Date()
        _ = try await registry.createHome(name: "alice", now: now)
        try await registry.claimDomain("example.com", home: "alice", now: now)
        try await body { declaration in
            let results = try await registry.syncForwards(
                home: "alice", declarations: [declaration], tcpPortRange: 10_000...10_009, now: now)
            guard case .rejected(_, let error)? = results.first else { return true }
            switch error {
            case .invalidForward, .hostnameRejected(.invalidName): return false
            default: return true
            }
        }
    }
}
