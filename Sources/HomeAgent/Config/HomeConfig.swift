/// The home agent's configuration: who the home is, which edge it dials, and
/// the only local addresses it will ever connect to on the edge's behalf.
///
/// Written by `homeagent join`, edited by `expose` / `unexpose` and by hand;
/// read with ``HomeConfigFile/load(path:)``. A value may be built in code, but
/// only a config that passes ``validate()`` is ever loaded or saved.
///
/// ## File format (YAML, one document, mode 0600)
///
/// ```yaml
/// edge: edge.example.com:8444        # tunnel address host:port; IPv6 as [2001:db8::1]:8444
/// home: alice                        # this home's name, 1-63 of [a-z0-9-]
/// ca: alice.ca.pem                   # PATH to the edge CA certificate (PEM)
/// key: alice.key                     # PATH to the home's private key; must be mode 0600
/// certificate: alice.pem             # PATH to the home's certificate (PEM), naming this home
/// ca_pin: 3f2a…64 hex digits         # optional: SHA-256 of the edge CA certificate
/// log_format: text                   # optional: text (default) or json
/// drain_timeout_seconds: 10          # optional: 0-3600, default 10
/// max_streams: 8192                  # optional: 16-1000000, most public connections at once, default 8192
/// target_check_seconds: 30           # optional: 0-3600, how often idle targets are checked; 0 never
/// forwards:                          # optional, default []; order is kept
///   - name: web                      # 1-63 of [a-z0-9-], unique
///     type: https                    # https (TLS passthrough by SNI) | http (by Host) | tcp (own port)
///     hostname: blog.example.com     # required for https/http, forbidden for tcp; "*.example.com" allowed
///     target: 127.0.0.1:8443         # host:port, the address dialled for this forward
///     acme_target: 127.0.0.1:8080    # optional, https only: where ACME HTTP-01 challenges go
///     proxy_protocol: v2             # optional: send a PROXY v2 header to the target
///     compress: false                # optional: LZ4 on the tunnel; not allowed (true) for https
///     port: 2222                     # optional, tcp only: the public port to ask for (else any free one)
/// ```
///
/// - `ca`, `key` and `certificate` are file paths, never inline PEM: the files
///   are written by `join` next to the config, keep the YAML short and
///   hand-editable, and let the key carry its own 0600 check. Relative paths
///   are relative to the config file's directory (see ``paths(relativeTo:)``).
/// - Unknown keys are errors, so a typo such as `forward:` is never silently
///   ignored. A wildcard hostname must be quoted (`"*.example.com"`): an
///   unquoted `*` starts a YAML alias.
/// - Saving rewrites the file from this value: comments and key order within a
///   mapping are not preserved; the order of forwards is.
struct HomeConfig: Equatable, Sendable {
    /// The edge's tunnel port, `host:port`.
    var edge: Address
    /// This home's name as enrolled at the edge.
    var home: String
    /// Path to the edge CA certificate (PEM) that the tunnel's server certificate must chain to.
    var ca: String
    /// Path to the home's private key; refused on load unless mode 0600.
    var key: String
    /// Path to the home's certificate issued at join.
    var certificate: String
    /// Hex SHA-256 of the edge CA certificate, checked in addition to the chain when present.
    var caPin: String?
    /// Log output format when `--log-format` is not given; `nil` means text.
    var logFormat: LogFormat?
    /// Seconds in-flight streams get to finish on shutdown; `nil` means
    /// ``defaultDrainTimeoutSeconds``. Kept optional so that saving does not
    /// write defaults the user never chose.
    var drainTimeoutSeconds: Int?
    /// Most streams (public connections) the edge may have open to this home
    /// at once, advertised in HELLO; `nil` means the wire default (8192). The
    /// edge lets one forward take at most three quarters of them.
    var maxStreams: Int? = nil
    /// Seconds between the cheap checks of targets that carried no
    /// connection lately (a TCP connect, closed at once); `nil` means
    /// ``defaultTargetCheckSeconds``, 0 turns the checks off.
    var targetCheckSeconds: Int? = nil
    /// The forwards, in file order.
    var forwards: [Forward]

    static let defaultDrainTimeoutSeconds = 10
    static let maxStreamsRange = 16...1_000_000
    static let defaultTargetCheckSeconds = 30
    static let targetCheckRange = 0...3600

    init(
        edge: Address, home: String, ca: String, key: String, certificate: String,
        caPin: String? = nil, logFormat: LogFormat? = nil, drainTimeoutSeconds: Int? = nil,
        forwards: [Forward] = []
    ) {
        self.edge = edge
        self.home = home
        self.ca = ca
        self.key = key
        self.certificate = certificate
        self.caPin = caPin
        self.logFormat = logFormat
        self.drainTimeoutSeconds = drainTimeoutSeconds
        self.forwards = forwards
    }

    /// How the agent logs: human-readable lines or one JSON object per line.
    enum LogFormat: String, CaseIterable, Sendable {
        case text
        case json
    }

    /// The log format in effect once the default is applied.
    var effectiveLogFormat: LogFormat { logFormat ?? .text }

    /// The drain deadline in effect once the default is applied.
    var drainTimeout: Duration { .seconds(drainTimeoutSeconds ?? Self.defaultDrainTimeoutSeconds) }

    /// The period of the target checks, or nil when they are off.
    var targetCheckInterval: Duration? {
        let seconds = targetCheckSeconds ?? Self.defaultTargetCheckSeconds
        return seconds > 0 ? .seconds(seconds) : nil
    }

    /// The forward with this name, if any: what the home looks up for every
    /// OPEN the edge sends, so that it only ever dials configured targets.
    func forward(named name: String) -> Forward? {
        forwards.first { $0.name == name }
    }
}
