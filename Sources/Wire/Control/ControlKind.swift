/// The kind of a CONTROL frame ([CTRL-1]): which message its body holds.
/// A struct so that kinds from later versions survive decoding and can be
/// ignored ([CTRL-3]).
public struct ControlKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Home → edge, on a session without a client certificate: redeem a join token.
    public static let enrollRequest = ControlKind(rawValue: 0x0001)
    /// Edge → home: the issued certificate, or why enrollment failed.
    public static let enrollResponse = ControlKind(rawValue: 0x0002)
    /// Home → edge: the complete list of the home's forwards.
    public static let forwardsSync = ControlKind(rawValue: 0x0010)
    /// Edge → home: what became of each forward.
    public static let forwardsResult = ControlKind(rawValue: 0x0011)
    /// Home → edge: claim or release a base domain.
    public static let domainRequest = ControlKind(rawValue: 0x0020)
    /// Edge → home: the outcome, with the home's domains afterwards.
    public static let domainResult = ControlKind(rawValue: 0x0021)
    /// Home → edge, on an authenticated session: a certificate for a new key ([CERT-2]).
    public static let renewRequest = ControlKind(rawValue: 0x0030)
    /// Edge → home: the renewed certificate, or why not.
    public static let renewResponse = ControlKind(rawValue: 0x0031)

    public var description: String {
        switch self {
        case .enrollRequest: "ENROLL_REQUEST"
        case .enrollResponse: "ENROLL_RESPONSE"
        case .forwardsSync: "FORWARDS_SYNC"
        case .forwardsResult: "FORWARDS_RESULT"
        case .domainRequest: "DOMAIN_REQUEST"
        case .domainResult: "DOMAIN_RESULT"
        case .renewRequest: "RENEW_REQUEST"
        case .renewResponse: "RENEW_RESPONSE"
        default: "CONTROL(0x\(String(rawValue, radix: 16)))"
        }
    }
}
