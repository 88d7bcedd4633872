/// Every endpoint the API serves. `docs/api.yaml` documents exactly these;
/// `APIContractTests` fails when the two drift apart.
extension APIRoute {
    static let all: [APIRoute] = [
        APIRoute(.get, "/healthz", authenticated: false) { _ in APIResponse.json(.object(["status": .string("ok")])) },
        APIRoute(.get, "/api/homes", HomeHandlers.list),
        APIRoute(.post, "/api/homes", HomeHandlers.create),
        APIRoute(.get, "/api/homes/{name}", HomeHandlers.show),
        APIRoute(.patch, "/api/homes/{name}", HomeHandlers.update),
        APIRoute(.delete, "/api/homes/{name}", HomeHandlers.delete),
        APIRoute(.post, "/api/homes/{name}/tokens", TokenHandlers.issue),
        APIRoute(.get, "/api/homes/{name}/tokens", TokenHandlers.list),
        APIRoute(.post, "/api/homes/{name}/tokens/{id}/revoke", TokenHandlers.revoke),
        APIRoute(.post, "/api/homes/{name}/disable", HomeStateHandlers.disable),
        APIRoute(.post, "/api/homes/{name}/enable", HomeStateHandlers.enable),
        APIRoute(.post, "/api/homes/{name}/ping", HomeHandlers.ping),
        APIRoute(.get, "/api/homes/{name}/forwards", InventoryHandlers.forwards),
        APIRoute(.post, "/api/homes/{name}/domains", DomainHandlers.claim),
        APIRoute(.get, "/api/domains", InventoryHandlers.domains),
        APIRoute(.get, "/api/routes", InventoryHandlers.routes),
        APIRoute(.get, "/api/audit", InventoryHandlers.audit),
        APIRoute(.get, "/metrics", MetricsHandlers.metrics),
    ]
}
