import Foundation
import Testing
import Yams
@testable import EdgeAgent

/// `docs/api.yaml` and the running server describe the same API: the same
/// operations, and for each operation exactly the documented statuses, each
/// one provoked here by a real request.
@Suite struct APIContractTests {
    static func document() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/api.yaml")
        return try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
    }

    /// `METHOD path` → documented response statuses.
    static func documentedOperations() throws -> [String: Set<Int>] {
        let document = try document()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: [String: Set<Int>] = [:]
        for (path, item) in paths {
            let item = try #require(item as? [String: Any])
            for (method, operation) in item where ["get", "put", "post", "patch", "delete"].contains(method) {
                let operation = try #require(operation as? [String: Any])
                let responses = try #require(operation["responses"] as? [String: Any])
                operations["\(method.uppercased()) \(path)"] = Set(responses.keys.compactMap { Int($0) })
            }
        }
        return operations
    }

    @Test func everyRegisteredRouteIsDocumentedAndViceVersa() throws {
        let documented = Set(try Self.documentedOperations().keys)
        let registered = Set(APIRoute.all.map { "\($0.method.rawValue) \($0.path)" })
        #expect(registered.count == APIRoute.all.count, "a route is registered twice")
        #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented))")
        #expect(documented.subtracting(registered).isEmpty, "not served: \(documented.subtracting(registered))")
    }

    /// The property names of the JSON request body of `method path`.
    static func documentedBodyFields(_ method: String, _ path: String) throws -> Set<String> {
        let paths = try #require(try document()["paths"] as? [String: Any])
        let operation = try #require((paths[path] as? [String: Any])?[method] as? [String: Any])
        let content = try #require((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])
        let schema = try #require((content["application/json"] as? [String: Any])?["schema"] as? [String: Any])
        return Set(try #require(schema["properties"] as? [String: Any]).keys)
    }

    @Test func homeBodiesDocumentExactlyTheFieldsTheServerAccepts() throws {
        #expect(try Self.documentedBodyFields("post", "/api/homes") == HomeHandlers.createFields)
        #expect(try Self.documentedBodyFields("patch", "/api/homes/{name}") == HomeHandlers.updateFields)
        #expect(try Self.documentedBodyFields("post", "/api/homes/{name}/domains") == DomainHandlers.claimFields)
    }

    @Test func homeSchemaRequiresExactlyTheKeysTheServerSends() async throws {
        let schemas = try #require((try Self.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let home = try #require(schemas["Home"] as? [String: Any])
        let required = Set(try #require(home["required"] as? [String]))
        #expect(required == Set(try #require(home["properties"] as? [String: Any]).keys))
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let reply = try await api.send("GET", "/api/homes/alpha")
            guard case .object(let fields) = reply.json else {
                Issue.record("not an object: \(reply)")
                return
            }
            #expect(Set(fields.keys) == required)
        }
    }

    /// One request that must produce `status` from operation `operation`.
    struct Probe: Sendable {
        var operation: String
        var status: Int
        var path: String
        var json: String? = nil
        var contentType: String? = "application/json"
        var token: String? = APIHarness.token
        var bigBody = false
    }

    /// `unused`: a token of alpha that is not used; `used`: one of `joined` that enrolled it.
    static func probes(unused: String, used: String) -> [Probe] {
        let revoke = { (home: String, id: String) in "/api/homes/\(home)/tokens/\(id)/revoke" }
        var probes: [Probe] = [
            Probe(operation: "GET /healthz", status: 200, path: "/healthz", token: nil),
            Probe(operation: "POST /api/homes", status: 201, path: "/api/homes", json: #"{"name": "fresh"}"#),
            Probe(operation: "POST /api/homes", status: 400, path: "/api/homes", json: "{}"),
            Probe(operation: "POST /api/homes", status: 409, path: "/api/homes", json: #"{"name": "alpha"}"#),
            Probe(operation: "POST /api/homes", status: 413, path: "/api/homes", bigBody: true),
            Probe(operation: "POST /api/homes", status: 415, path: "/api/homes", json: "{}", contentType: "text/plain"),
            Probe(operation: "PATCH /api/homes/{name}", status: 200, path: "/api/homes/alpha", json: "{}"),
            Probe(operation: "PATCH /api/homes/{name}", status: 400, path: "/api/homes/alpha", json: #"{"x": 1}"#),
            Probe(operation: "PATCH /api/homes/{name}", status: 400, path: "/api/homes/alpha", json: nil),
            Probe(operation: "PATCH /api/homes/{name}", status: 404, path: "/api/homes/nope", json: "{}"),
            Probe(operation: "PATCH /api/homes/{name}", status: 413, path: "/api/homes/alpha", bigBody: true),
            Probe(operation: "PATCH /api/homes/{name}", status: 415, path: "/api/homes/alpha", json: "{}", contentType: nil),
            Probe(operation: "POST /api/homes/{name}/tokens", status: 201, path: "/api/homes/alpha/tokens"),
            Probe(operation: "POST /api/homes/{name}/tokens", status: 400, path: "/api/homes/alpha/tokens", json: "[]"),
            Probe(operation: "POST /api/homes/{name}/tokens", status: 404, path: "/api/homes/nope/tokens"),
            Probe(operation: "POST /api/homes/{name}/tokens", status: 413, path: "/api/homes/alpha/tokens", bigBody: true),
            Probe(operation: "POST /api/homes/{name}/tokens", status: 415, path: "/api/homes/alpha/tokens", json: "{}",
                  contentType: "text/plain"),
            Probe(operation: "POST /api/homes/{name}/ping", status: 200, path: "/api/homes/alpha/ping"),
            Probe(operation: "POST /api/homes/{name}/ping", status: 400, path: "/api/homes/alpha/ping", json: #"{"x": 1}"#),
            Probe(operation: "POST /api/homes/{name}/ping", status: 404, path: "/api/homes/nope/ping"),
            Probe(operation: "POST /api/homes/{name}/ping", status: 409, path: "/api/homes/victim/ping"),
            Probe(operation: "POST /api/homes/{name}/ping", status: 413, path: "/api/homes/alpha/ping", bigBody: true),
            Probe(operation: "POST /api/homes/{name}/ping", status: 415, path: "/api/homes/alpha/ping", json: "{}",
                  contentType: "text/plain"),
            Probe(operation: "POST /api/homes/{name}/ping", status: 504, path: "/api/homes/frozen/ping"),
            Probe(operation: "GET /api/homes/{name}", status: 404, path: "/api/homes/nope"),
            Probe(operation: "GET /api/homes/{name}/forwards", status: 404, path: "/api/homes/nope/forwards"),
            Probe(operation: "DELETE /api/homes/{name}", status: 404, path: "/api/homes/nope"),
            Probe(operation: "GET /api/audit", status: 400, path: "/api/audit?limit=0"),
            Probe(operation: "GET /api/audit", status: 400, path: "/api/audit?home=Not_A_Name"),
            Probe(operation: "GET /api/homes/{name}/tokens", status: 404, path: "/api/homes/nope/tokens"),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 200, path: revoke("alpha", unused)),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 400, path: revoke("alpha", "xyz")),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 404, path: revoke("alpha", "00000000")),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 404, path: revoke("nope", unused)),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 409, path: revoke("joined", used)),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 413, path: revoke("alpha", unused),
                  bigBody: true),
            Probe(operation: "POST /api/homes/{name}/tokens/{id}/revoke", status: 415, path: revoke("alpha", unused),
                  json: "{}", contentType: "text/plain"),
        ]
        // Disable and enable on a home of their own: disabling alpha would end the session the PING probes need.
        for action in ["disable", "enable"] {
            let operation = "POST /api/homes/{name}/\(action)"
            probes += [
                Probe(operation: operation, status: 200, path: "/api/homes/spare/\(action)"),
                Probe(operation: operation, status: 400, path: "/api/homes/spare/\(action)", json: #"{"x": 1}"#),
                Probe(operation: operation, status: 404, path: "/api/homes/nope/\(action)"),
                Probe(operation: operation, status: 413, path: "/api/homes/spare/\(action)", bigBody: true),
                Probe(operation: operation, status: 415, path: "/api/homes/spare/\(action)", json: "{}", contentType: "text/plain"),
            ]
        }
        // The harness's edge requires proof and its nameserver never answers.
        let claim = "POST /api/homes/{name}/domains"
        probes += [
            Probe(operation: claim, status: 201, path: "/api/homes/alpha/domains",
                  json: #"{"domain": "example.com", "skip_verification": true}"#),
            Probe(operation: claim, status: 400, path: "/api/homes/alpha/domains", json: #"{"domain": "com"}"#),
            Probe(operation: claim, status: 404, path: "/api/homes/nope/domains", json: #"{"domain": "example.org"}"#),
            Probe(operation: claim, status: 409, path: "/api/homes/alpha/domains", json: #"{"domain": "example.org"}"#),
            Probe(operation: claim, status: 413, path: "/api/homes/alpha/domains", bigBody: true),
            Probe(operation: claim, status: 415, path: "/api/homes/alpha/domains", json: "{}", contentType: "text/plain"),
        ]
        // The plain success and the missing token for every authenticated
        // operation; DELETE last, on a home of its own.
        for route in APIRoute.all where route.requiresAuthentication {
            let operation = "\(route.method.rawValue) \(route.path)"
            let path = route.path.replacingOccurrences(of: "{name}", with: route.method == .delete ? "victim" : "alpha")
                .replacingOccurrences(of: "{id}", with: unused)
            probes.append(Probe(operation: operation, status: 401, path: path, token: nil))
            if route.method == .get {
                probes.append(Probe(operation: operation, status: 200, path: path))
            }
        }
        probes.append(Probe(operation: "DELETE /api/homes/{name}", status: 204, path: "/api/homes/victim"))
        return probes
    }

    private func send(_ probe: Probe, method: String, to api: APIHarness, bigBody: URL) async throws -> HTTPReply {
        try await api.send(
            method, probe.path, json: probe.json, bodyFile: probe.bigBody ? bigBody : nil,
            contentType: probe.contentType, token: probe.token)
    }

    @Test func everyDocumentedStatusIsWhatTheServerAnswers() async throws {
        let documented = try Self.documentedOperations()
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "victim", now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "frozen", now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "spare", now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "joined", now: RegistryFixture.t0)
            let unused = try await api.registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: RegistryFixture.t0)
            let used = try await api.registry.issueJoinToken(home: "joined", ttl: .seconds(3600), now: RegistryFixture.t0)
            _ = try await api.registry.redeemJoinToken(id: used.id, secret: used.secret, now: RegistryFixture.t0)
            // Live sessions: alpha answers PINGs, frozen's home stopped reading.
            let alpha = try await LoopbackSessionPair()
            let frozen = try await LoopbackSessionPair()
            api.sessions.register(alpha.edge, for: "alpha")
            api.sessions.register(frozen.edge, for: "frozen")
            try await frozen.freeze()
            let bigBody = api.directory.appendingPathComponent("big.json")
            try Data(repeating: UInt8(ascii: " "), count: 1 << 20).write(to: bigBody)

            var observed: [String: Set<Int>] = [:]
            for probe in Self.probes(unused: unused.id, used: used.id) {
                let method = String(probe.operation.prefix { $0 != " " })
                let reply = try await send(probe, method: method, to: api, bigBody: bigBody)
                #expect(reply.status == probe.status, "\(probe.operation) \(probe.path): \(reply)")
                let contentType = probe.operation == "GET /metrics" && reply.status == 200
                    ? EdgeMetrics.contentType : "application/json"
                #expect(reply.headers["content-type"] == contentType || reply.status == 204)
                #expect(reply.status < 300 || reply.errorCode != nil, "\(probe.operation): error without JSON body")
                observed[probe.operation, default: []].insert(reply.status)
            }

            // Storage failures: with the registry closed, every authenticated
            // operation answers 500 with the generic message.
            try api.registry.close()
            for route in APIRoute.all where route.requiresAuthentication {
                let operation = "\(route.method.rawValue) \(route.path)"
                let path = route.path.replacingOccurrences(of: "{name}", with: "alpha")
                    .replacingOccurrences(of: "{id}", with: unused.id)
                let json = route.method == .post && route.path == "/api/homes" ? #"{"name": "later"}"#
                    : route.path == "/api/homes/{name}/domains" ? #"{"domain": "example.net"}"#
                    : route.method == .patch ? "{}" : nil
                let reply = try await api.send(route.method.rawValue, path, json: json)
                #expect(reply.status == 500, "\(operation): \(reply)")
                #expect(reply.errorCode == "storage_error")
                #expect(!reply.errorMessage.contains("SQLite") && !reply.errorMessage.contains(api.directory.path))
                observed[operation, default: []].insert(reply.status)
            }

            for (operation, statuses) in documented {
                let seen = (observed[operation] ?? []).sorted()
                #expect(observed[operation] == statuses, "\(operation): documented \(statuses.sorted()), observed \(seen)")
            }
            #expect(Set(observed.keys) == Set(documented.keys))
            try await alpha.shutdown()
            try await frozen.shutdown()
        }
    }
}
