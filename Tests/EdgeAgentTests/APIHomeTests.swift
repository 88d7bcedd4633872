import Foundation
import Testing
import Wire
@testable import EdgeAgent

/// The success path of every home endpoint, checked field by field.
@Suite struct APIHomeTests {
    @Test func createReturnsHomeAndAWorkingJoinToken() async throws {
        try await APIHarness.with { api in
            let reply = try await api.send(
                "POST", "/api/homes",
                json: #"{"name": "Alpha", "bandwidth_limit_kbps": 5000, "download_limit_kbps": null, "token_ttl_seconds": 3600}"#)
            #expect(reply.status == 201, "\(reply)")
            #expect(reply.headers["content-type"] == "application/json")
            let home = try #require(reply.json["home"])
            #expect(home["name"] == .string("alpha"))
            #expect(home["state"] == .string("pending"))
            #expect(home["connected"] == .bool(false))
            #expect(home["bandwidth_limit_kbps"] == .integer(5000))
            #expect(home["download_limit_kbps"] == .null)
            #expect(reply.json["expires_at"] == .string("2027-01-15T09:00:00Z"))

            let token = try JoinToken.parse(try #require(reply.json["join_token"]?.stringValue))
            #expect(token.host == APIHarness.tunnelHost)
            #expect(Int(token.port) == APIHarness.tunnelPort)
            #expect(token.caPin == APIHarness.caPin)
            // The token really is the registry's: redeeming it enrolls alpha.
            let redeemed = try await api.registry.redeemJoinToken(
                id: token.idHex, secret: token.secret, now: RegistryFixture.t0)
            #expect(redeemed.name == "alpha")
        }
    }

    @Test func createWithOnlyANameIsUnlimitedWithADayLongToken() async throws {
        try await APIHarness.with { api in
            let reply = try await api.send("POST", "/api/homes", json: #"{"name": "beta"}"#)
            #expect(reply.status == 201, "\(reply)")
            #expect(reply.json["home"]?["bandwidth_limit_kbps"] == .null)
            #expect(reply.json["home"]?["tcp_port_quota"] == .integer(Home.defaultTCPPortQuota))
            #expect(reply.json["expires_at"] == .string("2027-01-16T08:00:00Z"))
        }
    }

    @Test func tcpPortQuotaIsSetAtCreationAndChangedByPatchAlone() async throws {
        try await APIHarness.with { api in
            let created = try await api.send("POST", "/api/homes", json: #"{"name": "alpha", "tcp_port_quota": 3}"#)
            #expect(created.status == 201, "\(created)")
            #expect(created.json["home"]?["tcp_port_quota"] == .integer(3))
            _ = try await api.send("PATCH", "/api/homes/alpha", json: #"{"bandwidth_limit_kbps": 500}"#)
            let patched = try await api.send("PATCH", "/api/homes/alpha", json: #"{"tcp_port_quota": 0}"#)
            #expect(patched.status == 200, "\(patched)")
            #expect(patched.json["tcp_port_quota"] == .integer(0))
            #expect(patched.json["bandwidth_limit_kbps"] == .integer(500))
            #expect(try await api.registry.home(named: "alpha")?.tcpPortQuota == 0)
        }
    }

    @Test func listAndShowReportLimitsAndConnection() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "beta", uploadLimitKbps: 100, now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)

            let list = try await api.send("GET", "/api/homes")
            #expect(list.status == 200, "\(list)")
            let homes = list.json["homes"]?.arrayValue ?? []
            #expect(homes.map { $0["name"] } == [.string("alpha"), .string("beta")])
            #expect(homes[1]["bandwidth_limit_kbps"] == .integer(100))

            let show = try await api.send("GET", "/api/homes/BETA")
            #expect(show.status == 200, "\(show)")
            #expect(show.json["name"] == .string("beta"))
            #expect(show.json["connected"] == .bool(false))
            #expect(show.json["created_at"] == .string("2027-01-15T08:00:00Z"))
        }
    }

    @Test func patchSetsClearsAndLeavesAbsentLimitsUnchanged() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(
                name: "alpha", uploadLimitKbps: 1000, downloadLimitKbps: 2000, now: RegistryFixture.t0)

            let onlyUpload = try await api.send("PATCH", "/api/homes/alpha", json: #"{"bandwidth_limit_kbps": 10000000}"#)
            #expect(onlyUpload.status == 200, "\(onlyUpload)")
            #expect(onlyUpload.json["bandwidth_limit_kbps"] == .integer(10_000_000))
            #expect(onlyUpload.json["download_limit_kbps"] == .integer(2000))

            let cleared = try await api.send(
                "PATCH", "/api/homes/alpha", json: #"{"download_limit_kbps": null, "burst_bytes": 65536}"#)
            #expect(cleared.status == 200, "\(cleared)")
            #expect(cleared.json["bandwidth_limit_kbps"] == .integer(10_000_000))
            #expect(cleared.json["download_limit_kbps"] == .null)
            #expect(cleared.json["burst_bytes"] == .integer(65536))

            let stored = try #require(try await api.registry.home(named: "alpha"))
            #expect(stored.uploadLimitKbps == 10_000_000)
            #expect(stored.downloadLimitKbps == nil)
            #expect(stored.burstBytes == 65536)

            let empty = try await api.send("PATCH", "/api/homes/alpha", json: "{}")
            #expect(empty.status == 200)
            #expect(empty.json["bandwidth_limit_kbps"] == .integer(10_000_000))
        }
    }

    @Test func deleteRemovesTheHome() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let reply = try await api.send("DELETE", "/api/homes/alpha")
            #expect(reply.status == 204, "\(reply)")
            #expect(reply.body.isEmpty)
            #expect(try await api.registry.home(named: "alpha") == nil)
            #expect(try await api.send("GET", "/api/homes/alpha").status == 404)
        }
    }

    @Test func tokensEndpointIssuesAFreshTokenWithOrWithoutABody() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let withTTL = try await api.send("POST", "/api/homes/alpha/tokens", json: #"{"token_ttl_seconds": 60}"#)
            #expect(withTTL.status == 201, "\(withTTL)")
            #expect(withTTL.json["home"] == .string("alpha"))
            #expect(withTTL.json["expires_at"] == .string("2027-01-15T08:01:00Z"))

            let bare = try await api.send("POST", "/api/homes/alpha/tokens", contentType: nil)
            #expect(bare.status == 201, "\(bare)")
            let first = try JoinToken.parse(try #require(withTTL.json["join_token"]?.stringValue))
            let second = try JoinToken.parse(try #require(bare.json["join_token"]?.stringValue))
            #expect(first.id != second.id)
        }
    }
}
