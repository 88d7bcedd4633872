import Metrics
import Hummingbird
import Synchronization

/// `portico_api_request_duration_seconds{method,route,status}`: how long the
/// API took to produce each response, by route template (`/api/homes/{name}`,
/// never the raw path), method and status class (`2xx` … `5xx`).
///
/// Every label comes from a fixed set, whatever callers send: the route is
/// one of `APIRoute.all` or `unmatched`, the method one of the standard ones
/// or `other`. So the series stay bounded (a few hundred at most) even
/// against a caller trying paths and methods at random.
final class APIRequestTimers: Sendable {
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: String
    }

    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    private let factory: any MetricsFactory
    private let timers = Mutex<[Key: Timer]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records one response. `route` is the template of the matching route,
    /// nil when no route matches the path.
    func record(method: HTTPRequest.Method, route: String?, status: HTTPResponse.Status, duration: Duration) {
        let key = Key(
            method: Self.knownMethods.contains(method) ? method.rawValue : "other",
            route: route ?? "unmatched",
            status: "\(min(max(status.code / 100, 1), 5))xx")
        let timer = timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(
                label: "portico_api_request_duration_seconds",
                dimensions: [("method", key.method), ("route", key.route), ("status", key.status)], factory: factory)
            timers[key] = timer
            return timer
        }
        timer.record(duration: duration)
    }
}
