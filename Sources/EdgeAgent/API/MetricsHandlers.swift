import Hummingbird

/// `GET /metrics`: the edge's metrics for Prometheus, written by
/// swift-prometheus from the edge's own registry (`EdgeMetrics`).
///
/// Event counters and latency histograms are counted where they happen; the
/// per-home state series are set here from the registry and the live
/// sessions (`HomeSeries` says why), and the series of homes that left the
/// registry are removed, before the registry is written out.
enum MetricsHandlers {
    @Sendable static func metrics(_ request: APIRequest) async throws -> Response {
        let context = request.context
        let snapshot = try await HomeStateSnapshot.read(registry: context.registry, sessions: context.sessions)
        let metrics = context.metrics
        let text = metrics.homes.apply(snapshot) { metrics.registry.emitToBuffer() }
        return Response(
            status: .ok, headers: [.contentType: EdgeMetrics.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
    }
}
