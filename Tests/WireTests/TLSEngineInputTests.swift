// Ciphertext that OpenSSL's input BIO refuses must fail the connection: a
// record stream with a hole in it cannot be decrypted correctly, and carrying
// on would turn a local failure into a confusing one later (or a hang).

import COpenSSL
import NIOCore
import Testing
@testable import Wire

@Suite struct TLSEngineInputTests {
    @Test("a failed BIO write fails the next handshake step and every one after it")
    func refusedInputFailsTheHandshake() throws {
        let pki = try TLSTestPKI()
        let engine = try TLSEngine(context: TLSContext(configuration: pki.serverConfiguration()))
        // A read-only memory BIO refuses writes: the stand-in for an allocation failure.
        let input = try #require(SSL_get_rbio(engine.ssl))
        BIO_set_flags(input, BIO_FLAGS_MEM_RDONLY)
        engine.feed(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]))
        guard case .failed(let error) = engine.handshake() else {
            Issue.record("the handshake went on after its input was lost")
            return
        }
        #expect(error.kind == .handshakeFailed)
        #expect(error.message.contains("cannot buffer 10 bytes of received TLS data"), "\(error)")
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64)
        guard case .failed = engine.read(into: &buffer) else {
            Issue.record("a read after lost input did not fail")
            return
        }
    }
}
