/// RENEW_REQUEST and RENEW_RESPONSE ([CERT-2]): a home's certificate renewed
/// over its authenticated session, for a new key the home generated, so a
/// home never needs a new join token while it keeps connecting.

/// RENEW_REQUEST: a certificate for the key in `csr`, for the session's home.
public struct RenewRequest: Codable, Hashable, Sendable {
    /// Chosen by the home; echoed in RENEW_RESPONSE.
    public var requestID: UInt32
    /// A PKCS#10 request (PEM) for the new key; rules as at enrollment ([ENROLL-6]).
    public var csr: String

    public init(requestID: UInt32, csr: String) {
        self.requestID = requestID
        self.csr = csr
    }

    enum CodingKeys: String, CodingKey {
        case csr
        case requestID = "request_id"
    }
}

/// RENEW_RESPONSE: the new certificate with the edge CA certificate, or an error.
public struct RenewResponse: Codable, Hashable, Sendable {
    public var requestID: UInt32
    /// The issued client certificate, PEM.
    public var certificate: String?
    /// The edge CA certificate, PEM (the one the home already trusts).
    public var caCertificate: String?
    public var error: ControlError?

    public init(requestID: UInt32, certificate: String? = nil, caCertificate: String? = nil, error: ControlError? = nil) {
        self.requestID = requestID
        self.certificate = certificate
        self.caCertificate = caCertificate
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case certificate, error
        case requestID = "request_id"
        case caCertificate = "ca_certificate"
    }
}
