import Synchronization
import Wire

/// The public listeners' view of the registry's routes, held in memory so
/// that routing a connection costs a dictionary lookup, not a query. The
/// registry stays the source of truth: the table is replaced wholesale from
/// it (`replace(with:)`) whenever forwards change.
final class RouteTable: Sendable {
    private struct Snapshot {
        var exact: [HostKey: Route] = [:]
        /// Wildcard routes by the suffix after `*.` (`*.example.com` → `example.com`).
        var wildcards: [HostKey: Route] = [:]
        var ports: [Int: Route] = [:]
    }

    private struct HostKey: Hashable {
        var type: ForwardType
        var name: String
    }

    private let snapshot = Mutex(Snapshot())

    func replace(with routes: [Route]) {
        var next = Snapshot()
        for route in routes {
            switch route.key {
            case .port(let port):
                next.ports[port] = route
            case .hostname(let name) where name.hasPrefix("*."):
                next.wildcards[HostKey(type: route.type, name: String(name.dropFirst(2)))] = route
            case .hostname(let name):
                next.exact[HostKey(type: route.type, name: name)] = route
            }
        }
        snapshot.withLock { $0 = next }
    }

    /// The route of `type` for a public hostname: the exact name first, then
    /// the longest wildcard that covers it (`*.b.example.com` before
    /// `*.example.com` for `a.b.example.com`). A wildcard never matches its
    /// own base name. `host` must already be lowercased without a trailing dot,
    /// as the peekers return it.
    func route(forHost host: String, type: ForwardType) -> Route? {
        snapshot.withLock { table in
            if let route = table.exact[HostKey(type: type, name: host)] { return route }
            var rest = Substring(host)
            while let dot = rest.firstIndex(of: ".") {
                rest = rest[rest.index(after: dot)...]
                if let route = table.wildcards[HostKey(type: type, name: String(rest))] { return route }
            }
            return nil
        }
    }

    func route(forPort port: Int) -> Route? {
        snapshot.withLock { $0.ports[port] }
    }

    /// The public TCP ports that have a forward right now.
    var tcpPorts: Set<Int> {
        snapshot.withLock { Set($0.ports.keys) }
    }
}
