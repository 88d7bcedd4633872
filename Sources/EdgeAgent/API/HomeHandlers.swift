import Hummingbird
import NIOCore

/// Homes: list, show, create (with a join token), change limits, delete.
enum HomeHandlers {
    /// The body fields of `POST /api/homes` and `PATCH /api/homes/{name}`;
    /// `APIContractTests` checks them against `docs/api.yaml`.
    static let createFields: Set<String> = [
        BodyFields.name, BodyFields.upload, BodyFields.download, BodyFields.tcpPortQuota, BodyFields.tokenTTL,
    ]
    static let updateFields: Set<String> = [
        BodyFields.upload, BodyFields.download, BodyFields.burst, BodyFields.tcpPortQuota,
    ]

    /// `GET /api/homes`
    @Sendable static func list(_ request: APIRequest) async throws -> Response {
        let homes = try await request.context.registry.homes()
        var presented: [JSONValue] = []
        for home in homes { presented.append(await present(home, request.context)) }
        return APIResponse.json(.object(["homes": .array(presented)]))
    }

    /// `GET /api/homes/{name}`
    @Sendable static func show(_ request: APIRequest) async throws -> Response {
        let home = try await existingHome(request)
        return APIResponse.json(await present(home, request.context))
    }

    /// `POST /api/homes` → 201 with the home and its first join token.
    ///
    /// Every field is checked before anything is written, so a bad TTL does
    /// not leave a home behind without a token.
    @Sendable static func create(_ request: APIRequest) async throws -> Response {
        let body = try await request.jsonBody(allowed: createFields)
        let name = try body.requiredString(BodyFields.name)
        let upload = try BodyFields.limit(body, BodyFields.upload).change.applied(to: nil)
        let download = try BodyFields.limit(body, BodyFields.download).change.applied(to: nil)
        let tcpPortQuota = try BodyFields.tcpPortQuota(body) ?? Home.defaultTCPPortQuota
        let ttl = try BodyFields.tokenTTL(body)
        let context = request.context
        let home = try await context.registry.createHome(
            name: name, uploadLimitKbps: upload, downloadLimitKbps: download, tcpPortQuota: tcpPortQuota,
            now: context.clock())
        // A disabled home deleted and created again is a new home: no bar of the old one applies.
        context.sessions.unbar(home.name)
        var fields = try await TokenHandlers.issue(home: home.name, ttlSeconds: ttl, context: context)
        fields["home"] = await present(home, context)
        return APIResponse.json(.object(fields), status: .created)
    }

    /// `PATCH /api/homes/{name}`: each limit is a number (set), `null`
    /// (unlimited) or absent (unchanged); absent ones are kept inside the
    /// registry's transaction, so racing PATCHes never undo each other. The
    /// TCP port quota is a number or absent. The body itself is required, as
    /// `docs/api.yaml` says: an empty one is a 400, not a silent no-op.
    @Sendable static func update(_ request: APIRequest) async throws -> Response {
        let body = try await request.jsonBody(allowed: updateFields, requiresBody: true)
        let upload = try BodyFields.limit(body, BodyFields.upload)
        let download = try BodyFields.limit(body, BodyFields.download)
        let burst = try BodyFields.burst(body)
        let tcpPortQuota = try BodyFields.tcpPortQuota(body)
        let current = try await existingHome(request)
        let context = request.context
        let updated = try await context.registry.updateLimits(
            home: current.name, upload: upload.change, download: download.change, burst: burst.change,
            tcpPortQuota: tcpPortQuota, now: context.clock())
        await applyStoredLimits(updated, context)
        return APIResponse.json(await present(updated, context))
    }

    /// Gives the home's live session the limits just stored, then reads the
    /// row back and applies again until it stands still. However PATCHes of
    /// one home race, the last limits applied are then the last ones stored:
    /// a PATCH whose read-back still matches what it applied read before the
    /// last write, so that write's own PATCH applies after it.
    static func applyStoredLimits(_ stored: Home, _ context: APIContext) async {
        var applied = stored
        while true {
            context.sessions.setLimits(applied.rateLimits, for: applied.name)
            let current: Home?
            do {
                current = try await context.registry.home(named: applied.name)
            } catch {
                // The change is stored and applied; only the race check failed.
                return
            }
            guard let current else {
                // Deleted meanwhile: forget the limits with the session.
                return context.sessions.disconnect(applied.name, reason: HomeSessionTable.deletedReason)
            }
            guard current.rateLimits != applied.rateLimits else { return }
            applied = current
        }
    }

    /// `DELETE /api/homes/{name}` → 204; a live session is closed at once,
    /// after the registry forgot the home so it cannot reconnect.
    @Sendable static func delete(_ request: APIRequest) async throws -> Response {
        let home = try await existingHome(request)
        try await request.context.registry.deleteHome(named: home.name, now: request.context.clock())
        request.context.sessions.disconnect(home.name, reason: HomeSessionTable.deletedReason)
        await request.context.routesChanged()
        return APIResponse.noContent()
    }

    private static func existingHome(_ request: APIRequest) async throws -> Home {
        let name = request.parameter("name")
        guard let home = try await request.context.registry.home(named: name) else {
            throw APIError(RegistryError.homeNotFound(String(name.prefix(80))))
        }
        return home
    }

    /// `POST /api/homes/{name}/ping`: one PING round trip over the home's
    /// tunnel, the same frame the keepalive sends, so it shows what control
    /// traffic sees (also while the home is saturated at its limit).
    @Sendable static func ping(_ request: APIRequest) async throws -> Response {
        _ = try await request.jsonBody(allowed: [])
        let home = try await existingHome(request)
        let context = request.context
        guard let session = context.sessions.session(for: home.name) else { throw APIError.notConnected(home.name) }
        let rtt: TimeAmount
        do {
            rtt = try await session.ping()
                .timingOut(after: context.pingTimeout, with: APIError.pingTimeout(home.name, after: context.pingTimeout))
                .get()
        } catch let error as APIError {
            throw error
        } catch {
            // The session ended before the PONG came.
            throw APIError.notConnected(home.name)
        }
        return APIResponse.json(.object([
            "home": .string(home.name),
            "rtt_ms": .number(APIPresentation.rounded(Double(rtt.nanoseconds) / 1e6, places: 3)),
        ]))
    }

    static func present(_ home: Home, _ context: APIContext) async -> JSONValue {
        APIPresentation.home(home, traffic: await context.sessions.traffic(of: home.name))
    }
}
