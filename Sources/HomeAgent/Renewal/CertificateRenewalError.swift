import AgentRuntime
import Wire

/// Why a certificate renewal did not produce new credentials. In every
/// case the previous key and certificate are still in place and valid.
enum CertificateRenewalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The edge refused, with its stable code (`renewal_too_soon`, `csr_invalid`, …).
    case refused(ControlError)
    /// No answer the home could use: not connected, timed out, session closed.
    case request(EdgeRequestError)
    case notConnected
    /// The answer does not hold a certificate this home can use.
    case badAnswer(String)
    case files(String)

    var description: String {
        switch self {
        case .refused(let error): "the edge refused to renew: \(error.message) (\(error.code))"
        case .request(let error): NetworkErrorText.describe(error)
        case .notConnected: "not connected to the edge right now; the agent renews once it is"
        case .badAnswer(let reason): "the edge's RENEW_RESPONSE is unusable: \(reason)"
        case .files(let reason): reason
        }
    }

    var isTooSoon: Bool {
        if case .refused(let error) = self { error.code == "renewal_too_soon" } else { false }
    }
}
