import AgentRuntime
import Logging
import NIOCore
import NIOPosix
import Wire

/// One session to the edge as the home a config file describes: short-lived
/// for the one-shot commands (`sync`, `domain`, `expose`), which refuse every
/// stream the edge might open, and the long-running one of `homeagent run`,
/// which passes `streams` to serve its forwards.
struct EdgeConnection: Sendable {
    /// How long TCP connect, TLS and HELLO together may take.
    static let connectTimeout: TimeAmount = .seconds(5)

    let config: HomeConfig
    let session: WireSession
    /// CONTROL requests to the edge over this session (forwards, domains, renewal).
    let requests: EdgeRequestClient

    /// Loads the config at `configPath` and its credentials, connects with
    /// mutual TLS and waits for HELLO. Throws ``EdgeConnectionError``.
    static func open(
        configPath: String, requestTimeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = AgentProcess.eventLoopGroup
    ) async throws(EdgeConnectionError) -> EdgeConnection {
        let config: HomeConfig
        do { config = try HomeConfigFile.load(path: configPath) } catch { throw .config(error) }
        return try await open(config: config, configPath: configPath, requestTimeout: requestTimeout, group: group)
    }

    /// Streams from the edge are refused: one-shot commands serve no forwards.
    static let refuseStreams: @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = {
        $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
    }

    /// The same for a config already in hand (as `expose` has after editing
    /// it). `streams` sets up each stream the edge opens; `handlers` are added
    /// after the control handler (to watch session events).
    static func open(
        config: HomeConfig, configPath: String, requestTimeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = AgentProcess.eventLoopGroup,
        configuration: SessionConfiguration = SessionConfiguration(),
        logger: Logger = Logger(label: "portico.home"),
        streams: @escaping @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = refuseStreams,
        handlers: @escaping @Sendable () -> [ChannelHandler] = { [] }
    ) async throws(EdgeConnectionError) -> EdgeConnection {
        let credentials = try HomeCredentials.load(for: config, configPath: configPath)
        let address = config.edge.description
        let context: TLSContext
        do {
            context = try TLSContext(configuration: .client(
                serverName: nil, pin: .certificateInChain(sha256: credentials.caPin),
                certificateChain: [credentials.certificate], privateKey: credentials.key))
        } catch {
            throw .tls(address: address, reason: NetworkErrorText.describe(error))
        }
        let attempts = ConnectAttempts<(observer: EdgeConnectionObserver, session: WireSession, requests: EdgeRequestClient)>()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group.next())
                .connectTimeout(connectTimeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(TunnelSocketOptions.notSentLowWatermark, value: TunnelSocketOptions.notSentLowWatermarkBytes)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        let observer = EdgeConnectionObserver()
                        try pipeline.addHandler(TLSHandler(context: context))
                        try pipeline.addHandler(observer)
                        let session = try pipeline.addWireSession(
                            role: .dialer, configuration: configuration, logger: logger, inboundStreamInitializer: streams)
                        let requests = try EdgeRequestClient.install(
                            on: pipeline, session: session, timeout: requestTimeout, logger: logger)
                        try pipeline.addHandlers(handlers())
                        attempts.record((observer, session, requests), for: channel)
                    }
                }
                .connect(host: config.edge.host, port: config.edge.port).get()
        } catch {
            throw .unreachable(address: address, reason: NetworkErrorText.describe(error))
        }
        guard let attempt = attempts.value(for: channel) else {
            channel.close(promise: nil)
            throw .unreachable(address: address, reason: "the connection was set up without a session")
        }
        let timer = channel.eventLoop.scheduleTask(in: connectTimeout) {
            attempt.observer.noteTimeout()
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            _ = try await attempt.session.ready.get()
            return EdgeConnection(config: config, session: attempt.session, requests: attempt.requests)
        } catch {
            channel.close(promise: nil)
            throw attempt.observer.failure(home: config.home, address: address, timeout: connectTimeout, underlying: error)
        }
    }

    /// Closes the connection; the edge sees the session end.
    func close() async {
        try? await session.channel.close()
    }
}
