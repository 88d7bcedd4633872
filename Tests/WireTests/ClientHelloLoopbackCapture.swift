import TestSupport
import Foundation
import NIOCore
import NIOPosix

/// Captures the first bytes a real client process sends to a listener on
/// `127.0.0.1:0`, for the peekers' real-client tests (tier 3).
///
/// The listener accepts one connection, accumulates its bytes until `isDone`
/// says enough (or the peer closes), then closes it. The client process is
/// always stopped by its PID before returning. `timeout` bounds the wait for
/// the bytes and counts from when the client was started and `afterLaunch`
/// done, so time spent starting processes on a loaded machine is not taken
/// from it.
enum PeekLoopbackCapture {
    struct TimedOut: Error {}
    struct ToolMissing: Error { var path: String }

    /// Whether an executable exists at `path`.
    static func hasTool(_ path: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: path)
    }

    /// `clientLog` receives the client's stdout and stderr (nil discards
    /// them); `afterLaunch` gets the listener's port and the running client.
    static func capture(
        timeout: TimeAmount = .seconds(8),
        isDone: @escaping @Sendable ([UInt8]) -> Bool,
        clientLog: String? = nil,
        afterLaunch: (_ port: Int, _ client: SpawnedProcess) async throws -> Void = { _, _ in },
        client: (_ port: Int) throws -> (executable: String, arguments: [String])
    ) async throws -> [UInt8] {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CaptureHandler(promise: promise, isDone: isDone))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = server.localAddress?.port ?? 0
        var process: SpawnedProcess?
        var timeoutTask: Scheduled<Void>?
        do {
            let (executable, arguments) = try client(port)
            let launched = try SpawnedProcess(executable, arguments, output: clientLog, error: clientLog)
            process = launched
            try await afterLaunch(port, launched)
            timeoutTask = group.next().scheduleTask(in: timeout) { promise.fail(TimedOut()) }
        } catch {
            promise.fail(error)
        }
        let result: Result<[UInt8], any Error>
        do {
            result = .success(try await promise.futureResult.get())
        } catch {
            result = .failure(error)
        }
        timeoutTask?.cancel()
        await process?.killAndWait()
        try? await server.close()
        return try result.get()
    }
}

/// Accumulates one connection's bytes and hands them over when complete.
private final class CaptureHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<[UInt8]>
    private let isDone: @Sendable ([UInt8]) -> Bool
    private var received: [UInt8] = []

    init(promise: EventLoopPromise<[UInt8]>, isDone: @escaping @Sendable ([UInt8]) -> Bool) {
        self.promise = promise
        self.isDone = isDone
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += Array(buffer: unwrapInboundIn(data))
        if isDone(received) {
            promise.succeed(received)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(received)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
