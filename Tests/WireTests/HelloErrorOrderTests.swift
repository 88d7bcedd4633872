// [HELLO-6]: when a HELLO breaks several rules, every receiver reports the
// same one first, so a conformance test can expect one code.

import Testing
@testable import Wire

@Suite struct HelloErrorOrderTests {
    static let local = Hello(minimumVersion: 1, maximumVersion: 1, settings: [])

    static func code(_ peer: Hello) -> WireErrorCode? {
        do {
            _ = try PeerSettings(peer: peer, local: local)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("no common version wins over a bad MAX_FRAME_SIZE and a bad window")
    func versionFirst() {
        let peer = Hello(minimumVersion: 2, maximumVersion: 3, settings: [
            Setting(.maxFrameSize, 100), Setting(.initialStreamWindow, 1 << 31),
        ])
        #expect(Self.code(peer) == .versionMismatch)
    }

    @Test("a bad MAX_FRAME_SIZE wins over a bad window")
    func frameSizeBeforeWindows() {
        let peer = Hello(minimumVersion: 1, maximumVersion: 1, settings: [
            Setting(.initialConnectionWindow, 1 << 31), Setting(.maxFrameSize, 100),
        ])
        #expect(Self.code(peer) == .protocolError)
    }

    @Test("only the last occurrence of a setting is judged")
    func lastOccurrence() {
        let peer = Hello(minimumVersion: 1, maximumVersion: 1, settings: [
            Setting(.maxFrameSize, 100), Setting(.maxFrameSize, 16_384),
            Setting(.initialStreamWindow, 1 << 31),
        ])
        #expect(Self.code(peer) == .flowControlError)
    }
}
