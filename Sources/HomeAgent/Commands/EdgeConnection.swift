import NIOCore
import NIOPosix
import Wire

/// One short-lived session to the edge as the home a config file describes,
/// for the one-shot commands (`sync`, `domain`, `expose`). It refuses every
/// stream the edge might open: these commands serve no forwards, `homeagent
/// run` does.
struct EdgeConnection: Sendable {
    /// How long TCP connect, TLS and HELLO together may take.
    static let connectTimeout: TimeAmount = .seconds(5)

    let config: HomeConfig
    let session: WireSession
    let control: HomeControlClient

    /// Loads the config at `configPath` and its credentials, connects with
    /// mutual TLS and waits for HELLO. Throws ``EdgeConnectionError``.
    static func open(
        configPath: String, requestTimeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(EdgeConnectionError) -> EdgeConnection {
        let config: HomeConfig
        do { config = try HomeConfigFile.load(path: configPath) } catch { throw .config(error) }
        return try await open(config: config, configPath: configPath, requestTimeout: requestTimeout, group: group)
    }

    /// The same for a config already in hand (as `expose` has after editing it).
    static func open(
        config: HomeConfig, configPath: String, requestTimeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(EdgeConnectionError) -> EdgeConnection {
        let credentials = try HomeCredentials.load(for: config, configPath: configPath)
        let address = config.edge.description
        let context: TLSContext
        do {
            context = try TLSContext(configuration: .client(
                serverName: nil, pin: .certificateInChain(sha256: credentials.caPin),
                certificateChain: [credentials.certificate], privateKey: credentials.key))
        } catch {
            throw .tls(address: address, reason: "\(error)")
        }
        let observer = EdgeConnectionObserver()
        let eventLoop = group.next()
        let started = eventLoop.makePromise(of: (WireSession, HomeControlClient).self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(TLSHandler(context: context))
                        try pipeline.addHandler(observer)
                        let session = try pipeline.addWireSession(role: .dialer) {
                            $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
                        }
                        let control = try HomeControlClient.install(on: pipeline, session: session, timeout: requestTimeout)
                        started.succeed((session, control))
                    }
                }
                .connect(host: config.edge.host, port: config.edge.port).get()
        } catch {
            started.fail(error)
            throw .unreachable(address: address, reason: EdgeConnectionError.connectReason(error, timeout: connectTimeout))
        }
        let timer = channel.eventLoop.scheduleTask(in: connectTimeout) {
            observer.noteTimeout()
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            let (session, control) = try await started.futureResult.get()
            _ = try await session.ready.get()
            return EdgeConnection(config: config, session: session, control: control)
        } catch {
            channel.close(promise: nil)
            throw observer.failure(home: config.home, address: address, timeout: connectTimeout, underlying: error)
        }
    }

    /// Closes the connection; the edge sees the session end.
    func close() async {
        try? await session.channel.close()
    }
}
