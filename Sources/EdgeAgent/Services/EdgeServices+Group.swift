import AgentRuntime
import Logging
import ServiceLifecycle
import Wire

extension EdgeServices {
    /// Whether the group answers the process's signals. The executable does;
    /// tests that run several edges in one process shut theirs down through
    /// `ServiceGroup.triggerGracefulShutdown()` instead.
    enum Signals {
        /// SIGTERM and SIGINT drain and stop; SIGHUP reloads (`reload()`).
        case handled
        case ignored
    }

    /// The edge's services in one group. They are listed in start order and
    /// the group shuts them down in reverse, so the order below is the
    /// shutdown order read from the bottom up:
    ///
    /// 1. the reload service, the readiness announcement and the tunnel
    ///    certificate check stop;
    /// 2. the public listeners close: no new public connection;
    /// 3. the tunnel stops accepting homes and drains their sessions
    ///    (GOAWAY; streams in flight get `drainTimeout`);
    /// 4. the API finishes its requests and closes;
    /// 5. the registry closes, last, since everything above may write to it.
    ///
    /// SIGINT drains exactly like SIGTERM; a second one of either during the
    /// drain closes the homes' sessions at once. If the whole shutdown takes longer
    /// than `maximumShutdownDuration`, the group cancels what is left.
    func serviceGroup(signals: Signals) -> ServiceGroup {
        var services: [any Service] = [
            RegistryService(registry: registry, logger: logger),
            api,
            TunnelService(
                listener: tunnel, sessions: sessions, drainTimeout: configuration.drainTimeout,
                cutOnSecondSignal: signals == .handled, logger: logger),
            PublicListenersService(listeners: listeners, drainTimeout: configuration.drainTimeout, logger: logger),
            TunnelCertificateService(edge: self),
            ReadinessService(edge: self),
        ]
        if signals == .handled {
            services.append(ReloadOnHangupService { await self.reload() })
        }
        var group = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: signals == .handled ? [.sigterm, .sigint] : [],
            logger: logger)
        group.maximumGracefulShutdownDuration = configuration.maximumShutdownDuration
        group.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: group)
    }
}
