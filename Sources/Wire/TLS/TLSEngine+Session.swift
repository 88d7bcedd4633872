// Reading what the handshake negotiated out of the SSL.

import COpenSSL

extension TLSEngine {
    /// The negotiated ALPN protocol, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Facts about the established session.
    func sessionInfo() -> TLSSessionInfo {
        let ssl = ssl
        var peer: Certificate?
        if let x509 = SSL_get1_peer_certificate(ssl) { peer = try? Certificate(taking: x509) }
        var chain: [Certificate] = []
        if let verified = SSL_get0_verified_chain(ssl) {
            for index in 0..<portico_sk_X509_num(verified) {
                if let x509 = portico_sk_X509_value(verified, index), let cert = try? Certificate(borrowing: x509) {
                    chain.append(cert)
                }
            }
        }
        let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
        return TLSSessionInfo(
            applicationProtocol: negotiatedProtocol,
            protocolVersion: String(cString: SSL_get_version(ssl)),
            cipherSuite: SSL_get_current_cipher(ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? "",
            serverName: name,
            peerCertificate: peer,
            peerVerifiedChain: chain)
    }
}
