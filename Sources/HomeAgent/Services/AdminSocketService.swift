import ServiceLifecycle

/// The control socket (`homeagent status`, `expose`, `renew`, …), bound by
/// `HomeServices.build`, open until the group reaches it at shutdown, which
/// is last; closing removes the socket file.
struct AdminSocketService: Service {
    let server: AdminSocketServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.close()
    }
}
