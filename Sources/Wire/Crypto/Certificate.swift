// An X.509 certificate held in an OpenSSL X509.
//
// Invariant: `handle` is a non-null X509 owned by this object (one reference),
// freed in deinit and never mutated after init; every accessor only reads it.
// `@unchecked Sendable` is sound because OpenSSL documents read-only use of an
// X509 (encoding, field access, adding it to a store, which takes its own
// reference) as thread-safe once it is fully constructed. The DER encoding is
// computed once at init, so equality and fingerprints never touch OpenSSL.

import COpenSSL
import Foundation

/// An X.509 certificate: a CA, a server or a client leaf.
public final class Certificate: @unchecked Sendable, Hashable, CustomStringConvertible {
    let handle: OpaquePointer
    /// The DER encoding, as received or issued.
    public let derBytes: [UInt8]

    /// Takes ownership of one reference to `x509`.
    init(taking x509: OpaquePointer) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let length = i2d_X509(x509, nil)
        guard length > 0 else {
            X509_free(x509)
            throw .openSSL(.internalFailure, "cannot encode the certificate")
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        _ = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509(x509, &cursor)
        }
        self.handle = x509
        self.derBytes = der
    }

    /// Shares a certificate OpenSSL owns (e.g. from a verified chain) by taking a reference.
    convenience init(borrowing x509: OpaquePointer) throws(CryptoError) {
        X509_up_ref(x509)
        try self.init(taking: x509)
    }

    deinit { X509_free(handle) }

    /// Parses one DER certificate; trailing bytes are an error.
    public convenience init(der: [UInt8]) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        var consumed = 0
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let x509 = d2i_X509(nil, &cursor, buffer.count)
            if let cursor, let base = buffer.baseAddress { consumed = cursor - base }
            return x509
        }
        guard let parsed else { throw .openSSL(.malformedInput, "not a DER certificate") }
        guard consumed == der.count else {
            X509_free(parsed)
            throw CryptoError(.malformedInput, "trailing bytes after the DER certificate")
        }
        try self.init(taking: parsed)
    }

    /// Parses the first certificate in a PEM string.
    public convenience init(pem: String) throws(CryptoError) {
        guard let first = try Certificate.chain(pem: pem).first else {
            throw CryptoError(.malformedInput, "no PEM certificate found")
        }
        try self.init(borrowing: first.handle)
    }

    /// Parses every certificate in a PEM bundle, in order (leaf first for a chain).
    public static func chain(pem: String) throws(CryptoError) -> [Certificate] {
        OpenSSLErrorQueue.clear()
        return try MemoryBIO.reading(Array(pem.utf8)) { bio throws(CryptoError) in
            var result: [Certificate] = []
            while let x509 = PEM_read_bio_X509(bio, nil, refusePassphrase, nil) {
                result.append(try Certificate(taking: x509))
            }
            // The loop ends at end of input (PEM "no start line") or at a malformed block.
            let codes = OpenSSLErrorQueue.drainCodes()
            let endOfInput = codes.allSatisfy { portico_ERR_GET_REASON($0) == PEM_R_NO_START_LINE }
            guard endOfInput, !result.isEmpty else {
                let text = codes.map(OpenSSLErrorQueue.text(for:)).joined(separator: "; ")
                throw CryptoError(.malformedInput, "not a PEM certificate" + (text.isEmpty ? "" : ": \(text)"))
            }
            return result
        }
    }

    /// PEM ("-----BEGIN CERTIFICATE-----").
    public var pemString: String {
        let body = Data(derBytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }

    /// SHA-256 of the DER: the certificate fingerprint (what a join token pins for the edge CA).
    public var fingerprintSHA256: [UInt8] { SHA256.hash(derBytes) }

    /// DER SubjectPublicKeyInfo of the subject key, whatever its algorithm.
    ///
    /// Throws rather than trapping: a certificate from a peer (the edge at
    /// enrollment, a TLS chain, an ACME server) may carry a key OpenSSL cannot
    /// decode, and peer input must never end the process.
    public func subjectPublicKeyInfoDER() throws(CryptoError) -> [UInt8] {
        OpenSSLErrorQueue.clear()
        guard let key = X509_get0_pubkey(handle) else {
            throw .openSSL(.malformedInput, "the certificate's public key cannot be decoded")
        }
        return try PublicKey.spkiDER(of: key)
    }

    /// The subject public key, when it is of an algorithm Portico uses (P-256,
    /// Ed25519); any other throws `unsupportedAlgorithm`.
    public var publicKey: PublicKey {
        get throws(CryptoError) { try PublicKey(spkiDER: subjectPublicKeyInfoDER()) }
    }

    /// Whether this certificate binds `key`'s public half: false for another
    /// key and for a public key that cannot be decoded.
    public func certifies(_ key: PrivateKey) -> Bool {
        (try? subjectPublicKeyInfoDER()) == key.publicKey.spkiDER
    }

    /// SHA-256 of the subject public key info: the SPKI pin (any algorithm).
    public var publicKeyPinSHA256: [UInt8] {
        get throws(CryptoError) { SHA256.hash(try subjectPublicKeyInfoDER()) }
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.derBytes == rhs.derBytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(derBytes) }

    public var description: String {
        "Certificate(CN=\(subjectCommonName ?? "-"), sha256=\(SHA256.hex(fingerprintSHA256).prefix(16))…)"
    }
}
