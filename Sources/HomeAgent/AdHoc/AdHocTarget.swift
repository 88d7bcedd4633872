import ArgumentParser
import Wire

/// The local service `homeagent http` / `tcp` exposes: `PORT` (on this
/// machine, 127.0.0.1) or `HOST:PORT`, as ngrok and frp users type it.
enum AdHocTarget {
    static func parse(_ text: String) throws(ValidationError) -> HomeConfig.Address {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let port = Int(text), (1...65_535).contains(port) else {
                throw ValidationError("\(HomeConfig.quoted(text)) is not a TCP port (1-65535)")
            }
            return HomeConfig.Address(host: "127.0.0.1", port: port)
        }
        do { return try HomeConfig.Address(parsing: text, field: "the target") } catch {
            throw ValidationError("\(error.message) (or give just a port: 8080 means 127.0.0.1:8080)")
        }
    }

    /// The forward's name when `--name` is not given: `http-8080`, `tcp-22`.
    static func defaultName(_ type: ForwardType, _ target: HomeConfig.Address) -> String {
        "\(type.rawValue)-\(target.port)"
    }
}
