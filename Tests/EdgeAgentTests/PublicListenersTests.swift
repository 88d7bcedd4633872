import Logging
import NIOPosix
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

@Suite("Public listeners follow the registry")
struct PublicListenersTests {
    @Test("TCP forward ports open and close with the routes, also when many refreshes race")
    func tcpPortsFollowRoutes() async throws {
        try await RegistryFixture.with { registry, _ in
            let t0 = RegistryFixture.t0
            _ = try await registry.createHome(name: "alpha", now: t0)
            let range = try FreePorts.range(count: 5)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let listeners = PublicListeners(
                registry: registry, sessions: HomeSessionTable(), group: MultiThreadedEventLoopGroup.singleton,
                host: "127.0.0.1", tcpPortRange: range, metrics: EdgeMetrics(), logger: logger)
            try await listeners.start(tlsPort: 0, httpPort: 0)
            #expect(await listeners.tcpPorts.isEmpty)

            let declarations = (1...3).map { ForwardDeclaration(name: "t\($0)", type: .tcp, target: "127.0.0.1:22") }
            _ = try await registry.syncForwards(home: "alpha", declarations: declarations, tcpPortRange: range, now: t0)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { await listeners.refreshRoutes() } }
            }
            let open = await listeners.tcpPorts
            #expect(open.count == 3)
            #expect(open.allSatisfy { range.contains($0) && !FreePorts.isFree($0) })

            _ = try await registry.syncForwards(
                home: "alpha", declarations: Array(declarations.prefix(1)), tcpPortRange: range, now: t0)
            await listeners.refreshRoutes()
            let left = await listeners.tcpPorts
            #expect(left.count == 1)
            for port in open where !left.contains(port) { #expect(FreePorts.isFree(port)) }
            await listeners.close()

            // The same registry under a range that no longer holds the port
            // (the edge restarted with a narrower --tcp-ports): left closed.
            let narrowed = PublicListeners(
                registry: registry, sessions: HomeSessionTable(), group: MultiThreadedEventLoopGroup.singleton,
                host: "127.0.0.1", tcpPortRange: 1...1, metrics: EdgeMetrics(), logger: logger)
            try await narrowed.start(tlsPort: 0, httpPort: 0)
            #expect(await narrowed.tcpPorts.isEmpty)
            for port in left { #expect(FreePorts.isFree(port)) }
            await narrowed.close()
        }
    }
}
