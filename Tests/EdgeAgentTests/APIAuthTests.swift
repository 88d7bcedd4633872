import Foundation
import Testing
@testable import EdgeAgent

/// Who may call what, and how unknown paths and methods are answered.
@Suite struct APIAuthTests {
    @Test func healthNeedsNoToken() async throws {
        try await APIHarness.with { api in
            let reply = try await api.send("GET", "/healthz", token: nil)
            #expect(reply.status == 200)
            #expect(reply.json == .object(["status": .string("ok")]))
            #expect(reply.headers["content-type"] == "application/json")
        }
    }

    @Test(arguments: [
        nil, "Bearer", "Bearer ", "Bearer wrong", "Basic \(APIHarness.token)",
        "Bearer \(APIHarness.token)x", "Bearer \(APIHarness.token.uppercased())", APIHarness.token,
    ])
    func missingOrWrongTokenIs401(authorization: String?) async throws {
        try await APIHarness.with { api in
            let reply = try await api.send("GET", "/api/homes", token: nil, authorization: authorization)
            #expect(reply.status == 401, "\(reply)")
            #expect(reply.errorCode == "unauthorized")
            #expect(reply.headers["www-authenticate"] == "Bearer")
        }
    }

    @Test func everyApiPathNeedsTheTokenEvenUnknownOnes() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            for (method, path) in [
                ("POST", "/api/homes"), ("DELETE", "/api/homes/alpha"), ("PATCH", "/api/homes/alpha"),
                ("GET", "/api/audit"), ("GET", "/api/nothing-here"),
            ] {
                let reply = try await api.send(method, path, token: nil)
                #expect(reply.status == 401, "\(method) \(path): \(reply)")
            }
            #expect(try await api.registry.home(named: "alpha") != nil)
        }
    }

    @Test("/metrics answers 401 to every method without the token, so its existence does not leak")
    func metricsChecksTheTokenBeforeTheMethod() async throws {
        try await APIHarness.with { api in
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                let reply = try await api.send(method, "/metrics", token: nil)
                #expect(reply.status == 401, "\(method) /metrics: \(reply)")
                #expect(reply.errorCode == "unauthorized")
                #expect(reply.headers["allow"] == nil)
            }
            // With the token, a wrong method is still told which one to use.
            let wrong = try await api.send("POST", "/metrics")
            #expect(wrong.status == 405 && wrong.headers["allow"] == "GET", "\(wrong)")
        }
    }

    @Test(arguments: ["Bearer \(APIHarness.token)", "bearer \(APIHarness.token)", "BEARER  \(APIHarness.token) "])
    func rightTokenIsAccepted(authorization: String) async throws {
        try await APIHarness.with { api in
            let reply = try await api.send("GET", "/api/homes", token: nil, authorization: authorization)
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json == .object(["homes": .array([])]))
        }
    }

    @Test func unknownPathIs404WithAJSONError() async throws {
        try await APIHarness.with { api in
            for path in ["/", "/nope", "/api/nope", "/api/homes/alpha/nope", "/api/homes/alpha/tokens/x"] {
                let reply = try await api.send("GET", path)
                #expect(reply.status == 404, "\(path): \(reply)")
                #expect(reply.errorCode == "not_found")
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await APIHarness.with { api in
            for (method, path, allow) in [
                ("POST", "/healthz", "GET"), ("PUT", "/api/homes", "GET, POST"),
                ("POST", "/api/homes/alpha", "GET, PATCH, DELETE"), ("GET", "/api/homes/alpha/disable", "POST"),
                ("DELETE", "/api/routes", "GET"),
            ] {
                let reply = try await api.send(method, path)
                #expect(reply.status == 405, "\(method) \(path): \(reply)")
                #expect(reply.errorCode == "method_not_allowed")
                #expect(reply.headers["allow"] == allow)
            }
        }
    }
}
