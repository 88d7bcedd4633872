/// Bodies of the CONTROL messages the agents exchange. Each is JSON with
/// snake_case keys ([CTRL-2]); unknown keys are ignored so that fields can be
/// added without a new kind.

/// A failure a peer reports: a stable machine code and a sentence for people.
public struct ControlError: Codable, Hashable, Sendable, Error, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// ENROLL_REQUEST: redeem a join token for a certificate.
public struct EnrollRequest: Codable, Hashable, Sendable {
    /// The token's public id, hex.
    public var tokenID: String
    /// The token's one-time secret, base64url.
    public var secret: String
    /// A PKCS#10 request (PEM) for the key the home generated; the key never leaves the home.
    public var csr: String

    public init(tokenID: String, secret: String, csr: String) {
        self.tokenID = tokenID
        self.secret = secret
        self.csr = csr
    }

    enum CodingKeys: String, CodingKey {
        case tokenID = "token_id"
        case secret
        case csr
    }
}

/// ENROLL_RESPONSE: either the home's name and certificate, or an error.
public struct EnrollResponse: Codable, Hashable, Sendable {
    public var home: String?
    /// The issued client certificate, PEM.
    public var certificate: String?
    /// The edge CA certificate, PEM: what the home stores as its trust anchor
    /// after checking it against the token's pin ([ENROLL-4]). Absent from
    /// edges older than this field.
    public var caCertificate: String?
    public var error: ControlError?

    public init(home: String? = nil, certificate: String? = nil, caCertificate: String? = nil, error: ControlError? = nil) {
        self.home = home
        self.certificate = certificate
        self.caCertificate = caCertificate
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case home, certificate, error
        case caCertificate = "ca_certificate"
    }
}

/// One forward as the home declares it. The home's local target is reported
/// only as a description for operators; the edge never dials anything.
public struct ForwardDeclaration: Codable, Hashable, Sendable {
    public var name: String
    public var type: ForwardType
    public var hostname: String?
    /// `"v2"` when the local service wants a PROXY protocol v2 header.
    public var proxyProtocol: String?
    public var compress: Bool?
    public var target: String?
    /// The public TCP port a `tcp` forward asks for ([CTRL-7]); absent means
    /// any free port, as before this key existed.
    public var port: Int?

    public init(
        name: String, type: ForwardType, hostname: String? = nil, proxyProtocol: String? = nil, compress: Bool? = nil,
        target: String? = nil, port: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.hostname = hostname
        self.proxyProtocol = proxyProtocol
        self.compress = compress
        self.target = target
        self.port = port
    }

    /// The `type` text as received when it names no ``ForwardType`` this build
    /// knows; `type` is then a placeholder that must not be used. The edge
    /// rejects such a forward alone with `invalid_forward` instead of the whole
    /// sync as `malformed`, so one forward from a newer home cannot take the
    /// others down ([CTRL-4]).
    public var unrecognizedType: String?

    enum CodingKeys: String, CodingKey {
        case name, type, hostname, compress, target, port
        case proxyProtocol = "proxy_protocol"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        let typeText = try container.decode(String.self, forKey: .type)
        if let known = ForwardType(rawValue: typeText) {
            type = known
        } else {
            type = .tcp
            unrecognizedType = typeText
        }
        hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        proxyProtocol = try container.decodeIfPresent(String.self, forKey: .proxyProtocol)
        compress = try container.decodeIfPresent(Bool.self, forKey: .compress)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(unrecognizedType ?? type.rawValue, forKey: .type)
        try container.encodeIfPresent(hostname, forKey: .hostname)
        try container.encodeIfPresent(proxyProtocol, forKey: .proxyProtocol)
        try container.encodeIfPresent(compress, forKey: .compress)
        try container.encodeIfPresent(target, forKey: .target)
        try container.encodeIfPresent(port, forKey: .port)
    }
}

/// FORWARDS_SYNC: the home's complete list; forwards not listed are removed.
public struct ForwardsSync: Codable, Hashable, Sendable {
    /// Chosen by the home and echoed in FORWARDS_RESULT, so an answer that
    /// comes late (or never) cannot be taken for another sync's; absent from
    /// homes that predate it.
    public var requestID: UInt32?
    public var forwards: [ForwardDeclaration]

    public init(requestID: UInt32? = nil, forwards: [ForwardDeclaration]) {
        self.requestID = requestID
        self.forwards = forwards
    }

    enum CodingKeys: String, CodingKey {
        case forwards
        case requestID = "request_id"
    }
}

/// What the edge made of one declared forward.
public struct ForwardStatus: Codable, Hashable, Sendable {
    public var name: String
    /// Where the public reaches it, e.g. `https://blog.example.com` or `edge.example.com:10003`.
    public var publicAddress: String?
    public var error: ControlError?

    public init(name: String, publicAddress: String? = nil, error: ControlError? = nil) {
        self.name = name
        self.publicAddress = publicAddress
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case name, error
        case publicAddress = "public_address"
    }
}

/// FORWARDS_RESULT: one status per declared forward, in the same order, or
/// an error about the request as a whole (then `forwards` is empty).
public struct ForwardsResult: Codable, Hashable, Sendable {
    /// The `request_id` of the FORWARDS_SYNC answered; absent when that sync
    /// carried none (or it could not be read), and from edges that predate it.
    public var requestID: UInt32?
    public var forwards: [ForwardStatus]
    public var error: ControlError?

    public init(requestID: UInt32? = nil, forwards: [ForwardStatus], error: ControlError? = nil) {
        self.requestID = requestID
        self.forwards = forwards
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case forwards, error
        case requestID = "request_id"
    }
}

/// DOMAIN_REQUEST: claim (`add`) or release (`remove`) a base domain, or
/// only ask for the home's domains (`list`).
public struct DomainRequest: Codable, Hashable, Sendable {
    public enum Action: String, Codable, Hashable, Sendable {
        case add
        case remove
        case list
    }

    /// Chosen by the home; echoed in the result.
    public var requestID: UInt32
    public var action: Action
    /// The domain to add or remove; empty (and absent on the wire) for `list`.
    public var domain: String

    public init(requestID: UInt32, action: Action, domain: String = "") {
        self.requestID = requestID
        self.action = action
        self.domain = domain
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.decode(UInt32.self, forKey: .requestID)
        action = try container.decode(Action.self, forKey: .action)
        // `list` names no domain; `add` and `remove` must.
        domain = action == .list
            ? try container.decodeIfPresent(String.self, forKey: .domain) ?? ""
            : try container.decode(String.self, forKey: .domain)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(action, forKey: .action)
        if action != .list || !domain.isEmpty { try container.encode(domain, forKey: .domain) }
    }

    enum CodingKeys: String, CodingKey {
        case action, domain
        case requestID = "request_id"
    }
}

/// DOMAIN_RESULT: the outcome and the home's base domains afterwards.
public struct DomainResult: Codable, Hashable, Sendable {
    public var requestID: UInt32
    public var domains: [String]
    public var error: ControlError?
    /// With a `verification_*` error: the record to publish ([PROOF-2]).
    public var verification: DomainVerificationRecord?

    public init(
        requestID: UInt32, domains: [String], error: ControlError? = nil, verification: DomainVerificationRecord? = nil
    ) {
        self.requestID = requestID
        self.domains = domains
        self.error = error
        self.verification = verification
    }

    enum CodingKeys: String, CodingKey {
        case domains, error, verification
        case requestID = "request_id"
    }
}
