// NIO plumbing for TLS tests on loopback: a server (TLSHandler + echo) on
// 127.0.0.1:0, a client (TLSHandler + recorder), and a recorder that turns what
// a channel saw into futures the tests await with a timeout.

import NIOCore
import NIOPosix
import Wire

/// What one TLS channel saw, reported when it closes.
struct TLSTestReport: Sendable {
    var session: TLSSessionInfo?
    var tlsErrors: [TLSError] = []
    var otherErrors: [String] = []
    var received: [UInt8] = []
}

struct TLSTestTimeout: Error {}

/// Records the handshake, received plaintext and errors of one channel; optionally echoes.
final class TLSTestRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let echo: Bool
    private var report = TLSTestReport()
    let handshake: EventLoopPromise<TLSSessionInfo>
    let closed: EventLoopPromise<TLSTestReport>
    private var expected: (count: Int, promise: EventLoopPromise<[UInt8]>)?

    init(eventLoop: EventLoop, echo: Bool, handshake: EventLoopPromise<TLSSessionInfo>? = nil,
         closed: EventLoopPromise<TLSTestReport>? = nil) {
        self.echo = echo
        self.handshake = handshake ?? eventLoop.makePromise()
        self.closed = closed ?? eventLoop.makePromise()
    }

    /// A future for the first `count` received bytes. Call on the channel's event loop.
    func receive(count: Int) -> EventLoopFuture<[UInt8]> {
        let promise = handshake.futureResult.eventLoop.makePromise(of: [UInt8].self)
        expected = (count, promise)
        checkExpected()
        return promise.futureResult
    }

    private func checkExpected() {
        guard let expected, report.received.count >= expected.count else { return }
        expected.promise.succeed(Array(report.received.prefix(expected.count)))
        self.expected = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            report.session = info
            handshake.succeed(info)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        report.received += buffer.readableBytesView
        checkExpected()
        if echo { context.writeAndFlush(NIOAny(buffer), promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? TLSError { report.tlsErrors.append(error) } else { report.otherErrors.append("\(error)") }
        handshake.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(ChannelError.ioOnClosedChannel)
        expected?.promise.fail(ChannelError.ioOnClosedChannel)
        closed.succeed(report)
        context.fireChannelInactive()
    }
}

/// Our TLS server on 127.0.0.1:0; reports the first accepted connection.
struct TLSTestServer {
    let channel: Channel
    /// The first child connection's report, when it closes.
    let firstChild: EventLoopFuture<TLSTestReport>
    var port: Int { channel.localAddress!.port! }

    static func start(_ configuration: TLSConfiguration, group: EventLoopGroup) async throws -> TLSTestServer {
        let context = try TLSContext(configuration: configuration)
        let firstChild = group.next().makePromise(of: TLSTestReport.self)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let recorder = TLSTestRecorder(eventLoop: child.eventLoop, echo: true, closed: firstChild)
                    try child.pipeline.syncOperations.addHandlers(TLSHandler(context: context), recorder)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TLSTestServer(channel: channel, firstChild: firstChild.futureResult)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Our TLS client connected to 127.0.0.1:`port`.
struct TLSTestClient {
    let channel: Channel
    let handshake: EventLoopFuture<TLSSessionInfo>
    let closed: EventLoopFuture<TLSTestReport>

    static func connect(_ configuration: TLSConfiguration, port: Int, group: EventLoopGroup) async throws -> TLSTestClient {
        let context = try TLSContext(configuration: configuration)
        let loop = group.next()
        let handshake = loop.makePromise(of: TLSSessionInfo.self)
        let closed = loop.makePromise(of: TLSTestReport.self)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let recorder = TLSTestRecorder(eventLoop: channel.eventLoop, echo: false,
                                                       handshake: handshake, closed: closed)
                        try channel.pipeline.syncOperations.addHandlers(TLSHandler(context: context), recorder)
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            // A promise dropped unfulfilled ends the test process (NIO's
            // debug check): a failed connect fails the test, not the run.
            handshake.fail(error)
            closed.fail(error)
            throw error
        }
        return TLSTestClient(channel: channel, handshake: handshake.futureResult, closed: closed.futureResult)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    func receive(count: Int) async throws -> String {
        String(decoding: try await receiveBytes(count: count), as: UTF8.self)
    }

    func receiveBytes(count: Int) async throws -> [UInt8] {
        let channel = self.channel
        let future = try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: TLSTestRecorder.self).receive(count: count)
        }.get()
        return try await future.withTimeout()
    }
}

extension EventLoopFuture {
    /// The value, or `TLSTestTimeout` if it takes longer than `timeout`; tests never hang.
    func withTimeout(_ timeout: TimeAmount = .seconds(10)) async throws -> Value where Value: Sendable {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(TLSTestTimeout()) }
        cascade(to: promise)
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }
}

/// A free loopback port (bound then released), for openssl s_server.
func tlsTestFreePort(group: EventLoopGroup) async throws -> Int {
    let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// Runs `body` with a fresh two-thread event loop group that is always shut down.
func withTLSTestGroup<T>(_ body: (EventLoopGroup) async throws -> T) async throws -> T {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    do {
        let result = try await body(group)
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

/// Both sides of one loopback connection between our client and our server.
struct TLSTestOutcome {
    var clientSession: TLSSessionInfo?
    var echoed: String?
    var client: TLSTestReport
    var server: TLSTestReport
}

/// Connects our client to our server, tries a 4-byte echo if the handshake succeeds,
/// closes from the client side and returns what both sides saw.
func tlsTestConnect(server: TLSConfiguration, client: TLSConfiguration) async throws -> TLSTestOutcome {
    try await withTLSTestGroup { group in
        let listener = try await TLSTestServer.start(server, group: group)
        let connection = try await TLSTestClient.connect(client, port: listener.port, group: group)
        let session = try? await connection.handshake.withTimeout()
        var echoed: String?
        if session != nil {
            try? await connection.send("ping")
            echoed = try? await connection.receive(count: 4)
            try? await connection.channel.close()
        }
        let clientReport = try await connection.closed.withTimeout()
        let serverReport = try await listener.firstChild.withTimeout()
        await listener.stop()
        return TLSTestOutcome(clientSession: session, echoed: echoed, client: clientReport, server: serverReport)
    }
}
