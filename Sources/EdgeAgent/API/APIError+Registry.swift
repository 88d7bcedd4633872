import Hummingbird

/// The one place where registry refusals become HTTP statuses and error
/// codes, so the same refusal looks the same on every endpoint.
extension APIError {
    init(_ error: RegistryError) {
        let (status, code): (HTTPResponse.Status, String) =
            switch error {
            case .homeExists: (.conflict, "home_exists")
            case .homeNotFound: (.notFound, "home_not_found")
            case .invalidName: (.badRequest, "invalid_name")
            case .invalidBandwidth: (.badRequest, "invalid_bandwidth")
            case .invalidBurst: (.badRequest, "invalid_burst")
            case .invalidTCPPortQuota: (.badRequest, "invalid_tcp_port_quota")
            case .invalidFingerprint: (.badRequest, "invalid_fingerprint")
            case .fingerprintInUse: (.conflict, "fingerprint_in_use")
            case .invalidTTL: (.badRequest, "invalid_ttl")
            case .tokenUnknown: (.notFound, "token_unknown")
            case .tokenExpired: (.gone, "token_expired")
            case .tokenUsed: (.conflict, "token_used")
            case .tokenSuperseded: (.conflict, "token_superseded")
            case .tokenRevoked: (.conflict, "token_revoked")
            case .homeDisabled: (.conflict, "home_disabled")
            case .tokenIDInvalid: (.badRequest, "invalid_token_id")
            case .tokenNotFound: (.notFound, "token_not_found")
            case .tokenIDAmbiguous: (.badRequest, "token_id_ambiguous")
            case .tokenAlreadyUsed: (.conflict, "token_used")
            case .domainRejected: (.badRequest, "domain_rejected")
            case .domainNotFound: (.notFound, "domain_not_found")
            case .domainInUse: (.conflict, "domain_in_use")
            case .hostnameRejected: (.badRequest, "hostname_rejected")
            case .hostnameInUse: (.conflict, "hostname_in_use")
            case .duplicateForward: (.conflict, "duplicate_forward")
            case .invalidForward: (.badRequest, "invalid_forward")
            case .portRangeExhausted: (.conflict, "port_range_exhausted")
            case .portQuotaExceeded: (.conflict, "port_quota_exceeded")
            case .portOutsideRange: (.badRequest, "port_outside_range")
            case .portTaken: (.conflict, "port_in_use")
            case .renewalTooSoon: (.tooManyRequests, "renewal_too_soon")
            case .storage: (.internalServerError, "storage_error")
            }
        if case .storage = error {
            // The detail (paths, SQLite messages) is for the log, not the client.
            self = APIError(status: status, code: code, message: Self.internalError.message)
        } else {
            self = APIError(status: status, code: code, message: error.message)
        }
    }
}
