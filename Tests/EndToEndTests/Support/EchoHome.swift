import Foundation
import TestSupport

/// An edge and one home, "alice", whose three forwards all lead to one echo
/// service: `tls` (https, by SNI), `web` (http, by Host) and `raw` (tcp).
/// Everything a public client sends comes back byte for byte (on the HTTP
/// port with the edge's forwarding headers in each request head), so the
/// relay can be checked exactly on every listener kind.
final class EchoHome: @unchecked Sendable {
    // @unchecked: fields are set once in `start` and then only read.

    static let domain = "alice-home.com"
    static let tlsName = "echo.alice-home.com"
    static let httpName = "app.alice-home.com"

    let edge: EdgeServerProcess
    let echo: EchoServer
    let config: String
    let agent: HomeAgentProcess
    /// The public port of the `raw` TCP forward.
    let tcpPort: Int

    private init(edge: EdgeServerProcess, echo: EchoServer, config: String, agent: HomeAgentProcess, tcpPort: Int) {
        self.edge = edge
        self.echo = echo
        self.config = config
        self.agent = agent
        self.tcpPort = tcpPort
    }

    /// `niceness` starts both agents under `nice -n`.
    static func start(proxyProtocol: Bool = false, edgeArguments: [String] = [], niceness: Int? = nil) async throws -> EchoHome {
        let edge = try EdgeServerProcess(arguments: edgeArguments, niceness: niceness)
        try await edge.waitUntilReady()
        let echo = try await EchoServer()
        let target = "127.0.0.1:\(echo.port)"
        let proxy = proxyProtocol ? ["--proxy-protocol", "v2"] : []
        let config = try await HomeEnrollment.enroll("alice", at: edge, domain: domain, forwards: [
            ["tls", "--type", "https", "--hostname", tlsName, "--target", target] + proxy,
            ["web", "--type", "http", "--hostname", httpName, "--target", target] + proxy,
            ["raw", "--type", "tcp", "--target", target] + proxy,
        ])
        let agent = try HomeAgentProcess(config: config, niceness: niceness)
        try await agent.waitUntilHealthy()
        let port = try await agent.publicPort(of: "raw")
        return EchoHome(edge: edge, echo: echo, config: config, agent: agent, tcpPort: port)
    }

    /// A ClientHello naming `name`, as the start of a TLS connection.
    static func clientHello(_ name: String) -> [UInt8] {
        var builder = ClientHelloBuilder()
        builder.extensions = [ClientHelloBuilder.serverName(name), ClientHelloBuilder.supportedVersions([0x0304])]
        return builder.records()
    }

    /// An HTTP/1.1 request head for `host` announcing a body of `bodyLength` bytes.
    static func requestHead(_ host: String, path: String = "/", bodyLength: Int = 0) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/octet-stream\r\nContent-Length: \(bodyLength)\r\n\r\n".utf8)
    }

    /// The lines the edge writes into every request head on an `http`
    /// forward for a client on 127.0.0.1 ([SEC-7]), before its empty line.
    static let forwardedLines = "X-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
        + "Forwarded: for=127.0.0.1;proto=http\r\n"

    /// `requestHead` as the service at home receives it through the edge's
    /// HTTP port: with the edge's forwarding lines.
    static func relayedRequestHead(_ host: String, path: String = "/", bodyLength: Int = 0) -> [UInt8] {
        let head = requestHead(host, path: path, bodyLength: bodyLength)
        return Array(head[..<(head.count - 2)]) + Array(forwardedLines.utf8) + [0x0D, 0x0A]
    }

    func stop() async {
        _ = await agent.terminate()
        _ = await edge.terminate()
        await echo.close()
        edge.removeData()
    }
}
