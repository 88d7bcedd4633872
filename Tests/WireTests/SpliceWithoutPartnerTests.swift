import NIOCore
import NIOEmbedded
import Testing
@testable import Wire

@Suite("Splice: a side reads nothing until its partner is in place")
struct SpliceWithoutPartnerTests {
    /// Counts the reads a channel's handlers ask for.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test("a side whose partner never arrives asks for no reads, so nothing piles up for nobody")
    func noReadsWithoutPartner() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        let (first, _) = SpliceHandler.pair(loop, loop)
        try channel.pipeline.syncOperations.addHandler(first.take())
        channel.pipeline.read()
        loop.run()
        #expect(counter.reads == 0)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("once the partner is added, both sides read")
    func readsOnceBothArePresent() throws {
        let loop = EmbeddedEventLoop()
        let left = EmbeddedChannel(loop: loop)
        let right = EmbeddedChannel(loop: loop)
        let leftReads = ReadCounter()
        let rightReads = ReadCounter()
        try left.pipeline.syncOperations.addHandler(leftReads)
        try right.pipeline.syncOperations.addHandler(rightReads)
        let (first, second) = SpliceHandler.pair(loop, loop)
        try left.pipeline.syncOperations.addHandler(first.take())
        loop.run()
        #expect(leftReads.reads == 0)
        try right.pipeline.syncOperations.addHandler(second.take())
        loop.run()
        #expect(leftReads.reads >= 1)
        #expect(rightReads.reads >= 1)
        // Bytes read on one side reach the other.
        try left.writeInbound(ByteBuffer(string: "hello"))
        loop.run()
        #expect(try right.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "hello"))
        _ = try left.finish(acceptAlreadyClosed: true)
        _ = try right.finish(acceptAlreadyClosed: true)
    }
}
