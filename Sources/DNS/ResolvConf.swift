import Foundation

/// The nameservers `/etc/resolv.conf` names (resolv.conf(5)): `nameserver`
/// lines with an IPv4 or IPv6 address, in order. Everything else (search,
/// options, comments) is ignored: Portico asks for fully qualified names only.
/// A scoped IPv6 address (`fe80::1%eth0`) is skipped.
public enum ResolvConf {
    public static let systemPath = "/etc/resolv.conf"

    /// resolv.conf(5): "If there are no nameserver lines ... the default is to
    /// use the name server on the local machine."
    public static let fallback = [DNSServerAddress(loopbackPort: DNSServerAddress.defaultPort)]

    /// The nameservers in the file at `path` (``systemPath`` by default), or
    /// ``fallback`` when it cannot be read or names none.
    public static func nameservers(fromFile path: String = systemPath) -> [DNSServerAddress] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return fallback }
        return nameservers(in: text)
    }

    /// The nameservers in `text`, or ``fallback`` when it names none.
    public static func nameservers(in text: String) -> [DNSServerAddress] {
        var servers: [DNSServerAddress] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver",
                let server = try? DNSServerAddress(host: String(fields[1]))
            else { continue }
            servers.append(server)
        }
        return servers.isEmpty ? fallback : servers
    }
}
