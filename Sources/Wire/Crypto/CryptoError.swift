// A failure in key, certificate or CSR handling.
//
// Every error carries a kind a caller can switch on and a message a user can act
// on; when OpenSSL was involved the message ends with its error-queue text, so
// "why did this PEM not parse" is answered without a debugger.

/// An error from Portico's key and certificate code (libcrypto underneath).
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely; stable for callers to match on.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// Input (PEM, DER) could not be parsed.
        public static let malformedInput = Kind(name: "malformedInput")
        /// A key of an unsupported algorithm was supplied.
        public static let unsupportedAlgorithm = Kind(name: "unsupportedAlgorithm")
        /// A signature (on a CSR or certificate) does not verify.
        public static let invalidSignature = Kind(name: "invalidSignature")
        /// The caller asked for something inconsistent (empty name, reversed validity, key/cert mismatch).
        public static let invalidArgument = Kind(name: "invalidArgument")
        /// OpenSSL failed where it should not (allocation, signing).
        public static let internalFailure = Kind(name: "internalFailure")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }

    /// An error whose message is `context` followed by the drained OpenSSL error queue.
    static func openSSL(_ kind: Kind, _ context: String) -> CryptoError {
        let queue = OpenSSLErrorQueue.drain()
        return CryptoError(kind, queue.isEmpty ? context : "\(context): \(queue)")
    }
}
