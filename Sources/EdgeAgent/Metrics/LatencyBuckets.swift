/// The buckets of every latency histogram the edge keeps (stream open, first
/// byte, API requests), so that their quantiles compare.
///
/// They span what the edge sees between a home on the same machine and one
/// across a slow WAN: a loopback hop costs 0.1 to 0.5 ms, a home in the same
/// region 1 to 10 ms, a home across a continent or on a mobile link 20 to
/// 300 ms per round trip, and a first byte may wait for the public client's
/// first bytes (the peek allows 5 s) or a slow target at home. Steps of about
/// 2 to 2.5 keep a quantile estimated from them within roughly a quarter of
/// the true value over those four decades, in 14 buckets plus +Inf, which
/// keeps each histogram series small (a scrape of 50 homes stays under
/// 4,000 lines).
enum LatencyBuckets {
    static let all: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500),
        .seconds(5), .seconds(10),
    ]
}
