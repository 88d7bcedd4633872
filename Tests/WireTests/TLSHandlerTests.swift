// TLSHandler on EmbeddedChannels: client and server handlers wired back to back
// by a shuttle, so buffering, drip-fed input, garbage, timeouts and shutdown
// can be checked deterministically, without sockets.

import Foundation
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
import Wire

/// Catches what reaches the end of an embedded pipeline.
final class TLSTestCatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var sessions: [TLSSessionInfo] = []
    var received: [UInt8] = []
    var errors: [TLSError] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent { sessions.append(info) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? TLSError { errors.append(error) }
    }
}

/// A flag set from a future's callback.
final class TLSTestFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A client and a server TLSHandler on two embedded channels.
struct TLSTestPair {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    let clientCatcher = TLSTestCatcher()
    let serverCatcher = TLSTestCatcher()

    init(client clientContext: TLSContext, server serverContext: TLSContext) throws {
        try client.pipeline.syncOperations.addHandlers(TLSHandler(context: clientContext), clientCatcher)
        try server.pipeline.syncOperations.addHandlers(TLSHandler(context: serverContext), serverCatcher)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
    }

    /// Moves ciphertext both ways until both sides are quiet; `chunk` drip-feeds it.
    func shuttle(chunk: Int = .max) throws {
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(client, server), (server, client)] {
                while to.isActive, let buffer = try from.readOutbound(as: ByteBuffer.self) {
                    var buffer = buffer
                    while to.isActive, let piece = buffer.readSlice(length: min(chunk, buffer.readableBytes)), piece.readableBytes > 0 {
                        try to.writeInbound(piece)
                    }
                    moved = true
                }
            }
        }
    }
}

@Suite struct TLSHandlerTests {
    let pki: TLSTestPKI
    let clientContext: TLSContext
    let serverContext: TLSContext

    init() throws {
        pki = try TLSTestPKI(.ed25519)
        clientContext = try TLSContext(configuration: pki.clientConfiguration())
        var server = pki.serverConfiguration()
        server.handshakeTimeout = .seconds(3)
        serverContext = try TLSContext(configuration: server)
    }

    @Test func writesBeforeHandshakeAreBufferedThenDeliveredInOrder() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        let written = TLSTestFlag()
        let promise = pair.client.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenSuccess { written.set() }
        pair.client.write(ByteBuffer(string: "early "), promise: promise)
        pair.client.writeAndFlush(ByteBuffer(string: "bird"), promise: nil)
        let hello = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        #expect(try pair.client.readOutbound(as: ByteBuffer.self) == nil)  // only the ClientHello went out
        #expect(!written.isSet)
        try pair.server.writeInbound(hello)
        try pair.shuttle()
        #expect(written.isSet)
        #expect(pair.clientCatcher.sessions.count == 1)
        #expect(pair.serverCatcher.received == Array("early bird".utf8))
    }

    @Test func dripFedHandshakeCompletes() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        try pair.shuttle(chunk: 1)
        #expect(pair.clientCatcher.sessions.count == 1)
        #expect(pair.serverCatcher.sessions.first?.peerCertificate == pki.client)
        pair.client.writeAndFlush(ByteBuffer(string: "one byte at a time"), promise: nil)
        try pair.shuttle(chunk: 1)
        #expect(pair.serverCatcher.received == Array("one byte at a time".utf8))
    }

    @Test func garbageInputFailsTheHandshakeAndCloses() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        var garbage = ByteBuffer()
        garbage.writeBytes((0..<512).map { _ in UInt8.random(in: 0...255) })
        garbage.setInteger(UInt8(0x16), at: 0)  // looks like a handshake record, then nonsense
        try pair.server.writeInbound(garbage)
        #expect(pair.serverCatcher.errors.map(\.kind) == [.handshakeFailed])
        #expect(!pair.server.isActive)
    }

    @Test func silentPeerHitsHandshakeTimeout() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(pair.server.isActive)
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(pair.serverCatcher.errors.map(\.kind) == [.handshakeTimeout])
        #expect(!pair.server.isActive)
    }

    @Test func closeSendsCloseNotifyAndPeerClosesCleanly() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        try pair.shuttle()
        let closed = pair.server.close()
        try pair.shuttle()
        try closed.wait()
        #expect(!pair.server.isActive)
        #expect(!pair.client.isActive)  // it read close_notify, answered and closed
        #expect(pair.clientCatcher.errors.isEmpty)
        #expect(pair.serverCatcher.errors.isEmpty)
    }

    @Test func eofWithoutCloseNotifyIsTruncation() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        try pair.shuttle()
        pair.server.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(pair.serverCatcher.errors.map(\.kind) == [.truncated])
        #expect(!pair.server.isActive)
    }

    @Test func writePromiseCompletesWithCiphertextWrite() throws {
        let pair = try TLSTestPair(client: clientContext, server: serverContext)
        try pair.shuttle()
        let promise = pair.client.eventLoop.makePromise(of: Void.self)
        pair.client.write(ByteBuffer(repeating: 7, count: 100_000), promise: promise)
        let written = TLSTestFlag()
        promise.futureResult.whenSuccess { written.set() }
        #expect(!written.isSet)  // not flushed yet
        pair.client.flush()
        #expect(written.isSet)
        try pair.shuttle()
        #expect(pair.serverCatcher.received.count == 100_000)
    }

    @Test(arguments: PrivateKey.Algorithm.allCases)
    func handshakeCost(_ algorithm: PrivateKey.Algorithm) throws {
        let pki = try TLSTestPKI(algorithm)
        let client = try TLSContext(configuration: pki.clientConfiguration())
        let server = try TLSContext(configuration: pki.serverConfiguration())
        let rounds = 50
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<rounds {
                let pair = try TLSTestPair(client: client, server: server)
                try pair.shuttle()
                precondition(pair.clientCatcher.sessions.count == 1 && pair.serverCatcher.sessions.count == 1)
            }
        }
        let perHandshake = elapsed / rounds
        print("TLS 1.3 mutual handshake (\(algorithm), both sides, in-memory): \(perHandshake)")
        #expect(perHandshake < .milliseconds(200))
    }
}
