import DNS
import Foundation
import NIOCore
import NIOPosix

/// A tiny authoritative-and-recursive-looking DNS server for tests, on
/// 127.0.0.1 UDP and TCP at one port: it answers from a record table the test
/// sets, the way a recursive resolver would (a CNAME at the name comes with
/// the records at its target; no records at all is NXDOMAIN). Knobs make it
/// misbehave on purpose: truncate every UDP answer (the client must retry over
/// TCP) or ignore the first UDP queries (the client must retry).
///
/// Written with the DNS module's own encoder, so what the client reads was
/// compressed by the same rules a real server's answers follow.
public final class DNSTestResponder: @unchecked Sendable {
    // @unchecked: the record table, the knobs and the counts are read and
    // written under `lock`; `channels` and `port` are set once, in `init`.
    private let lock = NSLock()
    private var records: [DNSRecord] = []
    private var truncateUDP = false
    private var udpToIgnore = 0
    private var counts = (udp: 0, tcp: 0)

    private let group: MultiThreadedEventLoopGroup
    private var channels: [Channel] = []
    public private(set) var port = 0

    /// The address to hand to a client: `127.0.0.1:PORT`.
    public var address: String { "127.0.0.1:\(port)" }

    /// Binds UDP on a free port and TCP on the same one (trying again with
    /// another port if TCP's was taken meanwhile).
    public init(records: [DNSRecord] = []) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.records = records
        for _ in 0..<20 {
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(UDPHandler(self)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let udpPort = udp.localAddress?.port ?? 0
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(TCPHandler(self))
                        }
                    }
                    .bind(host: "127.0.0.1", port: udpPort).get()
                channels = [udp, tcp]
                port = udpPort
                return
            } catch {
                try? await udp.close()
            }
        }
        throw EdgeServerFailure("the DNS test responder found no port free for both UDP and TCP")
    }

    /// Replaces the record table.
    public func setRecords(_ new: [DNSRecord]) { lock.withLock { records = new } }

    /// Answers every UDP query with TC set and no records, so clients must ask over TCP.
    public func setTruncateUDP(_ on: Bool) { lock.withLock { truncateUDP = on } }

    /// Drops the next `count` UDP queries unanswered.
    public func ignoreUDPQueries(_ count: Int) { lock.withLock { udpToIgnore = count } }

    /// Queries received so far, per transport.
    public var queryCounts: (udp: Int, tcp: Int) { lock.withLock { counts } }

    /// Closes both sockets and the responder's event loop.
    public func stop() async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    /// The answer to `bytes`, or nil to stay silent.
    fileprivate func answer(_ bytes: [UInt8], overUDP: Bool) -> [UInt8]? {
        guard let query = try? DNSMessageDecoder.decode(bytes), let question = query.questions.first else { return nil }
        let (table, truncate, drop) = lock.withLock { () -> ([DNSRecord], Bool, Bool) in
            if overUDP { counts.udp += 1 } else { counts.tcp += 1 }
            let drop = overUDP && udpToIgnore > 0
            if drop { udpToIgnore -= 1 }
            return (records, truncateUDP && overUDP, drop)
        }
        if drop { return nil }
        var reply = DNSMessage(
            id: query.id,
            flags: DNSFlags(isResponse: true, truncated: truncate, recursionDesired: query.flags.recursionDesired, recursionAvailable: true),
            questions: [question])
        if !truncate {
            var owner = question.name
            for _ in 0...DNSResolver.maximumCNAMEs {
                let here = table.filter { $0.name == owner }
                reply.answers += here.filter { $0.type == question.type || $0.type == .cname }
                guard question.type != .cname, let cname = here.lazy.compactMap({ record -> DNSDomainName? in
                    if case .cname(let target) = record.data { return target } else { return nil }
                }).first else { break }
                owner = cname
            }
            if !table.contains(where: { $0.name == question.name }) { reply.flags.responseCode = .nameError }
        }
        return try? DNSMessageEncoder.encode(reply)
    }

    private final class UDPHandler: ChannelInboundHandler, @unchecked Sendable {
        // @unchecked: NIO calls it on its one event loop only.
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let responder: DNSTestResponder
        init(_ responder: DNSTestResponder) { self.responder = responder }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let reply = responder.answer(Array(envelope.data.readableBytesView), overUDP: true) else { return }
            context.writeAndFlush(
                wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply))),
                promise: nil)
        }
    }

    private final class TCPHandler: ChannelInboundHandler, @unchecked Sendable {
        // @unchecked: NIO calls it on its one event loop only.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let responder: DNSTestResponder
        var pending = ByteBuffer()
        init(_ responder: DNSTestResponder) { self.responder = responder }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            pending.writeBuffer(&chunk)
            while let length = pending.getInteger(at: pending.readerIndex, as: UInt16.self),
                pending.readableBytes >= 2 + Int(length) {
                pending.moveReaderIndex(forwardBy: 2)
                let query = pending.readBytes(length: Int(length)) ?? []
                guard let reply = responder.answer(query, overUDP: false) else { continue }
                var framed = ByteBuffer()
                framed.writeInteger(UInt16(reply.count))
                framed.writeBytes(reply)
                context.writeAndFlush(wrapOutboundOut(framed), promise: nil)
            }
        }
    }
}
