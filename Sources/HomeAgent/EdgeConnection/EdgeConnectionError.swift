import NIOCore

/// Why a one-shot command could not talk to the edge as this home. Every
/// case says what the operator can check or do, because these commands are
/// the operator's first look at a broken setup.
enum EdgeConnectionError: Error, CustomStringConvertible {
    /// The config file itself is missing or invalid.
    case config(HomeConfigError)
    /// A key or certificate file the config names is missing or unreadable.
    case credentials(field: String, path: String, reason: String)
    /// The certificate the config names was issued to another home.
    case identityMismatch(home: String, certificateHome: String, path: String, configPath: String)
    /// No TCP connection to the edge's tunnel port.
    case unreachable(address: String, reason: String)
    /// The edge did not complete TLS and HELLO within the connect timeout.
    case timedOut(address: String, after: TimeAmount)
    /// The server's certificate does not chain to the pinned edge CA.
    case edgeNotTrusted(address: String, reason: String)
    /// The edge closed the connection (or sent an alert) after seeing our
    /// certificate: the registry no longer has this home as active.
    case homeNotAccepted(home: String, address: String, detail: String?)
    /// TLS failed for another reason.
    case tls(address: String, reason: String)

    var description: String {
        switch self {
        case .config(let error):
            "\(error)"
        case .credentials(let field, let path, let reason):
            "cannot use the \(field) file \(path) named in the config: \(reason). Run `homeagent join` again if it is lost."
        case .identityMismatch(let home, let certificateHome, let path, let configPath):
            "the certificate \(path) is home \"\(certificateHome)\"'s, but \(configPath) is for home \"\(home)\": "
                + "using it would act as the other home. The two homes' files were mixed up (older versions wrote "
                + "home.key and home.pem for every config in a directory). Ask the edge operator for a new token "
                + "(`edgeagent home token \(home)`), then run `homeagent join TOKEN --config \(configPath) --force`."
        case .unreachable(let address, let reason):
            "cannot reach the edge at \(address): \(reason). Check the network and that edgeagent is running."
        case .timedOut(let address, let after):
            "the edge at \(address) did not complete TLS and HELLO within \(after.nanoseconds / 1_000_000_000) s."
        case .edgeNotTrusted(let address, _):
            "the server at \(address) is not the edge this home joined: its certificate does not match the CA pin in the "
                + "config (the edge's CA was replaced, or another server answers at that address)"
        case .homeNotAccepted(let home, let address, let detail):
            "the edge at \(address) no longer accepts this home's certificate (deleted or disabled?); "
                + "if the edge operator disabled it, `edgeagent home enable \(home)` lets it back in; otherwise "
                + "home \"\(home)\" must join again (`homeagent join TOKEN --force`) with a new token from "
                + "`edgeagent home token \(home)` (or `edgeagent home create \(home)` if it was deleted)"
                + (detail.map { " (\($0))" } ?? "")
        case .tls(let address, let reason):
            "TLS with the edge at \(address) failed: \(reason). The config's edge: must be the edge's tunnel port "
                + "(its base port + 1, 8444 by default)."
        }
    }
}
