import Foundation
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// The home's request client against an edge whose MAX_FRAME_SIZE is the
/// protocol's smallest (16,384; the reference edge says 65,536, which the
/// home's config check assumes): a FORWARDS_SYNC that does not fit one frame
/// fails locally with the sizes, and the session stays up ([CONTROL-1]).
@Suite("FORWARDS_SYNC larger than the edge's MAX_FRAME_SIZE", .timeLimit(.minutes(1)))
struct ForwardSyncFrameLimitTests {
    @Test("not sent: the sync fails with the bytes needed and the edge's limit; the session and a smaller sync still work")
    func oversizedSyncIsNotSent() async throws {
        try await EdgeServicesTests.withRunningEdge(configure: { $0.session.maxFrameSize = 16_384 }) { running in
            let session = try await EdgeServicesTests.home("alice", at: running.edge) { _ in }
            let requests = try await EdgeRequestClient.attach(to: session, timeout: .seconds(10))
            let names = (0..<300).map { String(format: "f%03d-", $0) + String(repeating: "x", count: 55) }
            let declarations = names.map { ForwardDeclaration(name: $0, type: .tcp, target: "127.0.0.1:22") }
            let bytes = 2 + ControlMessage.forwardsSync(ForwardsSync(requestID: 1, forwards: declarations))
                .encodedBody().readableBytes
            #expect(bytes > 16_384 && bytes < 65_536)
            await #expect(throws: EdgeRequestError.tooLarge(.forwardsSync, bytes: bytes, limit: 16_384)) {
                _ = try await requests.syncForwards(declarations: declarations)
            }
            #expect(EdgeRequestError.tooLarge(.forwardsSync, bytes: bytes, limit: 16_384).description
                == "the FORWARDS_SYNC message needs \(bytes) bytes, more than the 16384 the edge accepts in one frame; "
                + "use shorter names or fewer forwards")
            #expect(session.channel.isActive)
            let placed = try await requests.syncForwards(declarations: Array(declarations.prefix(3)))
            #expect(placed.count == 3 && placed.allSatisfy { $0.publicAddress != nil }, "\(placed)")
        }
    }
}
