import Foundation
import Wire

/// A freshly issued join token: the only moment the secret exists on the
/// edge. The registry keeps SHA-256(secret); whoever receives this value puts
/// the secret into the printed `JoinToken` and then drops it.
struct IssuedToken: Sendable {
    /// 16 random bytes, the token's public name in the registry.
    var idBytes: [UInt8]
    /// 32 random bytes proving the holder may enroll once.
    var secret: [UInt8]
    /// The home the token enrolls.
    var home: String
    var expiresAt: Date

    /// `idBytes` as lower-case hex, the form stored and sent in ENROLL_REQUEST.
    var id: String { SHA256.hex(idBytes) }
}
