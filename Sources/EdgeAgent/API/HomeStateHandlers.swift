import Hummingbird

/// Disabling and enabling a home: the operator's way to take a home off the
/// edge for a while without losing anything it holds (domains, forwards and
/// their TCP ports, limits, certificate), as deleting it would.
enum HomeStateHandlers {
    /// `POST /api/homes/{name}/disable`: the home's routes leave the route
    /// table, its live session ends at once with GOAWAY saying why
    /// ([SEC-2]), and the tunnel refuses its reconnects (which the home
    /// agent takes as a permanent refusal and retries rarely) until it is
    /// enabled. Idempotent.
    @Sendable static func disable(_ request: APIRequest) async throws -> Response {
        _ = try await request.jsonBody(allowed: [])
        let context = request.context
        let home = try await context.registry.disableHome(named: request.parameter("name"), now: context.clock())
        // After the registry write, so every later admission reads `disabled`;
        // the bar closes a session admitted before it.
        context.sessions.bar(home.name, reason: HomeSessionTable.disabledReason)
        await context.routesChanged()
        return APIResponse.json(await HomeHandlers.present(home, context))
    }

    /// `POST /api/homes/{name}/enable`: the home may connect again (it
    /// retries within its refusal back-off, or at once on `homeagent sync`);
    /// its routes come back when it does. Idempotent.
    @Sendable static func enable(_ request: APIRequest) async throws -> Response {
        _ = try await request.jsonBody(allowed: [])
        let context = request.context
        let home = try await context.registry.enableHome(named: request.parameter("name"), now: context.clock())
        context.sessions.unbar(home.name)
        await context.routesChanged()
        return APIResponse.json(await HomeHandlers.present(home, context))
    }
}
