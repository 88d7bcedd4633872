import Foundation
import Wire
@testable import HomeAgent

/// Shared fixtures for the config tests: the issue's example and a private
/// temporary directory that each test gets fresh and that is removed after it.
enum ConfigFixture {
    /// The top of a minimal valid config, without forwards.
    static let header = """
        edge: edge.example.com:8444
        home: alice
        ca: edge-ca.pem
        key: home.key
        certificate: home.pem

        """

    /// The forwards from issue 3, verbatim (comments included).
    static let issueForwards = """
        forwards:
          - name: web
            type: https          # TLS passthrough, routed by SNI
            hostname: blog.example.com
            target: 127.0.0.1:8443
          - name: app
            type: http           # plain HTTP, routed by Host on the edge's HTTP port
            hostname: app.example.com
            target: 127.0.0.1:8080
          - name: ssh
            type: tcp            # the edge allocates a public port from its range
            target: 127.0.0.1:22

        """

    static let issueExample = header + issueForwards

    /// A config with one forward whose lines are `forwardLines` (indented by the caller's YAML).
    static func withForward(_ forwardLines: String) -> String {
        header + "forwards:\n" + forwardLines.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated().map { $0.offset == 0 ? "  - \($0.element)" : "    \($0.element)" }
            .joined(separator: "\n") + "\n"
    }

    static func address(_ text: String) -> HomeConfig.Address {
        try! HomeConfig.Address(parsing: text, field: "test")
    }

    static func hostname(_ text: String) -> ForwardHostname {
        try! ForwardHostname(text)
    }

    /// The config the issue example describes, built in code.
    static var issueConfig: HomeConfig {
        HomeConfig(
            edge: address("edge.example.com:8444"), home: "alice", ca: "edge-ca.pem", key: "home.key",
            certificate: "home.pem",
            forwards: [
                .init(name: "web", type: .https, hostname: hostname("blog.example.com"), target: address("127.0.0.1:8443")),
                .init(name: "app", type: .http, hostname: hostname("app.example.com"), target: address("127.0.0.1:8080")),
                .init(name: "ssh", type: .tcp, target: address("127.0.0.1:22")),
            ])
    }

    /// A fresh directory under the system temp dir, removed when the body returns.
    static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("homeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: base) }
        return try body(base.path)
    }

    /// Writes `contents` to `path` with exactly `mode` (the umask does not apply).
    static func writeFile(_ path: String, _ contents: String, mode: Int = 0o600) throws {
        try writeFile(path, Data(contents.utf8), mode: mode)
    }

    static func writeFile(_ path: String, _ data: Data, mode: Int = 0o600) throws {
        try data.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    static func permissions(of path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// The error `body` throws as a `HomeConfigError`, or `nil` if it succeeded or threw something else.
    static func configError(_ body: () throws -> Void) -> HomeConfigError? {
        do {
            try body()
            return nil
        } catch let error as HomeConfigError {
            return error
        } catch {
            return nil
        }
    }

    /// The message a user would see for `yaml`, or `"ok"` if it loads.
    static func message(parsing yaml: String) -> String {
        do {
            _ = try HomeConfig(yaml: yaml)
            return "ok"
        } catch {
            return error.description
        }
    }
}
