import Foundation
import Wire

/// Writes what enrollment produced: the key (0600, never anywhere else), the
/// home and CA certificates, and the config naming them by relative path, so
/// the directory can be moved as a whole.
///
/// The files are named after the config (`dir/alice.yaml` → `alice.key`,
/// `alice.pem`, `alice.ca.pem`), so configs kept side by side in one
/// directory (one per edge, or one per home) never share credentials: when
/// every join wrote `home.key`, a second join silently replaced the first
/// home's key and both configs became the second home.
enum HomeEnrollmentFiles {
    /// The credential file names for the config at `configPath`, relative to its directory.
    struct Names: Equatable, Sendable {
        var key: String
        var certificate: String
        var ca: String
    }

    /// `alice.key`, `alice.pem`, `alice.ca.pem` for `…/alice.yaml` (the config's
    /// file name without its last extension; `home` if that leaves nothing).
    static func names(forConfig configPath: String) -> Names {
        let file = URL(fileURLWithPath: configPath).lastPathComponent
        let stem = file.lastIndex(of: ".").map { String(file[..<$0]) } ?? file
        let base = stem.isEmpty ? "home" : stem
        return Names(key: "\(base).key", certificate: "\(base).pem", ca: "\(base).ca.pem")
    }

    /// A credential file `join` would have to overwrite although the config it
    /// writes does not name it: it may be another home's, so `join` stops
    /// before spending the token. Nil when joining is safe.
    static func conflict(configPath: String, existing: HomeConfig?) -> String? {
        let names = names(forConfig: configPath)
        let directory = HomeConfig.directory(of: configPath)
        var owned: Set<String> = []
        if let paths = existing?.paths(relativeTo: configPath) {
            owned = Set([paths.key, paths.certificate, paths.ca].map(canonical))
        }
        for name in [names.key, names.certificate, names.ca] {
            let path = directory == "." ? name : "\(directory)/\(name)"
            if FileManager.default.fileExists(atPath: path), !owned.contains(canonical(path)) {
                return "\(path) already exists and \(configPath) does not name it: it may hold another home's "
                    + "credentials, and joining would overwrite it. Move it away, or join with another --config file name."
            }
        }
        return nil
    }

    /// Why the files of `configPath` could not be written, found by trying:
    /// the one-time token is spent once the edge answers, so `join` asks
    /// before it enrolls. A missing directory is not made yet (a join that
    /// fails later would leave it behind); its nearest existing ancestor must
    /// take a new directory. Nil when writing works.
    static func unwritable(configPath: String) -> String? {
        var directory = HomeConfig.directory(of: configPath)
        var missing = false
        var info = stat()
        while stat(directory, &info) != 0, errno == ENOENT, directory != "/", directory != "." {
            missing = true
            directory = HomeConfig.directory(of: directory)
        }
        let probe = "\(directory)/.\(names(forConfig: configPath).key).\(getpid()).check"
        if missing {
            guard mkdir(probe, 0o700) == 0 else {
                return "cannot create a directory in \(directory): \(String(cString: strerror(errno)))" + asAgentUser(configPath)
            }
            rmdir(probe)
            return nil
        }
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            return "cannot write in \(directory): \(String(cString: strerror(errno)))" + asAgentUser(configPath)
        }
        close(fd)
        unlink(probe)
        return nil
    }

    private static func asAgentUser(_ configPath: String) -> String {
        "; join as the user the agent runs as (the package's service: "
            + "sudo -u portico homeagent join TOKEN --config /etc/portico/homeagent.yaml), or choose another --config than \(configPath)"
    }

    static func write(_ result: EnrollmentClient.Result, token: JoinToken, configPath: String, forwards: [HomeConfig.Forward]) throws {
        let directory = HomeConfig.directory(of: configPath)
        let names = names(forConfig: configPath)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // A renewal interrupted before this join left a pair the new
        // enrollment made worthless (the edge drops its pending certificate,
        // [CERT-2]); `run` would otherwise put it in place of the new one.
        for name in [names.key, names.certificate] {
            unlink("\(directory)/\(name)\(RenewedCredentialFiles.suffix)")
        }
        try PrivateFile.write(Array(try result.key.pemString().utf8), to: "\(directory)/\(names.key)", mode: 0o600)
        try PrivateFile.write(Array(result.certificate.pemString.utf8), to: "\(directory)/\(names.certificate)", mode: 0o644)
        try PrivateFile.write(Array(result.caCertificate.pemString.utf8), to: "\(directory)/\(names.ca)", mode: 0o644)
        let config = HomeConfig(
            edge: HomeConfig.Address(host: token.host, port: Int(token.port)),
            home: result.homeName,
            ca: names.ca,
            key: names.key,
            certificate: names.certificate,
            caPin: SHA256.hex(token.caPin),
            forwards: forwards)
        try HomeConfigFile.save(config, to: configPath)
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
