import Wire

extension RegistryError {
    /// The stable code a home's program can switch on ([CTRL-2]); the
    /// message stays the registry's sentence for people.
    var controlCode: String {
        switch self {
        // A single label (`com`) is a public suffix too, by the list's implicit `*` rule.
        case .domainRejected(.publicSuffix), .domainRejected(.abovePublicSuffix), .domainRejected(.invalidName(.tooFewLabels)):
            "public_suffix"
        case .domainRejected(.overlaps): "overlap"
        case .domainRejected: "invalid_domain"
        case .domainNotFound: "not_found"
        case .domainInUse: "domain_in_use"
        case .hostnameRejected(.notUnderHomeDomains): "foreign_domain"
        case .hostnameRejected: "invalid_hostname"
        case .hostnameInUse: "hostname_in_use"
        case .duplicateForward: "duplicate_forward"
        case .invalidForward: "invalid_forward"
        case .portRangeExhausted: "port_range_exhausted"
        case .portQuotaExceeded: "port_quota_exceeded"
        case .portOutsideRange: "port_outside_range"
        case .portTaken: "port_in_use"
        case .homeNotFound: "home_not_found"
        case .renewalTooSoon: "renewal_too_soon"
        case .storage: "internal"
        case .homeExists, .invalidName, .invalidBandwidth, .invalidBurst, .invalidTCPPortQuota, .invalidFingerprint,
            .fingerprintInUse, .invalidTTL, .tokenUnknown, .tokenExpired, .tokenUsed,
            .tokenSuperseded, .tokenRevoked, .homeDisabled, .tokenIDInvalid, .tokenNotFound, .tokenIDAmbiguous,
            .tokenAlreadyUsed:
            "not_allowed"
        }
    }

    /// The error as it travels in a CONTROL body. Storage details stay in the
    /// edge's log: they name files the home has no business knowing.
    var controlError: ControlError {
        if case .storage = self {
            return ControlError(code: controlCode, message: "The edge could not access its registry; try again later.")
        }
        return ControlError(code: controlCode, message: message)
    }
}
