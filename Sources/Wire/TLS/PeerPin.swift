// A SHA-256 pin on the peer's certificate chain. A join token carries the pin
// of the edge CA, so a home can trust the edge with nothing but the token:
// with no trust roots configured, a `certificateInChain` pin makes the pinned
// certificate (found among those the peer presents) the only trust anchor, and
// the chain must still verify up to it (signatures, validity, names, usage).

/// A SHA-256 pin the peer's verified chain must satisfy.
public enum PeerPin: Sendable, Hashable {
    /// SHA-256 of the DER of a certificate (typically the CA) that must be in the verified chain.
    case certificateInChain(sha256: [UInt8])
    /// SHA-256 of the leaf certificate's SubjectPublicKeyInfo.
    case leafPublicKey(sha256: [UInt8])

    var digest: [UInt8] {
        switch self {
        case .certificateInChain(let sha256), .leafPublicKey(let sha256): sha256
        }
    }
}
