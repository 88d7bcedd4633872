import Foundation
import Testing
import Wire
@testable import EdgeAgent

/// Domains, forwards, routes and the audit log as the API shows them.
@Suite struct APIInventoryTests {
    /// alpha holds example.com with an https and a tcp forward; beta holds other.net.
    private func populate(_ registry: Registry) async throws {
        let t0 = RegistryFixture.t0
        _ = try await registry.createHome(name: "alpha", now: t0)
        _ = try await registry.createHome(name: "beta", now: t0)
        try await registry.claimDomain("example.com", home: "alpha", now: t0)
        try await registry.claimDomain("other.net", home: "beta", now: t0)
        _ = try await registry.syncForwards(
            home: "alpha",
            declarations: [
                .init(name: "web", type: .https, hostname: "blog.example.com", proxyProtocol: "v2", target: "127.0.0.1:8443"),
                .init(name: "ssh", type: .tcp, target: "127.0.0.1:22"),
                .init(name: "bad", type: .http, hostname: "app.other.net"),
            ],
            tcpPortRange: RegistryFixture.ports, now: t0)
    }

    @Test func domainsListEveryClaimWithItsOwner() async throws {
        try await APIHarness.with { api in
            try await populate(api.registry)
            let reply = try await api.send("GET", "/api/domains")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.json["domains"] == .array([
                .object(["name": .string("example.com"), "home": .string("alpha"), "created_at": .string("2027-01-15T08:00:00Z")]),
                .object(["name": .string("other.net"), "home": .string("beta"), "created_at": .string("2027-01-15T08:00:00Z")]),
            ]))
        }
    }

    @Test func forwardsShowAddressesAndRejections() async throws {
        try await APIHarness.with { api in
            try await populate(api.registry)
            let reply = try await api.send("GET", "/api/homes/alpha/forwards")
            #expect(reply.status == 200, "\(reply)")
            let forwards = reply.json["forwards"]?.arrayValue ?? []
            #expect(forwards.map { $0["name"] } == [.string("bad"), .string("ssh"), .string("web")])
            #expect(forwards[0]["error"]?.stringValue != nil)
            #expect(forwards[1]["type"] == .string("tcp"))
            #expect(forwards[1]["public_port"] == .integer(10_000))
            #expect(forwards[1]["public_address"] == .string("edge.example.net:10000"))
            #expect(forwards[1]["hostname"] == .null)
            #expect(forwards[2]["public_address"] == .string("https://blog.example.com"))
            #expect(forwards[2]["proxy_protocol"] == .string("v2"))
            #expect(forwards[2]["target"] == .string("127.0.0.1:8443"))
            #expect(forwards[2]["error"] == .null)
        }
    }

    @Test func routesListOnlyAcceptedForwards() async throws {
        try await APIHarness.with { api in
            try await populate(api.registry)
            let reply = try await api.send("GET", "/api/routes")
            #expect(reply.status == 200, "\(reply)")
            let routes = reply.json["routes"]?.arrayValue ?? []
            #expect(routes.count == 2)
            let ssh = try #require(routes.first { $0["forward"] == .string("ssh") })
            #expect(ssh["port"] == .integer(10_000))
            #expect(ssh["hostname"] == .null)
            #expect(ssh["home"] == .string("alpha"))
            #expect(ssh["type"] == .string("tcp"))
            #expect(ssh["connected"] == .bool(false))
            let web = try #require(routes.first { $0["forward"] == .string("web") })
            #expect(web["hostname"] == .string("blog.example.com"))
            #expect(web["port"] == .null)
        }
    }

    @Test func auditShowsNewestFirstWithParsedDetail() async throws {
        try await APIHarness.with { api in
            #expect(try await api.send("POST", "/api/homes", json: #"{"name": "alpha"}"#).status == 201)
            #expect(try await api.send("PATCH", "/api/homes/alpha", json: #"{"bandwidth_limit_kbps": 500}"#).status == 200)
            let all = try await api.send("GET", "/api/audit")
            #expect(all.status == 200, "\(all)")
            let entries = all.json["entries"]?.arrayValue ?? []
            #expect(entries.map { $0["action"] } == [.string("home.bandwidth"), .string("token.issue"), .string("home.create")])
            #expect(entries[0]["detail"]?["upload_kbps"] == .string("500"))
            #expect(entries[0]["actor"] == .string("admin"))
            #expect(entries[0]["subject"] == .string("alpha"))

            let one = try await api.send("GET", "/api/audit?limit=1")
            #expect(one.json["entries"]?.arrayValue.count == 1)
        }
    }
}
