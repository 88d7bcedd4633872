import AgentRuntime
import NIOCore
import NIOPosix
import Testing
import Wire

/// Network errors read as words, from real failures on loopback where one
/// can be made, and from the error values NIO reports otherwise.
@Suite struct NetworkErrorTextTests {
    @Test("a connection to a closed loopback port: connection refused")
    func refusedConnection() async throws {
        // Bind and close: the port is free and nothing listens there.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()
        let error = await #expect(throws: (any Error).self) {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
        }
        #expect(NetworkErrorText.describe(try #require(error)) == "connection refused (nothing is listening there)")
    }

    @Test("binding a port another socket holds: in use by another process, named with the listener")
    func portInUse() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        let error = await #expect(throws: ListenError.self) {
            try await ListenError.naming("tunnel port", host: "127.0.0.1", port: port) {
                try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .bind(host: "127.0.0.1", port: port).get()
            }
        }
        #expect(error?.description == "tunnel port 127.0.0.1:\(port) is in use by another process")
        #expect(NetworkErrorText.describe(try #require(error?.underlying)) == "in use by another process")
        try await holder.close()
    }

    @Test("NIO's error values in words", arguments: [
        (ChannelError.connectTimeout(.seconds(5)) as any Error, "no answer within 5 s"),
        (ChannelError.connectTimeout(.milliseconds(250)), "no answer within 250 ms"),
        (ChannelError.ioOnClosedChannel, "the connection was already closed"),
        (ChannelError.eof, "the other side closed the connection"),
        (IOError(errnoCode: ECONNRESET, reason: "read"), "connection reset by the other side"),
        (IOError(errnoCode: ETIMEDOUT, reason: "connect"), "timed out"),
        (TLSError(.peerAlert, "alert 42"), "TLS refused by the other side: alert 42"),
    ])
    func words(error: any Error, expected: String) {
        #expect(NetworkErrorText.describe(error) == expected)
    }
}
