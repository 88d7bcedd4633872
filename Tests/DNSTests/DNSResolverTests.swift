import DNS
import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// The resolver against a real DNS server on loopback (TestSupport's
/// responder), over real UDP and TCP sockets.
/// The resolver's own event loop: in the full suite other tests keep the
/// shared group's threads busy, and a try's timer or read waiting behind them
/// made an answered query look unanswered.
private let resolverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

@Suite("TXT lookups over UDP and TCP against a DNS responder on loopback", .timeLimit(.minutes(1)))
struct DNSResolverTests {
    let name = try! DNSDomainName("_portico.example.com")

    /// Generous timeouts by default: on a loaded machine a loopback answer
    /// can take seconds, and a retry would change the counts tests check.
    func resolver(_ responder: DNSTestResponder, timeout: Duration = .seconds(10), attempts: Int = 2) throws -> DNSResolver {
        DNSResolver(
            servers: [try DNSServerAddress(parsing: responder.address)], timeout: timeout, attempts: attempts,
            budget: timeout * attempts, group: resolverGroup)
    }

    @Test("each TXT record's strings are joined; several records give several values; no records is empty")
    func txtValues() async throws {
        let responder = try await DNSTestResponder(records: [
            DNSRecord(name: name, ttl: 60, data: .txt([Array("portico-".utf8), Array("verify=1".utf8)])),
            .txt(name, "v=other"),
            .txt(try DNSDomainName("elsewhere.example.com"), "not this"),
        ])
        defer { Task { await responder.stop() } }
        let values = try await resolver(responder).txt(try DNSDomainName("_PORTICO.Example.com"))
        #expect(values.map { String(decoding: $0, as: UTF8.self) }.sorted() == ["portico-verify=1", "v=other"])
        #expect(try await resolver(responder).txt(try DNSDomainName("_portico.missing.example")) == [])
        #expect(responder.queryCounts.tcp == 0)
    }

    @Test("a truncated UDP answer is asked again over TCP, which carries the records")
    func tcpFallback() async throws {
        let long = String(repeating: "z", count: 700)  // larger than a classic 512-byte datagram
        let responder = try await DNSTestResponder(records: [.txt(name, long)])
        defer { Task { await responder.stop() } }
        responder.setTruncateUDP(true)
        let values = try await resolver(responder).txt(name)
        #expect(values == [Array(long.utf8)])
        // The UDP answer was truncated and empty: the records came over TCP.
        let counts = responder.queryCounts
        #expect(counts.udp >= 1 && counts.tcp >= 1, "\(counts)")
    }

    @Test("a CNAME is followed, within one answer and by asking again for its target")
    func cnameFollowed() async throws {
        let alias = try DNSDomainName("proof.example.net")
        let responder = try await DNSTestResponder(records: [
            DNSRecord(name: name, ttl: 60, data: .cname(alias)),
            .txt(alias, "portico-verify=via-cname"),
        ])
        defer { Task { await responder.stop() } }
        #expect(try await resolver(responder).txt(name) == [Array("portico-verify=via-cname".utf8)])

        // A CNAME loop ends in an error, not a hang.
        let other = try DNSDomainName("loop.example.net")
        responder.setRecords([
            DNSRecord(name: name, ttl: 60, data: .cname(other)),
            DNSRecord(name: other, ttl: 60, data: .cname(name)),
        ])
        await #expect(throws: DNSLookupError.cnameChainTooLong(name)) { try await resolver(responder).txt(name) }
    }

    @Test("an unanswered UDP query is retried; a server that never answers is an error naming it")
    func retryAndTimeout() async throws {
        let responder = try await DNSTestResponder(records: [.txt(name, "portico-verify=late")])
        defer { Task { await responder.stop() } }
        responder.ignoreUDPQueries(1)
        // Time and attempts to spare: while the full suite starts, hundreds of
        // tests share two cores, and a try whose answer came may still lose
        // its race with its timer; only the retry after the ignored query counts.
        let values = try await resolver(responder, timeout: .seconds(5), attempts: 6).txt(name)
        #expect(values == [Array("portico-verify=late".utf8)])
        #expect(responder.queryCounts.udp >= 2)

        responder.ignoreUDPQueries(100)
        let started = ContinuousClock.now
        do {
            _ = try await resolver(responder, timeout: .milliseconds(300), attempts: 2).txt(name)
            Issue.record("a silent server gave an answer")
        } catch {
            #expect("\(error)".contains("no nameserver answered the TXT query for _portico.example.com"))
            #expect("\(error)".contains("\(responder.address): no answer in time"))
        }
        // Two attempts of 0.3 s each, not a hang (generous bound for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

@Suite("a lookup's budget bounds it whatever the servers", .timeLimit(.minutes(1)))
struct DNSResolverBudgetTests {
    @Test("three silent servers with long timeouts: the lookup ends at its budget, with every reason so far")
    func budget() async throws {
        let responder = try await DNSTestResponder()
        defer { Task { await responder.stop() } }
        responder.ignoreUDPQueries(1000)
        let server = try DNSServerAddress(parsing: responder.address)
        let resolver = DNSResolver(
            servers: [server, server, server], timeout: .seconds(30), attempts: 3, budget: .milliseconds(500),
            group: resolverGroup)
        let started = ContinuousClock.now
        await #expect(throws: DNSLookupError.self) { try await resolver.txt(try DNSDomainName("_portico.example.com")) }
        // 500 ms of budget, not 3 × 3 × 30 s; generous for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
