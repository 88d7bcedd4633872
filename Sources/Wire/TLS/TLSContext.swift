// An SSL_CTX built once from a TLSConfiguration and shared by every connection
// that uses it: TLS 1.3 only, no session tickets, ALPN required, peer
// verification through PeerPolicy.
//
// Invariant: `handle` is fully configured in init and never changed afterwards.
// `@unchecked Sendable` is sound because OpenSSL documents creating SSL objects
// from one SSL_CTX on many threads as safe as long as the SSL_CTX itself is not
// modified, and nothing here modifies it after init.

import COpenSSL
import Foundation

/// A configured OpenSSL context; make one per configuration, then one TLSHandler per connection.
public final class TLSContext: @unchecked Sendable {
    let handle: OpaquePointer
    public let configuration: TLSConfiguration
    let policy: PeerPolicy

    public init(configuration: TLSConfiguration) throws(TLSError) {
        try Self.validate(configuration)
        OpenSSLErrorQueue.clear()
        OpenSSLLibrary.initialize()
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let ctx = SSL_CTX_new(method) else {
            throw TLSError(.invalidConfiguration, "cannot create SSL_CTX: \(OpenSSLErrorQueue.drain())")
        }
        self.handle = ctx
        self.configuration = configuration
        self.policy = PeerPolicy(pin: configuration.pin,
                                 pinIsOnlyAnchor: configuration.trustRoots.isEmpty,
                                 applicationProtocols: configuration.applicationProtocols)
        try configureProtocol()
        try configureIdentity()
        try configureVerification()
        try configureALPN()
    }

    deinit { SSL_CTX_free(handle) }

    private static func validate(_ c: TLSConfiguration) throws(TLSError) {
        func invalid(_ message: String) -> TLSError { TLSError(.invalidConfiguration, message) }
        if c.role == .server, c.certificateChain.isEmpty { throw invalid("a TLS server needs a certificate") }
        if !c.certificateChain.isEmpty, c.privateKey == nil { throw invalid("a certificate chain needs its private key") }
        let verifiesPeer = c.role == .client || c.requirePeerCertificate || c.requestPeerCertificate
        if verifiesPeer, c.trustRoots.isEmpty, c.pin == nil {
            throw invalid("peer verification needs trust roots or a pin; refusing to trust any peer")
        }
        if c.trustRoots.isEmpty, case .leafPublicKey = c.pin {
            throw invalid("a leaf public-key pin needs trust roots to verify the chain against")
        }
        if let pin = c.pin, pin.digest.count != 32 { throw invalid("a pin must be a 32-byte SHA-256 digest") }
        if c.applicationProtocols.isEmpty || c.applicationProtocols.contains(where: { $0.isEmpty || $0.utf8.count > 255 }) {
            throw invalid("ALPN needs 1 to 255-byte protocol names, at least one")
        }
        if c.role == .server, c.serverName != nil { throw invalid("serverName is a client setting") }
    }

    private func failure(_ what: String) -> TLSError {
        TLSError(.invalidConfiguration, "\(what): \(OpenSSLErrorQueue.drain())")
    }

    private func configureProtocol() throws(TLSError) {
        guard portico_SSL_CTX_set_min_proto_version(handle, TLS1_3_VERSION) == 1,
              portico_SSL_CTX_set_max_proto_version(handle, TLS1_3_VERSION) == 1
        else { throw failure("cannot restrict to TLS 1.3") }
        _ = SSL_CTX_set_options(handle, portico_SSL_OP_hardening())
        _ = portico_SSL_CTX_set_mode(handle, portico_SSL_MODE_handler_defaults())
        // One long-lived connection per home: resumption buys nothing, tickets cost bytes.
        _ = SSL_CTX_set_num_tickets(handle, 0)
    }

    private func configureIdentity() throws(TLSError) {
        guard let leaf = configuration.certificateChain.first, let key = configuration.privateKey else { return }
        guard SSL_CTX_use_certificate(handle, leaf.handle) == 1 else { throw failure("cannot use certificate \(leaf)") }
        for intermediate in configuration.certificateChain.dropFirst() {
            guard portico_SSL_CTX_add1_chain_cert(handle, intermediate.handle) == 1 else {
                throw failure("cannot add chain certificate \(intermediate)")
            }
        }
        guard SSL_CTX_use_PrivateKey(handle, key.handle) == 1, SSL_CTX_check_private_key(handle) == 1 else {
            throw failure("the private key does not match \(leaf)")
        }
    }

    private func configureVerification() throws(TLSError) {
        let store = SSL_CTX_get_cert_store(handle)
        for root in configuration.trustRoots {
            guard X509_STORE_add_cert(store, root.handle) == 1 else { throw failure("cannot trust \(root)") }
        }
        switch configuration.role {
        case .client: SSL_CTX_set_verify(handle, SSL_VERIFY_PEER, nil)
        case .server:
            let mode =
                configuration.requirePeerCertificate ? portico_SSL_VERIFY_PEER_mutual()
                : configuration.requestPeerCertificate ? SSL_VERIFY_PEER : SSL_VERIFY_NONE
            SSL_CTX_set_verify(handle, mode, nil)
        }
        SSL_CTX_set_cert_verify_callback(handle, portico_verifyPeerChain, Unmanaged.passUnretained(policy).toOpaque())
        guard configuration.role == .client, let name = configuration.serverName else { return }
        let param = SSL_CTX_get0_param(handle)
        X509_VERIFY_PARAM_set_hostflags(param, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        let ok = Self.isIPAddress(name)
            ? X509_VERIFY_PARAM_set1_ip_asc(param, name)
            : X509_VERIFY_PARAM_set1_host(param, name, 0)
        guard ok == 1 else { throw failure("cannot verify against server name \"\(name)\"") }
    }

    private func configureALPN() throws(TLSError) {
        let arg = Unmanaged.passUnretained(policy).toOpaque()
        switch configuration.role {
        case .client:
            let wire = policy.alpnWireFormat
            // Unusually, 0 means success here.
            guard SSL_CTX_set_alpn_protos(handle, wire, UInt32(wire.count)) == 0 else { throw failure("cannot set ALPN") }
        case .server:
            SSL_CTX_set_alpn_select_cb(handle, portico_selectALPN, arg)
            SSL_CTX_set_client_hello_cb(handle, portico_requireALPN, arg)
        }
    }

    static func isIPAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}
