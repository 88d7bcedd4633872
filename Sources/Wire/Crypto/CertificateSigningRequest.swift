// A PKCS#10 certificate signing request: how a home proves possession of the
// key it generated, without the key ever leaving the home.
//
// Invariant: `handle` is a non-null X509_REQ owned by this object, never mutated
// after init (signing happens before the object exists). `@unchecked Sendable`
// is sound because read-only X509_REQ use (encoding, field access, signature
// verification) is thread-safe in OpenSSL 3 and nothing here mutates it.

import COpenSSL

/// A certificate signing request carrying a public key and a common name.
public final class CertificateSigningRequest: @unchecked Sendable {
    let handle: OpaquePointer

    init(taking handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { X509_REQ_free(handle) }

    /// Creates a request for `key`'s public key, signed with `key`.
    public convenience init(key: PrivateKey, commonName: String) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let name = try DistinguishedName.make(commonName: commonName)
        defer { X509_NAME_free(name) }
        guard let request = X509_REQ_new() else { throw .openSSL(.internalFailure, "cannot allocate a CSR") }
        guard X509_REQ_set_version(request, 0) == 1,
              X509_REQ_set_subject_name(request, name) == 1,
              X509_REQ_set_pubkey(request, key.handle) == 1,
              X509_REQ_sign(request, key.handle, key.algorithm.signingDigest) > 0
        else {
            X509_REQ_free(request)
            throw .openSSL(.internalFailure, "cannot build and sign the CSR")
        }
        self.init(taking: request)
    }

    /// Parses a PEM CSR ("-----BEGIN CERTIFICATE REQUEST-----").
    public convenience init(pem: String) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let request = try MemoryBIO.reading(Array(pem.utf8)) { bio throws(CryptoError) in
            guard let request = PEM_read_bio_X509_REQ(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(.malformedInput, "not a PEM certificate signing request")
            }
            return request
        }
        self.init(taking: request)
    }

    /// PEM encoding.
    public func pemString() throws(CryptoError) -> String {
        OpenSSLErrorQueue.clear()
        let bytes = try MemoryBIO.writing({ bio in PEM_write_bio_X509_REQ(bio, handle) == 1 },
                                          failure: "cannot encode the CSR as PEM")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The requested common name, if any.
    public var commonName: String? {
        DistinguishedName.commonName(of: X509_REQ_get_subject_name(handle))
    }

    /// The public key being certified.
    public func publicKey() throws(CryptoError) -> PublicKey {
        OpenSSLErrorQueue.clear()
        guard let key = X509_REQ_get0_pubkey(handle) else {
            throw .openSSL(.malformedInput, "the CSR carries no usable public key")
        }
        return try PublicKey(spkiDER: PublicKey.spkiDER(of: key))
    }

    /// Whether the request is signed by the private key matching its own public key.
    public func verifySignature() -> Bool {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let key = X509_REQ_get0_pubkey(handle) else { return false }
        return X509_REQ_verify(handle, key) == 1
    }
}
