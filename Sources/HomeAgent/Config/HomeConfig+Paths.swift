extension HomeConfig {
    /// The certificate and key files with relative paths anchored at the
    /// config file's directory, so that the agent finds them whatever its
    /// working directory (systemd starts it in `/`).
    struct Paths: Equatable, Sendable {
        var ca: String
        var key: String
        var certificate: String
    }

    /// ``Paths`` for a config read from (or saved to) `configPath`. Absolute
    /// paths are kept; there is no `~` expansion.
    func paths(relativeTo configPath: String) -> Paths {
        let directory = Self.directory(of: configPath)
        func resolve(_ path: String) -> String {
            if path.hasPrefix("/") || directory == "." { return path }
            return directory.hasSuffix("/") ? directory + path : directory + "/" + path
        }
        return Paths(ca: resolve(ca), key: resolve(key), certificate: resolve(certificate))
    }

    /// The directory part of `path`: `"."` for a bare file name, `"/"` for a file in the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
