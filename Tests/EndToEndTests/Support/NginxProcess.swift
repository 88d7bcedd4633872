import Foundation
import TestSupport

/// A real nginx "at home" on loopback: one TLS server with a self-signed
/// certificate for `names`, one plain HTTP server, both serving `files`
/// from their own directory. A single process (`master_process off`), so it
/// is stopped by its PID like everything else the tests start.
final class NginxProcess: @unchecked Sendable {
    // @unchecked: set up in init, then only read; `Process` is only killed.

    let directory: URL
    let tlsPort: Int
    let httpPort: Int
    let certificate: URL
    private var process: SpawnedProcess?

    init(names: [String], files: [String: String]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-nginx-\(UUID().uuidString)")
        let www = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        for (path, body) in files {
            let file = www.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try body.write(to: file, atomically: true, encoding: .utf8)
        }
        certificate = directory.appendingPathComponent("cert.pem")
        let key = directory.appendingPathComponent("key.pem")
        let subjectAltName = "subjectAltName=" + names.map { "DNS:\($0)" }.joined(separator: ",")
        let made = try await AgentRun.tool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key.path, "-out", certificate.path, "-days", "2", "-subj", "/CN=\(names[0])",
            "-addext", subjectAltName,
        ])
        guard made.status == 0 else { throw EdgeServerFailure("openssl req failed: \(made.error)") }
        // Below the ephemeral range: a port found free there cannot become
        // some parallel test's client socket before nginx binds it.
        let ports = try FreePorts.range(count: 2)
        tlsPort = ports.lowerBound
        httpPort = ports.upperBound
        let d = directory.path
        let config = """
            daemon off;
            master_process off;
            pid \(d)/nginx.pid;
            error_log \(d)/error.log warn;
            events { worker_connections 2048; }
            http {
                access_log \(d)/access.log;
                client_body_temp_path \(d)/body;
                proxy_temp_path \(d)/proxy;
                fastcgi_temp_path \(d)/fastcgi;
                uwsgi_temp_path \(d)/uwsgi;
                scgi_temp_path \(d)/scgi;
                default_type text/plain;
                server {
                    listen 127.0.0.1:\(tlsPort) ssl;
                    server_name \(names.joined(separator: " "));
                    ssl_certificate \(certificate.path);
                    ssl_certificate_key \(key.path);
                    root \(www.path);
                }
                server {
                    listen 127.0.0.1:\(httpPort);
                    root \(www.path);
                }
            }
            """
        let configFile = directory.appendingPathComponent("nginx.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let nginx = try SpawnedProcess("/usr/sbin/nginx", ["-c", configFile.path, "-e", "\(d)/error.log", "-p", d])
        process = nginx
        // Waited for while nginx runs and advances (CPU, its log): a start
        // slowed by load is no failure, one that exited or stalls is.
        var deadline = ProgressDeadline(stall: .seconds(10))
        while !FreePorts.isListening(tlsPort) || !FreePorts.isListening(httpPort) {
            guard nginx.isRunning, !deadline.expired(observing: ProcessProgress(pid: nginx.pid, logs: ["\(d)/error.log"])) else {
                let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
                throw EdgeServerFailure("nginx did not start (\(nginx.isRunning ? deadline.reason : "it exited")): \(log)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The access log: one line per request nginx answered.
    var accessLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
    }

    func stop() async {
        await process?.killAndWait()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        process?.killNow()
    }
}

/// `curl` against the edge's public ports with `--resolve`, as a user's
/// browser would reach a name that points at the edge.
enum Curl {
    static func get(_ url: String, resolve host: String, port: Int, arguments: [String] = []) async throws -> AgentRun {
        try await AgentRun.tool("/usr/bin/curl", [
            "-sS", "--max-time", "10", "--resolve", "\(host):\(port):127.0.0.1",
            "-o", "-", "-w", "\n%{http_code}", url,
        ] + arguments)
    }
}
