import ServiceLifecycle

/// The control socket (`homeagent status`, `expose`, `renew`, …), bound by
/// `HomeServices.build`, open until the group reaches it at shutdown, which
/// is last; closing removes the socket file.
struct AdminSocketService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "admin socket" }

    let server: AdminSocketServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.close()
    }
}
