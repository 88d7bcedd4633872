import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request to a server on 127.0.0.1 and its whole response:
/// how the admin commands reach the edge's API. NIO's HTTP/1 codec over a
/// plain TCP connection (`Connection: close`), so the binary needs no
/// Foundation networking, which would tie it to libcurl.
enum LoopbackHTTPClient {
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    /// Larger answers are not the API's (a list of every home is far smaller).
    static let maximumBodyBytes = 64 << 20

    enum Failure: Error, CustomStringConvertible {
        case connect(any Error)
        case timedOut(TimeAmount)
        case incomplete
        case tooLarge

        var description: String {
            switch self {
            case .connect(let error): "\(error)"
            case .timedOut(let limit): "no complete answer within \(limit.nanoseconds / 1_000_000_000) s"
            case .incomplete: "the connection closed before the answer was complete"
            case .tooLarge: "the answer is larger than \(LoopbackHTTPClient.maximumBodyBytes) bytes"
            }
        }
    }

    static func send(
        _ method: HTTPMethod, port: Int, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(10), group: any EventLoopGroup
    ) async throws -> Response {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure.connect(error)
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: "\(body?.count ?? 0)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let request = head
        return try await withThrowingTaskGroup(of: Response.self) { tasks in
            tasks.addTask {
                try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                try? await channel.channel.close()
                throw Failure.timedOut(timeout)
            }
            tasks.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(.head(request))
                    if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                    try await outbound.write(.end(nil))
                    var status = 0
                    var received = ByteBuffer()
                    for try await part in inbound {
                        switch part {
                        case .head(let response):
                            status = Int(response.status.code)
                        case .body(var bytes):
                            guard received.readableBytes + bytes.readableBytes <= maximumBodyBytes else { throw Failure.tooLarge }
                            received.writeBuffer(&bytes)
                        case .end:
                            return Response(status: status, body: Array(received.readableBytesView))
                        }
                    }
                    throw Failure.incomplete
                }
            }
            defer { tasks.cancelAll() }
            guard let response = try await tasks.next() else { throw Failure.incomplete }
            return response
        }
    }
}
