// A public key, stored as an EVP_PKEY with no private part.
//
// Invariant: `handle` is a non-null EVP_PKEY owned by this object, never mutated
// after init; `@unchecked Sendable` for the same reason as `PrivateKey` (EVP_PKEY
// read-only use is thread-safe in OpenSSL 3). Its identity is the DER
// SubjectPublicKeyInfo, which is what SPKI pins hash.

import COpenSSL

/// A public key: what a CSR carries and what a certificate binds a name to.
public final class PublicKey: @unchecked Sendable, Hashable {
    let handle: OpaquePointer
    /// DER-encoded SubjectPublicKeyInfo.
    public let spkiDER: [UInt8]

    /// Parses a DER SubjectPublicKeyInfo.
    public init(spkiDER: [UInt8]) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = spkiDER.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw .openSSL(.malformedInput, "not a DER SubjectPublicKeyInfo") }
        guard PrivateKey.Algorithm(pkey: parsed) != nil else {
            EVP_PKEY_free(parsed)
            throw CryptoError(.unsupportedAlgorithm, "only P-256 and Ed25519 keys are supported")
        }
        self.handle = parsed
        self.spkiDER = spkiDER
    }

    deinit { EVP_PKEY_free(handle) }

    /// SHA-256 of the SPKI: the "leaf public key" pin.
    public var pinSHA256: [UInt8] { SHA256.hash(spkiDER) }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.spkiDER == rhs.spkiDER }
    public func hash(into hasher: inout Hasher) { hasher.combine(spkiDER) }

    /// DER SPKI of any EVP_PKEY (public part only).
    static func spkiDER(of pkey: OpaquePointer) throws(CryptoError) -> [UInt8] {
        OpenSSLErrorQueue.clear()
        let length = i2d_PUBKEY(pkey, nil)
        guard length > 0 else { throw .openSSL(.internalFailure, "cannot encode the public key") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pkey, &cursor)
        }
        guard written == length else { throw .openSSL(.internalFailure, "cannot encode the public key") }
        return der
    }
}
