import Foundation
import TestSupport

/// A real HTTP/1.1 service "at home" (python3's `http.server`, keep-alive)
/// that answers every request with what it received, as JSON: the header
/// lines in order, the body (`Content-Length` or chunked, decoded) and the
/// port its peer connected from, which tells requests that came on one
/// connection from requests on another. A request with `Upgrade: websocket`
/// gets `101 Switching Protocols` and then every byte back as it came, as
/// a WebSocket service switches. Stopped by its PID.
final class HeaderEchoServer: Sendable {
    /// One request as the service saw it.
    struct Request: Decodable, Equatable {
        var method: String
        var path: String
        var headers: [[String]]
        var body: String
        /// The home agent's port towards the service: one per public connection.
        var peerPort: Int

        enum CodingKeys: String, CodingKey {
            case method, path, headers, body
            case peerPort = "peer_port"
        }

        /// Every value of header `name`, compared case-insensitively.
        func values(_ name: String) -> [String] {
            headers.filter { $0.first?.lowercased() == name.lowercased() }.compactMap { $0.last }
        }
    }

    let port: Int
    private let process: SpawnedProcess
    private let directory: URL

    static let script = #"""
        import http.server, json, os, sys

        class Echo(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b""):
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def answer(self):
                if self.headers.get("Upgrade", "").lower() == "websocket":
                    self.send_response(101)
                    self.send_header("Upgrade", "websocket")
                    self.send_header("Connection", "Upgrade")
                    self.end_headers()
                    self.wfile.flush()
                    while True:
                        data = self.rfile.read1(65536)
                        if not data:
                            break
                        self.wfile.write(data)
                    self.close_connection = True
                    return
                body = self.body()
                echo = json.dumps({
                    "method": self.command, "path": self.path,
                    "headers": [[name, value] for name, value in self.headers.items()],
                    "body": body.decode("latin-1"), "peer_port": self.client_address[1],
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(echo)))
                self.end_headers()
                self.wfile.write(echo)

            do_GET = do_POST = do_PUT = answer

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        with open(sys.argv[1] + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(sys.argv[1] + ".tmp", sys.argv[1])
        server.serve_forever()
        """#

    /// Starts the service on a port it chooses itself (no free-port race)
    /// and waits until it has written that port, for as long as it runs.
    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-echo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("echo.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let portFile = directory.appendingPathComponent("port").path
        let log = directory.appendingPathComponent("echo.log").path
        process = try SpawnedProcess("/usr/bin/python3", [script.path, portFile], output: log, error: log)
        let running = process
        // Progress, not a deadline: python's start-up takes what the machine
        // gives it; a python that exits is reported at once.
        _ = try await eventually(timeout: .seconds(120)) { !running.isRunning || FileManager.default.fileExists(atPath: portFile) }
        guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else {
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            process.killNow()
            throw EdgeServerFailure("the header echo service did not start: \(said)")
        }
        self.port = port
    }

    /// The request an answer's body (one JSON document) describes.
    static func decode(_ answer: String) throws -> Request {
        try JSONDecoder().decode(Request.self, from: Data(answer.utf8))
    }

    func stop() async {
        await process.killAndWait()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        process.killNow()
    }
}
