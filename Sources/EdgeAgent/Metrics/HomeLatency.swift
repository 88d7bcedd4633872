import Metrics

/// The latency histograms of one home, measured once per public connection
/// (`StreamAnswerTimer`), never per byte.
///
/// - `portico_stream_open_seconds{home,outcome}`: from the edge sending OPEN
///   to the home's first answer on that stream. The wire has no acceptance
///   frame ([OPEN-1]): a home accepts by sending data or FIN and refuses with
///   RST ([OPEN-5]), so `outcome` is `accepted` or `refused` by that first
///   answer. For an accepted stream this includes the home dialling its
///   target and the target's first reply to the OPEN's initial data.
/// - `portico_public_first_byte_seconds{home}`: from the edge accepting the
///   public connection to handing the client the home's first byte: the
///   client's own first bytes (peek), routing, the stream open and the
///   target's reply, as the client experiences it minus its network path.
struct HomeLatency: Sendable {
    let streamAccepted: Timer
    let streamRefused: Timer
    let firstByte: Timer

    init(home: String, factory: any MetricsFactory) {
        streamAccepted = Timer(
            label: "portico_stream_open_seconds", dimensions: [("home", home), ("outcome", "accepted")],
            factory: factory)
        streamRefused = Timer(
            label: "portico_stream_open_seconds", dimensions: [("home", home), ("outcome", "refused")],
            factory: factory)
        firstByte = Timer(label: "portico_public_first_byte_seconds", dimensions: [("home", home)], factory: factory)
    }

    func destroy() {
        streamAccepted.destroy()
        streamRefused.destroy()
        firstByte.destroy()
    }
}
