import AgentRuntime
import Logging
import NIOCore
import NIOPosix
import Wire

/// Serves each stream the edge opens: looks the forward it names up in the
/// home's own config, connects to that forward's target (or, for an ACME
/// challenge, its `acme_target`) and nothing else,
/// optionally sends a PROXY v2 header, then splices stream and socket.
///
/// The stream becomes active only once the target answered, so a target that
/// refuses turns into an RST with CONNECT_FAILED (UNKNOWN_FORWARD for a name
/// the config does not have) that the edge can report to the client. Each
/// dial of a forward's target is recorded on the status board (`homeagent
/// status` shows a target that does not answer), and a failed one is logged
/// with the forward, the target and the reason in plain words.
struct ForwardDialer: Sendable {
    static let connectTimeout: TimeAmount = .seconds(5)

    let config: LiveConfig
    let board: StatusBoard
    let logger: Logger

    func initialize(_ stream: WireStreamChannel) -> EventLoopFuture<Void> {
        let metadata = stream.metadata
        let logger = Self.logger(self.logger, for: metadata)
        guard let forward = config.current.forward(named: metadata.forward) else {
            logger.warning("edge opened a stream for a forward this home does not have; refused")
            return stream.eventLoop.makeFailedFuture(WireStreamRefusal(.unknownForward))
        }
        let target: HomeConfig.Address
        switch (metadata.purpose, forward.acmeTarget) {
        case (nil, _):
            target = forward.target
        case (.acmeChallenge?, let acmeTarget?):
            target = acmeTarget
        case (let purpose?, _):
            logger.notice("refused a stream this forward has no target for", metadata: ["purpose": "\(purpose)"])
            return stream.eventLoop.makeFailedFuture(WireStreamRefusal(.unknownForward))
        }
        let loop = stream.eventLoop
        let board = self.board
        // ACME challenges go to another address; only the forward's own target has a health.
        let recordsHealth = metadata.purpose == nil
        let (streamEnd, targetEnd) = SpliceHandler.pair(loop, loop)
        let header = forward.proxyProtocol == .v2 && metadata.purpose == nil ? Self.proxyHeader(for: stream) : nil
        return ClientBootstrap(group: loop)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: target.host, port: target.port)
            .flatMapError { error in
                let reason = NetworkErrorText.describe(error)
                let name = HomeConfig.quoted(forward.name)
                logger.warning(
                    "forward \(name): could not connect to the forward's target \(target): \(reason); \("the public connection was refused")",
                    metadata: ["target": "\(target)", "reason": "\(reason)"])
                if recordsHealth {
                    board.record(.failed(reason: reason), forward: forward.name, target: target.description)
                }
                return loop.makeFailedFuture(WireStreamRefusal(.connectFailed))
            }
            .flatMapThrowing { socket in
                if recordsHealth, board.record(.reached, forward: forward.name, target: target.description) {
                    logger.notice("the forward's target answers again", metadata: ["target": "\(target)"])
                }
                // Flushed at once: a service that speaks first (SMTP, SSH,
                // MySQL) waits for the header before it sends its banner, and
                // the client may send nothing until it sees that.
                if let header {
                    socket.writeAndFlush(header, promise: nil)
                }
                do {
                    // First in the stream's pipeline: closes the socket should
                    // the stream end before it became active.
                    try stream.pipeline.syncOperations.addHandler(TargetSocketGuard(socket: socket))
                    try socket.pipeline.syncOperations.addHandler(targetEnd.take())
                    try stream.pipeline.syncOperations.addHandler(streamEnd.take())
                } catch {
                    // The stream's pipeline is gone (the edge reset the stream
                    // while we dialled): nobody else would ever close the socket.
                    socket.close(promise: nil)
                    throw error
                }
                // One line per connection is an access log; a busy site
                // would drown everything else in it at the default level.
                logger.debug("connection", metadata: ["target": "\(target)"])
            }
            .flatMap {
                forward.compresses ? stream.setOption(WireStreamOptions.compression, value: true) : loop.makeSucceededVoidFuture()
            }
    }

    /// The stream's logger: every line names the forward and the public client.
    private static func logger(_ base: Logger, for metadata: StreamMetadata) -> Logger {
        var logger = base
        logger[metadataKey: "forward"] = "\(metadata.forward)"
        logger[metadataKey: "client"] = "\(metadata.clientAddress.map { "\($0)" } ?? "-")"
        if let name = metadata.serverName { logger[metadataKey: "server_name"] = "\(name)" }
        return logger
    }

    /// The PROXY v2 header for a stream: the public client as source, the
    /// edge's address with the public port the client used as destination,
    /// and the SNI or Host as the authority TLV.
    private static func proxyHeader(for stream: WireStreamChannel) -> ByteBuffer? {
        let metadata = stream.metadata
        guard let client = metadata.clientAddress, let source = client.socketAddress else { return nil }
        let edgeIP = stream.remoteAddress?.ipAddress ?? (client.isIPv6 ? "::" : "0.0.0.0")
        let destination = (try? SocketAddress(ipAddress: edgeIP, port: Int(metadata.publicPort ?? 0))) ?? source
        var header = ProxyProtocolV2Header(addresses: .init(source: source, destination: destination))
        if let name = metadata.serverName { header.tlvs.append(.authority(name)) }
        return try? header.encoded(allocator: stream.allocator)
    }
}

extension PeerAddress {
    /// The address as a NIO socket address.
    var socketAddress: SocketAddress? {
        try? SocketAddress(packedIPAddress: ByteBuffer(bytes: ipBytes), port: Int(port))
    }
}
