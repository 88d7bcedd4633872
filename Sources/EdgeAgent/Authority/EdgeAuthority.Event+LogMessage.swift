import Logging

extension EdgeAuthority.Event {
    /// The start-up log line for this event, in words: what the edge created
    /// in its data directory, and why it issued a new tunnel certificate.
    var logMessage: Logger.Message {
        switch self {
        case .createdDataDirectory: "created the data directory"
        case .createdCertificateAuthority: "created the edge certificate authority (homes pin it through their join tokens)"
        case .createdTunnelKey: "created the tunnel key"
        case .issuedTunnelCertificate(let reason): "issued a new tunnel certificate: \(reason.explanation)"
        }
    }

    /// The event's facts as metadata, for JSON logs.
    var logMetadata: Logger.Metadata {
        switch self {
        case .issuedTunnelCertificate(let reason): ["authority.reason": "\(reason.rawValue)"]
        default: [:]
        }
    }
}

extension EdgeAuthority.TunnelIssueReason {
    /// Why the certificate was issued, as the operator would put it.
    var explanation: String {
        switch self {
        case .missing: "there was none"
        case .namesChanged: "the --hostname names changed"
        case .expiring: "the previous one expires within \(Int(EdgeAuthority.renewalWindow / 86_400)) days"
        case .notIssuedByCA: "the previous one was not issued by this edge's certificate authority"
        }
    }
}
