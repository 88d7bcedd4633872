import Testing
@testable import HomeAgent

/// Each schema rule, with the exact message the user sees. Inputs are built
/// from the issue's example by changing one thing, so each case breaks one rule.
@Suite struct ConfigValidationTests {
    typealias F = ConfigFixture

    static func example(replacing old: String, with new: String) -> String {
        precondition(F.issueExample.contains(old), "fixture lacks \(old)")
        return F.issueExample.replacingOccurrences(of: old, with: new)
    }

    static func tcp(target: String) -> String {
        F.withForward("name: x\ntype: tcp\ntarget: \(target)")
    }

    static func https(hostname: String) -> String {
        F.withForward("name: x\ntype: https\nhostname: \(hostname)\ntarget: 127.0.0.1:8443")
    }

    static let forwardRules: [(String, String)] = [
        (example(replacing: "    hostname: app.example.com\n", with: ""),
         #"forwards[1] "app": hostname is required for type http"#),
        (example(replacing: "type: tcp", with: "type: udp"),
         #"forwards[2] "ssh": unknown type "udp" (expected https, http or tcp)"#),
        (example(replacing: "- name: app", with: "- name: web"),
         #"forwards[1] "web": duplicate forward name "web" (also forwards[0])"#),
        (example(replacing: "type: tcp ", with: "type: tcp\n    hostname: ssh.example.com\n"),
         #"forwards[2] "ssh": hostname is not allowed for type tcp (the edge allocates a public port instead)"#),
        (example(replacing: "target: 127.0.0.1:8443", with: "target: 127.0.0.1:8443\n    compress: true"),
         #"forwards[0] "web": compress is not allowed for type https (TLS passthrough bytes do not compress)"#),
        (example(replacing: "target: 127.0.0.1:22", with: "target: 127.0.0.1:22\n    acme_target: 127.0.0.1:8080"),
         #"forwards[2] "ssh": acme_target is only for type https (http forwards get ACME challenges at their target)"#),
        (example(replacing: "target: 127.0.0.1:8443", with: "target: 127.0.0.1:8443\n    acme_target: 127.0.0.1:0"),
         #"forwards[0] "web": acme_target port 0 is invalid"#),
        (example(replacing: "name: web", with: "name: Web"),
         #"forwards[0] "Web": forward name "Web" must be 1-63 characters of a-z, 0-9, "-" and "_""#),
        (example(replacing: "name: web", with: "name: \(String(repeating: "w", count: 64))"),
         #"forwards[0] "\#(String(repeating: "w", count: 64))": forward name "\#(String(repeating: "w", count: 64))" must be 1-63 characters of a-z, 0-9, "-" and "_""#),
        (example(replacing: "name: web", with: "name: \"\""),
         #"forwards[0] "": forward name "" must be 1-63 characters of a-z, 0-9, "-" and "_""#),
        (example(replacing: "    type: tcp ", with: "    typ: tcp "),
         #"forwards[2] "ssh": unknown key "typ" (did you mean "type"?)"#),
        (example(replacing: "name: ssh", with: "name: ssh\n    proxy_protocol: v1"),
         #"forwards[2] "ssh": unknown proxy_protocol "v1" (expected v2)"#),
        (example(replacing: "target: 127.0.0.1:8443", with: "target: 127.0.0.1:8443\n    port: 2222"),
         #"forwards[0] "web": port is only for type tcp (https forwards are reached by their hostname)"#),
        (example(replacing: "name: ssh", with: "name: ssh\n    port: 70000"),
         #"forwards[2] "ssh": port 70000 is not a TCP port (1-65535)"#),
        (example(replacing: "name: ssh", with: "name: ssh\n    port: 2222") + "  - name: ssh2\n    type: tcp\n    target: 127.0.0.1:23\n    port: 2222\n",
         #"forwards[3] "ssh2": port 2222 is already asked for by forwards[2] "ssh""#),
        (example(replacing: "name: ssh", with: "name: ssh\n    port: twenty"),
         #"forwards[2] "ssh": port must be a whole number, not "twenty""#),
        (example(replacing: "name: ssh", with: "name: ssh\n    compress: maybe"),
         #"forwards[2] "ssh": compress must be true or false, not "maybe""#),
        (example(replacing: "    target: 127.0.0.1:22", with: ""),
         #"forwards[2] "ssh": missing required key "target""#),
        (example(replacing: "    type: tcp ", with: "    "),
         #"forwards[2] "ssh": missing required key "type" (https, http or tcp)"#),
        (example(replacing: "  - name: ssh\n    type", with: "  - type"),
         #"forwards[2]: missing required key "name""#),
    ]

    static let targetRules: [(String, String)] = [
        ("localhost", #"target "localhost" needs a port, e.g. localhost:8080"#),
        ("127.0.0.1:0", "target port 0 is invalid"),
        ("127.0.0.1:70000", "target port 70000 is out of range (1-65535)"),
        ("127.0.0.1:99999999999999999999999", "target port 99999999999999999999 is out of range (1-65535)"),
        ("127.0.0.1:ssh", #"target port "ssh" is not a number"#),
        ("\"localhost:\"", "target needs a port after the colon"),
        ("8080", #"target "8080" needs a host, e.g. 127.0.0.1:8080"#),
        ("\":8080\"", #"target ":8080" needs a host, e.g. 127.0.0.1:8080"#),
        ("::1:22", #"target "::1:22": IPv6 addresses must be in brackets, e.g. [::1]:8080"#),
        ("\"[::1\"", #"target "[::1" has an unclosed "[""#),
        ("\"[::1]\"", #"target "[::1]" needs a port, e.g. [::1]:8080"#),
        ("\"[fe80::zz]:80\"", #"target host "fe80::zz" is not a valid IPv6 address"#),
        ("\"[127.0.0.1]:80\"", #"target host "127.0.0.1" is not a valid IPv6 address"#),
        ("bad!host:80", #"target host "bad!host" is not a valid hostname or IP address"#),
        ("\"\"", "target is empty; expected host:port, e.g. 127.0.0.1:8080"),
        ("[1, 2]", "target must be a single value, not a list"),
        ("{host: a}", "target must be a single value, not a mapping"),
    ]

    /// Hostname rules are Wire's ForwardHostname ([CTRL-6]); the message
    /// names the part to change.
    static let hostnameRules: [(String, String)] = [
        ("a..example.com", #"hostname: "a..example.com" has an empty label (two dots in a row, or a leading dot)"#),
        ("blog.example.com..", #"hostname: "blog.example.com." has an empty label (two dots in a row, or a leading dot)"#),
        ("\"*.*.example.com\"", #"hostname: "*.*.example.com": a wildcard is only allowed as the whole first label ("*.example.com") of a forward hostname"#),
        ("w*.example.com", #"hostname: "w*.example.com": a wildcard is only allowed as the whole first label ("*.example.com") of a forward hostname"#),
        ("localhost", #"hostname: "localhost" needs at least two labels, such as example.com"#),
        ("\"*.com\"", #"hostname: "*.com" needs at least two labels, such as example.com"#),
        ("my_blog.example.com", #"hostname: the label "my_blog" may only contain a-z, 0-9 and "-""#),
        ("blög.example.com", #"hostname: "blög.example.com" contains non-ASCII characters; write internationalised names in punycode (xn--…)"#),
        ("-blog.example.com", #"hostname: the label "-blog" must not start or end with "-""#),
        ("1.2.3.4", #"hostname: "1.2.3.4" ends in an all-digit label; an IP address is not a host name"#),
        ("\(String(repeating: "a", count: 64)).example.com",
         #"hostname: the label "\#(String(repeating: "a", count: 64))" is longer than 63 characters"#),
        (Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: "."),
         #"hostname: the name is 304 characters long; DNS names are at most 253"#),
        ("\"\"", "hostname: the name is empty"),
    ]

    static let topLevelRules: [(String, String)] = [
        (F.header + "forward:\n  - name: web\n", #"unknown key "forward" (did you mean "forwards"?)"#),
        (F.header + "colour: red\n",
         #"unknown key "colour" (expected one of: edge, home, ca, key, certificate, ca_pin, log_format, drain_timeout_seconds, max_streams, target_check_seconds, forwards)"#),
        (F.header + "target_check_seconds: 3601\n",
         "target_check_seconds must be between 0 (no checks) and 3600, found 3601"),
        (F.header.replacingOccurrences(of: "edge: edge.example.com:8444\n", with: ""), #"missing required key "edge""#),
        (F.header.replacingOccurrences(of: "home: alice", with: "home: Alice"),
         #"home "Alice" must be written as the edge named it: "alice""#),
        (F.header.replacingOccurrences(of: "home: alice", with: "home: -alice"),
         #"the home name "-alice" must be 1-63 characters of a-z, 0-9 and "-", not starting or ending with "-""#),
        (F.header.replacingOccurrences(of: "ca: edge-ca.pem", with: "ca: \"\""), "ca must be a file path, not empty"),
        (F.header + "ca_pin: abc123\n",
         "ca_pin must be 64 hex digits (the SHA-256 of the edge CA certificate), found 6 hex digits"),
        (F.header + "ca_pin: \(String(repeating: "g", count: 64))\n",
         "ca_pin must be 64 hex digits (the SHA-256 of the edge CA certificate), found other characters"),
        (F.header + "log_format: xml\n", #"unknown log_format "xml" (expected text or json)"#),
        (F.header + "drain_timeout_seconds: 3601\n", "drain_timeout_seconds must be between 0 and 3600, found 3601"),
        (F.header + "drain_timeout_seconds: -1\n", "drain_timeout_seconds must be between 0 and 3600, found -1"),
        (F.header + "drain_timeout_seconds: 1.5\n", #"drain_timeout_seconds must be a whole number, not "1.5""#),
        (F.header + "forwards: \"x\"\n", #"forwards must be a list of forwards, not "x""#),
        (F.header + "forwards:\n  web: {}\n", "forwards must be a list of forwards, not a mapping"),
        (F.header + "forwards:\n  - web\n", #"forwards[0]: expected a forward (a mapping with name, type, target), found "web""#),
        (F.header.replacingOccurrences(of: "edge.example.com:8444", with: "{a: b}"), "edge must be a single value, not a mapping"),
        (F.header.replacingOccurrences(of: "edge.example.com:8444", with: "edge.example.com"),
         #"edge "edge.example.com" needs a port, e.g. edge.example.com:8080"#),
        ("- edge: a:1\n", "expected a mapping of keys such as edge, home and forwards, found a list"),
        ("hello\n", #"expected a mapping of keys such as edge, home and forwards, found "hello""#),
        ("", "the config file is empty; `homeagent join` writes one"),
        ("# nothing here\n", "the config file is empty; `homeagent join` writes one"),
    ]

    @Test(arguments: forwardRules)
    func forwardRuleNamesTheForwardAndTheField(yaml: String, expected: String) {
        #expect(F.message(parsing: yaml) == expected)
    }

    @Test(arguments: targetRules)
    func badTargetIsRefusedWithItsReason(target: String, expected: String) {
        #expect(F.message(parsing: Self.tcp(target: target)) == #"forwards[0] "x": "# + expected)
    }

    @Test(arguments: hostnameRules)
    func badHostnameIsRefusedWithItsReason(hostname: String, expected: String) {
        #expect(F.message(parsing: Self.https(hostname: hostname)) == #"forwards[0] "x": "# + expected)
    }

    @Test(arguments: topLevelRules)
    func topLevelRuleNamesTheKey(yaml: String, expected: String) {
        #expect(F.message(parsing: yaml) == expected)
    }

    @Test func validationErrorsAreTypedWithTheForwardAsLocation() {
        let yaml = Self.example(replacing: "    hostname: app.example.com\n", with: "")
        #expect(F.configError { _ = try HomeConfig(yaml: yaml) }
            == .invalid(location: #"forwards[1] "app""#, problem: "hostname is required for type http"))
    }

    @Test func validHostnamesAndTargetsAreAccepted() throws {
        for hostname in ["blog.example.com", "\"*.example.com\"", "xn--bcher-kva.example", "a-b.c-d.example.co.uk",
                         "Blog.Example.COM", "blog.example.com."] {
            #expect(F.message(parsing: Self.https(hostname: hostname)) == "ok", "\(hostname)")
        }
        for target in ["localhost:1", "127.0.0.1:65535", "\"[::1]:22\"", "my_service:8080", "NAS.local:5000"] {
            #expect(F.message(parsing: Self.tcp(target: target)) == "ok", "\(target)")
        }
    }

    @Test func compressFalseIsAllowedOnHTTPS() {
        let yaml = Self.example(replacing: "target: 127.0.0.1:8443", with: "target: 127.0.0.1:8443\n    compress: false")
        #expect(F.message(parsing: yaml) == "ok")
    }
}
