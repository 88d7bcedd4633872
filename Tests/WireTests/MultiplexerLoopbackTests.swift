import NIOCore
import NIOPosix
import Testing
@testable import Wire

@Suite("Multiplexer over loopback TCP", .timeLimit(.minutes(1)))
struct MultiplexerLoopbackTests {
    @Test("a stream echoes data and both half-closes arrive")
    func singleStreamEcho() async throws {
        let pair = try await SessionPair(listenerStreams: { stream in
            stream.allowHalfClosure().flatMapThrowing { try stream.pipeline.syncOperations.addHandler(EchoHandler()) }
        })
        let payload = randomBytes(200_000, seed: 1)
        let collector = try await openCollecting(pair.dialer, forward: "echo")
        try await collector.channel.writeAndFlush(payload)
        try await collector.channel.close(mode: .output)
        let echoed = try await collector.handler.done.futureResult.get()
        #expect(echoed == payload)
        try await pair.shutdown()
    }

    @Test("1,000 concurrent streams carry distinct data byte-exact both ways with half-closes", arguments: [false, true])
    func thousandStreams(overTLS: Bool) async throws {
        let pki = try TLSTestPKI(.ed25519)
        let pair = try await SessionPair(
            listenerStreams: { stream in
                stream.allowHalfClosure().flatMapThrowing { try stream.pipeline.syncOperations.addHandler(EchoHandler()) }
            },
            tls: overTLS ? (pki.serverConfiguration(), pki.clientConfiguration()) : nil
        )
        let count = 1_000
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    let payload = randomBytes(4_096 + (index * 37) % 28_000, seed: UInt64(index + 1))
                    let collector = try await openCollecting(pair.dialer, forward: "echo-\(index)")
                    try await collector.channel.writeAndFlush(payload)
                    try await collector.channel.close(mode: .output)
                    return try await collector.handler.done.futureResult.get() == payload
                }
            }
            var matched = 0
            for try await ok in group where ok { matched += 1 }
            #expect(matched == count)
        }
        #expect(try await pair.dialer.activeStreamCount.get() == 0)
        #expect(try await pair.listener.activeStreamCount.get() == 0)
        try await pair.shutdown()
    }

    @Test("the listener can open streams towards the dialer")
    func listenerOpensStreams() async throws {
        let pair = try await SessionPair(dialerStreams: { stream in
            stream.allowHalfClosure().flatMapThrowing { try stream.pipeline.syncOperations.addHandler(EchoHandler()) }
        })
        let payload = randomBytes(70_000, seed: 9)
        let collector = try await openCollecting(pair.listener, forward: "web", initialData: payload)
        try await collector.channel.close(mode: .output)
        #expect(try await collector.handler.done.futureResult.get() == payload)
        #expect(collector.channel.streamID.rawValue % 2 == 0)
        try await pair.shutdown()
    }
}

struct Collecting {
    let channel: WireStreamChannel
    let handler: CollectHandler
}

func openCollecting(_ session: WireSession, forward: String, initialData: ByteBuffer? = nil) async throws -> Collecting {
    // Streams live on their session's event loop, so the handler can be made up front.
    let handler = CollectHandler(eventLoop: session.channel.eventLoop)
    do {
        let channel = try await session.openStream(metadata: StreamMetadata(forward: forward), initialData: initialData) { channel in
            channel.allowHalfClosure().flatMapThrowing {
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }.get()
        return Collecting(channel: channel, handler: handler)
    } catch {
        handler.done.fail(error)
        throw error
    }
}
