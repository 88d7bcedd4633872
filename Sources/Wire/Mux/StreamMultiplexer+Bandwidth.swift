import NIOCore

/// The session's bandwidth limits as they apply to its streams ([SCHED-3], [FLOW-4]).
extension StreamMultiplexer {
    /// Applies new limits to running streams at once.
    func setRateLimits(_ limits: SessionRateLimits) {
        sendPacer.setLimit(limits.send)
        delivery.pacer.setLimit(limits.receive)
        for stream in streams.values { stream.updateWritability() }
    }

    /// The most one stream may queue for sending before it reports itself
    /// unwritable ([FLOW-4]), on top of the peer's credit: never more than
    /// our own largest stream window, so a peer granting huge credit while
    /// it reads nothing cannot make us buffer without bound; and under a send
    /// limit no more than the burst (at least 64 KiB), which is all the
    /// pacer can send at once.
    var outboundQueueLimit: Int {
        guard case .limited(_, let burst) = sendPacer.limit else { return configuration.maxStreamWindow }
        return Int(clamping: min(max(burst, 65_536), UInt64(configuration.maxStreamWindow)))
    }

    var traffic: SessionTraffic {
        SessionTraffic(sent: sendPacer.snapshot, received: delivery.pacer.snapshot)
    }
}
