import Hummingbird

/// Domains claimed by the operator on a home's behalf.
enum DomainHandlers {
    static let domain = "domain"
    static let skipVerification = "skip_verification"
    /// The body fields of `POST /api/homes/{name}/domains`; `APIContractTests`
    /// checks them against `docs/api.yaml`.
    static let claimFields: Set<String> = [domain, skipVerification]

    /// `POST /api/homes/{name}/domains` → 201 with the claim. On an edge that
    /// requires proof ([PROOF-1]) the operator's claim needs it too, unless
    /// `skip_verification` is true: the operator may know better than DNS
    /// (a domain whose zone the home's owner cannot edit yet), and says so
    /// explicitly. The suffix and overlap rules hold either way.
    @Sendable static func claim(_ request: APIRequest) async throws -> Response {
        let body = try await request.jsonBody(allowed: claimFields, requiresBody: true)
        let rawDomain = try body.requiredString(domain)
        let skip: Bool
        switch body.fields[skipVerification] {
        case .none: skip = false
        case .bool(let value)?: skip = value
        case let other?: throw APIError.invalidField(skipVerification, "must be true or false, not \(other.typeName).")
        }
        let context = request.context
        let name = request.parameter("name")
        guard let home = try await context.registry.home(named: name) else {
            throw APIError(RegistryError.homeNotFound(String(name.prefix(80))))
        }
        if !skip, let verifier = context.domainVerifier,
            let refusal = await verifier.refusal(claiming: rawDomain, by: home.name, registry: context.registry) {
            throw APIError(
                status: .conflict, code: refusal.code,
                message: refusal.message + " An operator who knows \(home.name) holds it can skip the check: "
                    + "edgeagent domain add \(refusal.proof.domain) "
                    + "--home \(home.name) --skip-verification.")
        }
        let claim = try await context.registry.claimDomain(
            rawDomain, home: home.name, now: context.clock(), actor: .admin,
            verification: skip && context.domainVerifier != nil ? "skipped by the operator" : nil)
        return APIResponse.json(APIPresentation.domain(claim), status: .created)
    }
}
