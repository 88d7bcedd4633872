import Synchronization
import Wire

/// The tunnel listener's current identity (the authority and the TLS
/// context made from its tunnel pair), replaced as a whole when the tunnel
/// certificate is reissued while the edge runs. Each new connection takes
/// the context current when it is accepted; connections already up keep theirs.
final class TunnelIdentity: Sendable {
    private let state: Mutex<(authority: EdgeAuthority, context: TLSContext)>

    init(_ authority: EdgeAuthority) throws {
        let context = try TLSContext(configuration: authority.serverTLSConfiguration(requireClientCertificate: false))
        state = Mutex((authority, context))
    }

    var authority: EdgeAuthority { state.withLock { $0.authority } }
    var context: TLSContext { state.withLock { $0.context } }

    /// Serves `authority`'s tunnel pair to connections accepted from now on.
    func replace(with authority: EdgeAuthority) throws {
        let context = try TLSContext(configuration: authority.serverTLSConfiguration(requireClientCertificate: false))
        state.withLock { $0 = (authority, context) }
    }
}
