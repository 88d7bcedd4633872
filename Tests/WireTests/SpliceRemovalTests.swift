import NIOCore
import NIOEmbedded
import Testing
@testable import Wire

@Suite("Splice: a side that leaves its pipeline ends the splice, even when its channel never went inactive")
struct SpliceRemovalTests {
    /// A stream that ends before it was activated has its handlers removed
    /// without a `channelInactive` (it never was active); without the
    /// removal counting as the end, its partner stayed open for nobody.
    @Test("a side removed from a channel that never became active closes its partner")
    func removalClosesPartner() throws {
        let loop = EmbeddedEventLoop()
        let survivor = EmbeddedChannel(loop: loop)
        try survivor.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let neverActive = EmbeddedChannel(loop: loop)
        let (first, second) = SpliceHandler.pair(loop, loop)
        try survivor.pipeline.syncOperations.addHandler(first.take())
        let leaving = second.take()
        try neverActive.pipeline.syncOperations.addHandler(leaving)
        loop.run()
        #expect(survivor.isActive)

        neverActive.pipeline.syncOperations.removeHandler(leaving, promise: nil)
        loop.run()
        #expect(!survivor.isActive, "the partner stayed open after its other side left")
        _ = try? neverActive.finish(acceptAlreadyClosed: true)
    }

    @Test("bytes read before the side left still reach the partner before it closes")
    func removalSendsWhatWasRead() throws {
        let loop = EmbeddedEventLoop()
        let survivor = EmbeddedChannel(loop: loop)
        try survivor.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let leavingChannel = EmbeddedChannel(loop: loop)
        try leavingChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        let (first, second) = SpliceHandler.pair(loop, loop)
        try survivor.pipeline.syncOperations.addHandler(first.take())
        let leaving = second.take()
        try leavingChannel.pipeline.syncOperations.addHandler(leaving)
        loop.run()
        // Read, but the burst not yet complete when the handler goes.
        leavingChannel.pipeline.fireChannelRead(ByteBuffer(string: "last words"))
        leavingChannel.pipeline.syncOperations.removeHandler(leaving, promise: nil)
        loop.run()
        #expect(try survivor.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "last words"))
        #expect(!survivor.isActive)
        _ = try? leavingChannel.finish(acceptAlreadyClosed: true)
    }
}
