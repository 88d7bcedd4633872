import Testing
import Wire
@testable import HomeAgent

/// Well-formed configs: what they mean, and what is assumed when a key is left out.
@Suite struct ConfigParsingTests {
    typealias F = ConfigFixture

    @Test func issueExampleParsesToExactlyItsThreeForwardsInOrder() throws {
        let config = try HomeConfig(yaml: F.issueExample)
        #expect(config == F.issueConfig)
        #expect(config.forwards.map(\.name) == ["web", "app", "ssh"])
        #expect(config.forwards.map(\.type) == [.https, .http, .tcp])
        #expect(config.forwards[2].hostname == nil)
        #expect(config.forwards[0].target.host == "127.0.0.1")
        #expect(config.forwards[0].target.port == 8443)
        #expect(config.edge.description == "edge.example.com:8444")
    }

    @Test func omittedOptionalKeysTakeTheirDefaults() throws {
        let config = try HomeConfig(yaml: F.header)
        #expect(config.forwards.isEmpty)
        #expect(config.caPin == nil)
        #expect(config.logFormat == nil)
        #expect(config.effectiveLogFormat == .text)
        #expect(config.drainTimeoutSeconds == nil)
        #expect(config.drainTimeout == .seconds(10))
        let forward = try HomeConfig(yaml: F.issueExample).forwards[0]
        #expect(forward.proxyProtocol == nil)
        #expect(forward.compress == nil)
        #expect(forward.compresses == false)
    }

    @Test("a tcp forward's port and target_check_seconds are read, saved back as written, and default to unset")
    func requestedPortAndTargetChecksRoundTrip() throws {
        let yaml = F.header + "target_check_seconds: 5\n" + """
            forwards:
              - name: ssh
                type: tcp
                target: 127.0.0.1:22
                port: 2222

            """
        let config = try HomeConfig(yaml: yaml)
        #expect(config.forwards[0].port == 2222)
        #expect(config.forwards[0].declaration.port == 2222)
        #expect(config.targetCheckInterval == .seconds(5))
        let saved = try config.yaml()
        #expect(saved.contains("port: 2222") && saved.contains("target_check_seconds: 5"))
        #expect(try HomeConfig(yaml: saved) == config)
        let plain = try HomeConfig(yaml: F.issueExample)
        #expect(plain.forwards[2].port == nil && plain.targetCheckInterval == .seconds(30))
        #expect(try !plain.yaml().contains("port:"))
        #expect(try HomeConfig(yaml: F.header + "target_check_seconds: 0\n").targetCheckInterval == nil)
    }

    @Test func everyOptionalKeyIsRead() throws {
        let pin = String(repeating: "ab", count: 32)
        let yaml = F.header + """
            ca_pin: \(pin)
            log_format: json
            drain_timeout_seconds: 0
            forwards:
              - name: app
                type: http
                hostname: app.example.com
                target: "[::1]:8080"
                proxy_protocol: v2
                compress: true
            """
        let config = try HomeConfig(yaml: yaml)
        #expect(config.caPin == pin)
        #expect(config.effectiveLogFormat == .json)
        #expect(config.drainTimeout == .zero)
        #expect(config.forwards[0].proxyProtocol == .v2)
        #expect(config.forwards[0].compresses)
        #expect(config.forwards[0].target == HomeConfig.Address(host: "::1", port: 8080))
    }

    @Test func bracketedIPv6EdgeAddressKeepsItsBracketsWhenPrinted() throws {
        let yaml = F.header.replacingOccurrences(of: "edge.example.com:8444", with: "\"[2001:db8::1]:8444\"")
        let config = try HomeConfig(yaml: yaml)
        #expect(config.edge.host == "2001:db8::1")
        #expect(config.edge.port == 8444)
        #expect(config.edge.description == "[2001:db8::1]:8444")
    }

    @Test func quotedWildcardHostnameIsAccepted() throws {
        let config = try HomeConfig(yaml: F.withForward("""
            name: any
            type: https
            hostname: "*.example.com"
            target: 127.0.0.1:8443
            """))
        #expect(config.forwards[0].hostname?.text == "*.example.com")
        #expect(config.forwards[0].hostname?.isWildcard == true)
    }

    @Test func hostnameIsKeptAndSyncedInTheEdgesCanonicalForm() throws {
        let config = try HomeConfig(yaml: F.withForward("""
            name: my_blog
            type: https
            hostname: Blog.Example.COM.
            target: 127.0.0.1:8443
            """))
        #expect(config.forwards[0].hostname?.text == "blog.example.com")
        #expect(config.forwards[0].declaration.hostname == "blog.example.com")
        #expect(config.forwards[0].declaration.name == "my_blog")
    }

    @Test func forwardLookupFindsOnlyConfiguredNames() throws {
        let config = try HomeConfig(yaml: F.issueExample)
        #expect(config.forward(named: "app")?.target.port == 8080)
        #expect(config.forward(named: "db") == nil)
    }

    @Test func relativeKeyAndCertificatePathsResolveAgainstTheConfigDirectory() {
        var config = F.issueConfig
        config.ca = "/etc/portico/ca.pem"
        #expect(config.paths(relativeTo: "/var/lib/portico/home.yaml")
            == .init(ca: "/etc/portico/ca.pem", key: "/var/lib/portico/home.key",
                     certificate: "/var/lib/portico/home.pem"))
        #expect(config.paths(relativeTo: "home.yaml").key == "home.key")
        #expect(config.paths(relativeTo: "/home.yaml").key == "/home.key")
    }

    @Test func namesThatLookLikeOtherYAMLTypesStayStrings() throws {
        let yaml = F.header.replacingOccurrences(of: "home: alice", with: "home: 1234")
            + "forwards:\n  - name: yes\n    type: tcp\n    target: 127.0.0.1:22\n"
        let config = try HomeConfig(yaml: yaml)
        #expect(config.home == "1234")
        #expect(config.forwards[0].name == "yes")
    }
}
