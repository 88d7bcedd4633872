import NIOCore
import NIOPosix

/// One query to one nameserver: over UDP, and again over TCP when the UDP
/// answer comes back truncated (RFC 1035 §4.2.1, RFC 7766 §5). Each
/// exchange runs on its own short-lived NIO channel and is bounded by
/// `timeout` as a whole.
///
/// An answer only counts if it comes from the server asked, carries the
/// query's id, is a response and repeats the question (names compared without
/// case): anything else arriving on the socket is ignored, which is what makes
/// blind spoofing need to guess the random id and port.
struct DNSTransport: Sendable {
    let group: any EventLoopGroup
    let timeout: Duration

    /// Largest UDP answer accepted without EDNS0 (RFC 1035 §2.3.4 says 512;
    /// servers that send more are still read, up to a datagram's size).
    static let maximumDatagram = 65_535

    func exchange(_ query: DNSMessage, with server: DNSServerAddress) async throws -> DNSMessage {
        let bytes = try DNSMessageEncoder.encode(query)
        return try await withDeadline {
            let answer = try await udp(bytes, query: query, server: server)
            guard answer.flags.truncated else { return answer }
            return try await tcp(bytes, query: query, server: server)
        }
    }

    private func udp(_ bytes: [UInt8], query: DNSMessage, server: DNSServerAddress) async throws -> DNSMessage {
        let address = try server.socketAddress()
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.maximumDatagram))
            .bind(host: address.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes)))
            var problem: DNSParseError?
            for try await envelope in inbound where envelope.remoteAddress == address {
                do throws(DNSParseError) {
                    let answer = try DNSMessageDecoder.decode(Array(envelope.data.readableBytesView))
                    if Self.answers(query, answer) { return answer }
                } catch {
                    problem = error  // keep waiting: a forged datagram must not end the exchange
                }
            }
            throw DNSTransportFailure.closed(problem)
        }
    }

    private func tcp(_ bytes: [UInt8], query: DNSMessage, server: DNSServerAddress) async throws -> DNSMessage {
        let (seconds, attoseconds) = timeout.components
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
            .connect(to: try server.socketAddress()) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var framed = ByteBuffer()
            framed.writeInteger(UInt16(bytes.count))
            framed.writeBytes(bytes)
            try await outbound.write(framed)
            // RFC 1035 §4.2.2: a two-byte length, then the message. The length
            // field caps what is buffered at 65,537 bytes.
            var received = ByteBuffer()
            for try await chunk in inbound {
                var chunk = chunk
                received.writeBuffer(&chunk)
                guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
                    received.readableBytes >= 2 + Int(length),
                    let body = received.getBytes(at: received.readerIndex + 2, length: Int(length))
                else { continue }
                let answer: DNSMessage
                do throws(DNSParseError) {
                    answer = try DNSMessageDecoder.decode(body)
                } catch {
                    throw DNSTransportFailure.malformed(error)
                }
                guard Self.answers(query, answer) else { throw DNSTransportFailure.mismatched }
                return answer
            }
            throw DNSTransportFailure.closed(nil)
        }
    }

    /// Whether `answer` is the response to `query`.
    static func answers(_ query: DNSMessage, _ answer: DNSMessage) -> Bool {
        answer.id == query.id && answer.flags.isResponse && answer.questions == query.questions
    }

    private func withDeadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw DNSTransportFailure.timedOut }
            return value
        }
    }
}

/// Why one exchange with one server gave no answer; the resolver folds these
/// into a ``DNSLookupError``.
enum DNSTransportFailure: Error {
    case timedOut
    case closed(DNSParseError?)
    case malformed(DNSParseError)
    case mismatched
}
