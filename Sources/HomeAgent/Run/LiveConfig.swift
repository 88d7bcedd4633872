import Synchronization

/// The config a running agent serves, replaced as a whole on reload. Streams
/// look their forward up here when they open, so a reload changes what new
/// connections reach and never touches those already running.
final class LiveConfig: Sendable {
    private let value: Mutex<HomeConfig>

    init(_ config: HomeConfig) {
        value = Mutex(config)
    }

    var current: HomeConfig { value.withLock { $0 } }

    func replace(with config: HomeConfig) {
        value.withLock { $0 = config }
    }
}
