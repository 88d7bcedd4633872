// A private key (P-256 or Ed25519) held in an OpenSSL EVP_PKEY.
//
// Invariant: `handle` is a non-null EVP_PKEY containing private material, owned
// by this object alone and freed in deinit. It is never mutated after init.
// `@unchecked Sendable` is sound because OpenSSL documents EVP_PKEY as safe for
// concurrent read-only use (signing, encoding, SSL_CTX_use_PrivateKey, which
// takes its own reference) once constructed, and nothing here mutates it.

import COpenSSL

/// A private key for TLS and certificate signing.
public final class PrivateKey: @unchecked Sendable {
    /// Key algorithms Portico issues and accepts.
    public enum Algorithm: String, Sendable, CaseIterable {
        case p256
        case ed25519
    }

    let handle: OpaquePointer
    /// The algorithm of this key.
    public let algorithm: Algorithm
    /// The matching public key, derived once here so that reading it cannot fail later.
    public let publicKey: PublicKey

    init(taking handle: OpaquePointer) throws(CryptoError) {
        guard let algorithm = Algorithm(pkey: handle) else {
            EVP_PKEY_free(handle)
            throw CryptoError(.unsupportedAlgorithm, "only P-256 and Ed25519 keys are supported")
        }
        do {
            publicKey = try PublicKey(spkiDER: PublicKey.spkiDER(of: handle))
        } catch {
            EVP_PKEY_free(handle)
            throw error
        }
        self.handle = handle
        self.algorithm = algorithm
    }

    deinit { EVP_PKEY_free(handle) }

    /// Generates a fresh key.
    public static func generate(_ algorithm: Algorithm) throws(CryptoError) -> PrivateKey {
        OpenSSLLibrary.initialize()
        OpenSSLErrorQueue.clear()
        let id = algorithm == .p256 ? EVP_PKEY_EC : EVP_PKEY_ED25519
        guard let ctx = EVP_PKEY_CTX_new_id(id, nil) else {
            throw .openSSL(.internalFailure, "cannot create a key-generation context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else {
            throw .openSSL(.internalFailure, "cannot initialise key generation")
        }
        if algorithm == .p256, EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) != 1 {
            throw .openSSL(.internalFailure, "cannot select curve P-256")
        }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen(ctx, &key) == 1, let key else {
            throw .openSSL(.internalFailure, "key generation failed")
        }
        return try PrivateKey(taking: key)
    }

    /// Parses a PEM private key (PKCS#8 "PRIVATE KEY", or "EC PRIVATE KEY").
    /// Encrypted keys are refused rather than prompting for a passphrase.
    public convenience init(pem: String) throws(CryptoError) {
        OpenSSLLibrary.initialize()
        OpenSSLErrorQueue.clear()
        let key = try MemoryBIO.reading(Array(pem.utf8)) { bio throws(CryptoError) in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(.malformedInput, "not a PEM private key")
            }
            return key
        }
        try self.init(taking: key)
    }

    /// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted.
    public func pemString() throws(CryptoError) -> String {
        OpenSSLErrorQueue.clear()
        let bytes = try MemoryBIO.writing({ bio in
            PEM_write_bio_PrivateKey(bio, handle, nil, nil, 0, nil, nil) == 1
        }, failure: "cannot encode the private key as PEM")
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PrivateKey.Algorithm {
    init?(pkey: OpaquePointer) {
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_ED25519: self = .ed25519
        case EVP_PKEY_EC:
            guard EVP_PKEY_get_bits(pkey) == 256 else { return nil }
            self = .p256
        default: return nil
        }
    }

    /// The digest used when signing with this algorithm (Ed25519 signs the message itself).
    var signingDigest: OpaquePointer? {
        self == .p256 ? EVP_sha256() : nil
    }
}

/// A PEM passphrase callback that always declines, so libcrypto never prompts on a terminal.
func refusePassphrase(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ writing: Int32,
                      _ userData: UnsafeMutableRawPointer?) -> Int32 { 0 }
