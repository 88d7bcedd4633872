// The parts of verification and negotiation OpenSSL calls back into: chain
// verification plus our pin, ALPN selection, and "no ALPN at all is refused".
//
// OpenSSL gets an unretained pointer to this object as callback argument; the
// TLSContext owns it strongly and every SSL (TLSEngine) owns the TLSContext, so
// it outlives every callback. Immutable after init, so it is Sendable.

import COpenSSL

/// Verification and ALPN rules for one TLSContext.
final class PeerPolicy: Sendable {
    let pin: PeerPin?
    /// No trust roots: the pinned certificate, found in the peer's own chain, is the only anchor.
    let pinIsOnlyAnchor: Bool
    let applicationProtocols: [[UInt8]]

    init(pin: PeerPin?, pinIsOnlyAnchor: Bool, applicationProtocols: [String]) {
        self.pin = pin
        self.pinIsOnlyAnchor = pinIsOnlyAnchor
        self.applicationProtocols = applicationProtocols.map { Array($0.utf8) }
    }

    /// ALPN protocols in wire format (length-prefixed), as the client offers them.
    var alpnWireFormat: [UInt8] {
        applicationProtocols.flatMap { [UInt8($0.count)] + $0 }
    }

    /// Verifies the chain in `store` (OpenSSL's X509_STORE_CTX); false rejects the peer.
    func verify(_ store: OpaquePointer) -> Bool {
        if pinIsOnlyAnchor, case .certificateInChain(let digest) = pin {
            return verifyAnchoredAtPin(store, digest: digest)
        }
        guard X509_verify_cert(store) == 1 else { return false }
        guard let pin else { return true }
        let chain = X509_STORE_CTX_get0_chain(store)
        let count = portico_sk_X509_num(chain)
        let satisfied: Bool
        switch pin {
        case .certificateInChain(let digest):
            satisfied = (0..<count).contains { index in
                portico_sk_X509_value(chain, index).map { Self.fingerprint($0) == digest } ?? false
            }
        case .leafPublicKey(let digest):
            satisfied = count > 0 && portico_sk_X509_value(chain, 0).flatMap { Self.spkiPin($0) } == digest
        }
        if !satisfied { X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION) }
        return satisfied
    }

    private func verifyAnchoredAtPin(_ store: OpaquePointer, digest: [UInt8]) -> Bool {
        var candidates: [OpaquePointer] = []
        if let leaf = X509_STORE_CTX_get0_cert(store) { candidates.append(leaf) }
        if let untrusted = X509_STORE_CTX_get0_untrusted(store) {
            for index in 0..<portico_sk_X509_num(untrusted) {
                if let cert = portico_sk_X509_value(untrusted, index) { candidates.append(cert) }
            }
        }
        guard let anchor = candidates.first(where: { Self.fingerprint($0) == digest }),
              let anchors = portico_sk_X509_new_null()
        else {
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
            return false
        }
        // The stack borrows `anchor` (owned by the peer chain) and is freed without releasing it.
        defer { portico_sk_X509_free(anchors) }
        _ = portico_sk_X509_push(anchors, anchor)
        X509_STORE_CTX_set0_trusted_stack(store, anchors)
        X509_STORE_CTX_set_flags(store, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        return X509_verify_cert(store) == 1
    }

    /// Picks our most preferred protocol the client also offers; nil if none.
    func selectProtocol(clientOffer: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var offered: [([UInt8], Range<Int>)] = []
        var index = 0
        while index < clientOffer.count {
            let length = Int(clientOffer[index])
            let range = (index + 1)..<(index + 1 + length)
            guard length > 0, range.upperBound <= clientOffer.count else { return nil }
            offered.append((Array(clientOffer[range]), range))
            index = range.upperBound
        }
        for ours in applicationProtocols {
            if let match = offered.first(where: { $0.0 == ours }) { return match.1 }
        }
        return nil
    }

    static func fingerprint(_ x509: OpaquePointer) -> [UInt8]? {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        _ = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509(x509, &cursor)
        }
        return SHA256.hash(der)
    }

    static func spkiPin(_ x509: OpaquePointer) -> [UInt8]? {
        guard let key = X509_get0_pubkey(x509), let der = try? PublicKey.spkiDER(of: key) else { return nil }
        return SHA256.hash(der)
    }
}

// MARK: - C callbacks (arg is an unretained PeerPolicy)

func portico_verifyPeerChain(_ store: OpaquePointer?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let store, let arg else { return 0 }
    return Unmanaged<PeerPolicy>.fromOpaque(arg).takeUnretainedValue().verify(store) ? 1 : 0
}

func portico_selectALPN(_ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                        _ outLength: UnsafeMutablePointer<UInt8>?, _ offer: UnsafePointer<UInt8>?,
                        _ offerLength: UInt32, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let out, let outLength, let offer, let arg else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let policy = Unmanaged<PeerPolicy>.fromOpaque(arg).takeUnretainedValue()
    guard let range = policy.selectProtocol(clientOffer: UnsafeBufferPointer(start: offer, count: Int(offerLength)))
    else { return SSL_TLSEXT_ERR_ALERT_FATAL }  // RFC 7301 §3.2: no_application_protocol
    out.pointee = offer + range.lowerBound
    outLength.pointee = UInt8(range.count)
    return SSL_TLSEXT_ERR_OK
}

/// Refuses a ClientHello without the ALPN extension (the selection callback never runs then).
func portico_requireALPN(_ ssl: OpaquePointer?, _ alert: UnsafeMutablePointer<Int32>?,
                         _ arg: UnsafeMutableRawPointer?) -> Int32 {
    var data: UnsafePointer<UInt8>?
    var length = 0
    if SSL_client_hello_get0_ext(ssl, UInt32(TLSEXT_TYPE_application_layer_protocol_negotiation),
                                 &data, &length) == 1 {
        return SSL_CLIENT_HELLO_SUCCESS
    }
    alert?.pointee = SSL_AD_NO_APPLICATION_PROTOCOL
    portico_ERR_raise_ssl(SSL_R_NO_APPLICATION_PROTOCOL)  // so the failure is classified, not "callback failed"
    return SSL_CLIENT_HELLO_ERROR
}
