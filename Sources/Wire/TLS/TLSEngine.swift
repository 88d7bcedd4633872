// One TLS connection's OpenSSL state (SSL plus its two memory BIOs), with no
// I/O of its own: the handler feeds it ciphertext, asks it to make progress and
// drains the ciphertext it produced. Keeping NIO out of here keeps the error
// classification (what kind of TLSError is this?) in one place.
//
// Not Sendable: an SSL must only be used from one thread at a time; the
// owning TLSHandler confines it to its channel's event loop.

import COpenSSL
import NIOCore

/// OpenSSL driving one connection through memory BIOs.
final class TLSEngine {
    /// Result of a handshake step, a read or a write.
    enum Outcome {
        /// Finished what was asked (handshake done / data read / data written).
        case done
        /// Needs more ciphertext from the network.
        case wantsMore
        /// The peer sent close_notify.
        case closeNotify
        case failed(TLSError)
    }

    let context: TLSContext
    let ssl: OpaquePointer
    /// Network → OpenSSL (ciphertext the peer sent).
    private let networkIn: OpaquePointer
    /// OpenSSL → network (ciphertext to send).
    private let networkOut: OpaquePointer
    private(set) var handshakeDone = false
    /// Set when ciphertext could not be handed to OpenSSL: the stream of records
    /// has a hole, so every later step fails with it instead of decrypting garbage.
    private var inputFailure: TLSError?

    init(context: TLSContext) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.handle) else {
            throw TLSError(.invalidConfiguration, "cannot create SSL: \(OpenSSLErrorQueue.drain())")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(.invalidConfiguration, "cannot create memory BIOs")
        }
        // An empty BIO means "retry later", never end of file: EOF is the channel's business.
        _ = portico_BIO_set_mem_eof_return(input, -1)
        _ = portico_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)  // the SSL owns both BIOs from here on
        self.context = context
        self.ssl = ssl
        self.networkIn = input
        self.networkOut = output
        switch context.configuration.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let name = context.configuration.serverName, !TLSContext.isIPAddress(name) {
                _ = portico_SSL_set_tlsext_host_name(ssl, name)  // RFC 6066: no IP literals in SNI
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// Hands ciphertext from the network to OpenSSL (one copy into the BIO).
    /// A write the BIO refuses or cuts short (allocation failure) is remembered
    /// and reported by the next `handshake` or `read` as `.failed`.
    func feed(_ buffer: ByteBuffer) {
        guard inputFailure == nil, buffer.readableBytes > 0 else { return }
        OpenSSLErrorQueue.clear()
        let (result, written) = buffer.withUnsafeReadableBytes { raw in
            var written = 0
            let result = BIO_write_ex(networkIn, raw.baseAddress, raw.count, &written)
            return (result, written)
        }
        if result != 1 || written != buffer.readableBytes {
            let detail = OpenSSLErrorQueue.drain()
            let message = "cannot buffer \(buffer.readableBytes) bytes of received TLS data (\(written) taken)"
            inputFailure = TLSError(handshakeDone ? .protocolError : .handshakeFailed,
                                    message + (detail.isEmpty ? "" : ": \(detail)"))
        }
    }

    /// Advances the handshake as far as the buffered ciphertext allows.
    func handshake() -> Outcome {
        if let inputFailure { return .failed(inputFailure) }
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            handshakeDone = true
            return .done
        }
        return outcome(of: result)
    }

    /// Decrypts into `buffer`'s writable space until it is full or no whole record is left.
    /// `.done` means the buffer filled up (call again); `.wantsMore` means drained.
    func read(into buffer: inout ByteBuffer) -> Outcome {
        if let inputFailure { return .failed(inputFailure) }
        while buffer.writableBytes > 0 {
            OpenSSLErrorQueue.clear()
            var result: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { raw in
                var count = 0
                result = SSL_read_ex(ssl, raw.baseAddress, raw.count, &count)
                return result == 1 ? count : 0
            }
            if result != 1 { return outcome(of: result) }
        }
        return .done
    }

    /// Encrypts all of `plaintext` with one SSL_write. Partial writes are off and a memory
    /// BIO never pushes back, so anything but `.done` means the connection is unusable.
    func write(_ plaintext: ByteBuffer) -> Outcome {
        guard plaintext.readableBytes > 0 else { return .done }
        OpenSSLErrorQueue.clear()
        let result = plaintext.withUnsafeReadableBytes { raw in
            var written = 0
            return SSL_write_ex(ssl, raw.baseAddress, raw.count, &written)
        }
        return result == 1 ? .done : outcome(of: result)
    }

    /// Queues our close_notify.
    func shutdown() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    /// Ciphertext OpenSSL produced, if any, in one buffer.
    func drainCiphertext(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = Int(BIO_ctrl_pending(networkOut))
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
            var count = 0
            _ = BIO_read_ex(networkOut, raw.baseAddress, pending, &count)
            return count
        }
        return buffer
    }

    /// Ciphertext fed but not yet decrypted, a hint for sizing the plaintext buffer.
    var bufferedCiphertext: Int { Int(BIO_ctrl_pending(networkIn)) }

    /// Whether another SSL_read could return something (bytes in the BIO or inside OpenSSL).
    var hasBufferedInput: Bool { BIO_ctrl_pending(networkIn) > 0 || SSL_has_pending(ssl) == 1 }

    private func outcome(of result: Int32) -> Outcome {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .wantsMore
        case SSL_ERROR_ZERO_RETURN: return .closeNotify
        default: return .failed(classifyFailure())
        }
    }

    /// Turns OpenSSL's verify result and error queue into a TLSError.
    private func classifyFailure() -> TLSError {
        let codes = OpenSSLErrorQueue.drainCodes()
        let text = codes.map(OpenSSLErrorQueue.text(for:)).joined(separator: "; ")
        let reasons = codes.map(portico_ERR_GET_REASON)
        let verifyResult = Int32(SSL_get_verify_result(ssl))
        if verifyResult != X509_V_OK {
            let detail = verifyResult == X509_V_ERR_APPLICATION_VERIFICATION
                ? "the peer's chain does not match the configured pin"
                : String(cString: X509_verify_cert_error_string(Int(verifyResult)))
            let subject = SSL_get0_peer_certificate(ssl).flatMap { DistinguishedName.commonName(of: X509_get_subject_name($0)) }
            return TLSError(.peerVerificationFailed, "rejected the peer's certificate (CN=\(subject ?? "?")): \(detail) (\(text))")
        }
        if reasons.contains(SSL_R_NO_APPLICATION_PROTOCOL)
            || reasons.contains(SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL) {
            return TLSError(.noApplicationProtocol, "no common ALPN protocol (we offer \(context.configuration.applicationProtocols)): \(text)")
        }
        if reasons.contains(where: { $0 >= SSL_AD_REASON_OFFSET }) {
            return TLSError(.peerAlert, "the peer sent a fatal alert: \(text)")
        }
        let kind: TLSError.Kind = handshakeDone ? .protocolError : .handshakeFailed
        return TLSError(kind, text.isEmpty ? "OpenSSL failed without detail" : text)
    }
}
