import Foundation
import Testing
@testable import EdgeAgent

/// Every class of bad input gets a 4xx with a JSON error naming the problem,
/// and changes nothing.
@Suite struct APIValidationTests {
    static let badLimits: [(json: String, field: String)] = [
        (#"{"bandwidth_limit_kbps": 0}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": -5}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": 99}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": 10000001}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": "5000"}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": 500.5}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": 1e30}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": true}"#, "bandwidth_limit_kbps"),
        (#"{"bandwidth_limit_kbps": [1000]}"#, "bandwidth_limit_kbps"),
        (#"{"download_limit_kbps": 99}"#, "download_limit_kbps"),
        (#"{"download_limit_kbps": 10000001}"#, "download_limit_kbps"),
        (#"{"download_limit_kbps": "none"}"#, "download_limit_kbps"),
        (#"{"burst_bytes": 1}"#, "burst_bytes"),
        (#"{"tcp_port_quota": -1}"#, "tcp_port_quota"),
        (#"{"tcp_port_quota": 65536}"#, "tcp_port_quota"),
        (#"{"tcp_port_quota": null}"#, "tcp_port_quota"),
        (#"{"tcp_port_quota": "20"}"#, "tcp_port_quota"),
        (#"{"bandwidth_limt_kbps": 500}"#, "bandwidth_limt_kbps"),
        (#"{"bandwidth_limit_kbps": 500, "name": "x"}"#, "name"),
    ]

    @Test(arguments: badLimits)
    func patchRejectsBadLimitsNamingTheField(json: String, field: String) async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", uploadLimitKbps: 1000, now: RegistryFixture.t0)
            let reply = try await api.send("PATCH", "/api/homes/alpha", json: json)
            #expect(reply.status == 400, "\(reply)")
            #expect(reply.errorCode == "invalid_field")
            #expect(reply.errorMessage.hasPrefix(field + ":"), "\(reply)")
            #expect(try await api.registry.home(named: "alpha")?.uploadLimitKbps == 1000)
        }
    }

    @Test("PATCH without a body is a 400 naming the accepted fields, and changes nothing")
    func patchWithoutABodyIsRefused() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", uploadLimitKbps: 1000, now: RegistryFixture.t0)
            let audited = try await api.registry.auditLog().count
            for contentType in ["application/json", nil] {
                let reply = try await api.send("PATCH", "/api/homes/alpha", json: nil, contentType: contentType)
                #expect(reply.status == 400, "\(reply)")
                #expect(reply.errorCode == "missing_body")
                #expect(reply.errorMessage.contains("bandwidth_limit_kbps") && reply.errorMessage.contains("tcp_port_quota"))
            }
            #expect(try await api.registry.auditLog().count == audited)
            // An empty object is a body: nothing to change, answered with the home.
            #expect(try await api.send("PATCH", "/api/homes/alpha", json: "{}").status == 200)
        }
    }

    static let badCreates: [(json: String, code: String, mentions: String)] = [
        ("{}", "invalid_field", "name"),
        (#"{"name": null}"#, "invalid_field", "name"),
        (#"{"name": 5}"#, "invalid_field", "name"),
        (#"{"name": ["alpha"]}"#, "invalid_field", "name"),
        (#"{"name": ""}"#, "invalid_name", "empty"),
        (#"{"name": "has space"}"#, "invalid_name", "a-z"),
        (#"{"name": "-alpha"}"#, "invalid_name", "start"),
        (#"{"name": "alpha", "bandwidth_limit_kbps": 99}"#, "invalid_field", "bandwidth_limit_kbps"),
        (#"{"name": "alpha", "download_limit_kbps": -1}"#, "invalid_field", "download_limit_kbps"),
        (#"{"name": "alpha", "tcp_port_quota": 1.5}"#, "invalid_field", "tcp_port_quota"),
        (#"{"name": "alpha", "token_ttl_seconds": 0}"#, "invalid_field", "token_ttl_seconds"),
        (#"{"name": "alpha", "token_ttl_seconds": 31536001}"#, "invalid_field", "token_ttl_seconds"),
        (#"{"name": "alpha", "token_ttl_seconds": "3600"}"#, "invalid_field", "token_ttl_seconds"),
        (#"{"name": "alpha", "bandwith_limit_kbps": 500}"#, "invalid_field", "bandwith_limit_kbps"),
        (#"{"name": "alpha""#, "invalid_json", "JSON"),
        ("name=alpha", "invalid_json", "JSON"),
        (#"["alpha"]"#, "invalid_json", "object"),
        ("null", "invalid_json", "object"),
    ]

    @Test(arguments: badCreates)
    func createRejectsBadBodiesAndCreatesNothing(json: String, code: String, mentions: String) async throws {
        try await APIHarness.with { api in
            let reply = try await api.send("POST", "/api/homes", json: json)
            #expect(reply.status == 400, "\(reply)")
            #expect(reply.errorCode == code, "\(reply)")
            #expect(reply.errorMessage.contains(mentions), "\(reply)")
            #expect(try await api.registry.homes().isEmpty)
        }
    }

    @Test func duplicateNameIsAConflictInAnyCase() async throws {
        try await APIHarness.with { api in
            #expect(try await api.send("POST", "/api/homes", json: #"{"name": "alpha"}"#).status == 201)
            let reply = try await api.send("POST", "/api/homes", json: #"{"name": "ALPHA"}"#)
            #expect(reply.status == 409, "\(reply)")
            #expect(reply.errorCode == "home_exists")
            #expect(reply.errorMessage.contains("alpha"))
        }
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", nil])
    func bodiesMustBeDeclaredJSON(contentType: String?) async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            for (method, path, json) in [
                ("POST", "/api/homes", #"{"name": "beta"}"#),
                ("PATCH", "/api/homes/alpha", #"{"bandwidth_limit_kbps": 500}"#),
                ("POST", "/api/homes/alpha/tokens", #"{"token_ttl_seconds": 60}"#),
            ] {
                let reply = try await api.send(method, path, json: json, contentType: contentType)
                #expect(reply.status == 415, "\(method) \(path): \(reply)")
                #expect(reply.errorCode == "unsupported_media_type")
            }
            #expect(try await api.registry.homes().map(\.name) == ["alpha"])
        }
    }

    @Test func jsonWithCharsetIsAccepted() async throws {
        try await APIHarness.with { api in
            let reply = try await api.send(
                "POST", "/api/homes", json: #"{"name": "beta"}"#, contentType: "Application/JSON; charset=utf-8")
            #expect(reply.status == 201, "\(reply)")
        }
    }

    @Test(arguments: [false, true])
    func oneMebibyteBodyIsRefusedWith413(chunked: Bool) async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let file = api.directory.appendingPathComponent("big.json")
            let padding = String(repeating: " ", count: 1 << 20)
            try Data((#"{"name": "beta""# + padding + "}").utf8).write(to: file)
            for (method, path) in [("POST", "/api/homes"), ("PATCH", "/api/homes/alpha"), ("POST", "/api/homes/alpha/tokens")] {
                let reply = try await api.send(
                    method, path, bodyFile: file, headers: chunked ? ["Transfer-Encoding: chunked"] : [])
                #expect(reply.status == 413, "\(method) \(path): \(reply)")
                #expect(reply.errorCode == "body_too_large")
            }
            #expect(try await api.registry.homes().map(\.name) == ["alpha"])
        }
    }

    @Test func unknownHomeIs404OnEveryHomeEndpoint() async throws {
        try await APIHarness.with { api in
            for (method, path, json) in [
                ("GET", "/api/homes/nope", nil),
                ("PATCH", "/api/homes/nope", #"{"bandwidth_limit_kbps": 500}"#),
                ("DELETE", "/api/homes/nope", nil),
                ("POST", "/api/homes/nope/tokens", nil),
                ("GET", "/api/homes/nope/forwards", nil),
                ("GET", "/api/homes/no%20such%2Fhome", nil),
            ] {
                let reply = try await api.send(method, path, json: json)
                #expect(reply.status == 404, "\(method) \(path): \(reply)")
                #expect(reply.errorCode == "home_not_found", "\(method) \(path)")
            }
        }
    }

    @Test func tokenEndpointValidatesItsOptionalBody() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            for (json, field) in [
                (#"{"token_ttl_seconds": 0}"#, "token_ttl_seconds"),
                (#"{"token_ttl_seconds": -60}"#, "token_ttl_seconds"),
                (#"{"token_ttl_seconds": 60.5}"#, "token_ttl_seconds"),
                (#"{"ttl": 60}"#, "ttl"),
            ] {
                let reply = try await api.send("POST", "/api/homes/alpha/tokens", json: json)
                #expect(reply.status == 400, "\(json): \(reply)")
                #expect(reply.errorMessage.hasPrefix(field + ":"), "\(reply)")
            }
            let broken = try await api.send("POST", "/api/homes/alpha/tokens", json: "{")
            #expect(broken.status == 400)
            #expect(broken.errorCode == "invalid_json")
        }
    }

    @Test(arguments: ["0", "-1", "1001", "abc", "1.5", ""])
    func auditLimitMustBeInRange(limit: String) async throws {
        try await APIHarness.with { api in
            let reply = try await api.send("GET", "/api/audit?limit=\(limit)")
            #expect(reply.status == 400, "\(reply)")
            #expect(reply.errorCode == "invalid_query")
            #expect(reply.errorMessage.hasPrefix("limit:"))
        }
    }
}
