// Our TLS against the real openssl CLI (s_client / s_server) on loopback, so a
// bug shared by both of our sides cannot hide. Every process is killed when its
// test ends, and every wait is bounded.

import Foundation
import NIOCore
import NIOPosix
import Testing
import Wire

@Suite(.timeLimit(.minutes(1))) struct TLSOpenSSLInteropTests {
    private func sClient(_ port: Int, _ files: TLSTestDirectory, alpn: Bool = true) throws -> TLSTestProcess {
        try TLSTestProcess(["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3",
                            "-servername", TLSTestPKI.serverName, "-verify_hostname", TLSTestPKI.serverName,
                            "-verify_return_error", "-CAfile", files.path("ca.pem"),
                            "-cert", files.path("client.pem"), "-key", files.path("client.key")]
                           + (alpn ? ["-alpn", "portico/1"] : []))
    }

    @Test(arguments: PrivateKey.Algorithm.allCases)
    func ourServerEchoesToOpenSSLClientAndSeesCleanClose(_ algorithm: PrivateKey.Algorithm) async throws {
        let pki = try TLSTestPKI(algorithm)
        let files = try pki.writeFiles()
        try await withTLSTestGroup { group in
            let server = try await TLSTestServer.start(pki.serverConfiguration(), group: group)
            let client = try sClient(server.port, files)
            defer { client.stop() }
            try client.send("ping from s_client\n")
            #expect(try await client.waitForOutput("ping from s_client"), "\(client.stderrText)")
            #expect(client.stdoutText.contains("ALPN protocol: portico/1"))
            #expect(client.stdoutText.contains("Verify return code: 0 (ok)"))
            #expect(client.stdoutText.contains("TLSv1.3"))
            try client.closeStdin()  // s_client sends close_notify and exits
            #expect(try await client.waitForExit() == 0)
            let report = try await server.firstChild.withTimeout()
            #expect(report.tlsErrors.isEmpty)
            #expect(report.session?.peerCertificate == pki.client)
            #expect(report.session?.applicationProtocol == "portico/1")
            #expect(report.session?.serverName == TLSTestPKI.serverName)
            #expect(report.received == Array("ping from s_client\n".utf8))
        }
    }

    @Test func ourServerReportsTruncationWhenOpenSSLClientDies() async throws {
        let pki = try TLSTestPKI()
        let files = try pki.writeFiles()
        try await withTLSTestGroup { group in
            let server = try await TLSTestServer.start(pki.serverConfiguration(), group: group)
            let client = try sClient(server.port, files)
            defer { client.stop() }
            try client.send("x\n")
            #expect(try await client.waitForOutput("x\n"))
            client.kill()  // no close_notify
            let report = try await server.firstChild.withTimeout()
            #expect(report.tlsErrors.map(\.kind) == [.truncated])
        }
    }

    @Test func ourServerRefusesOpenSSLClientWithoutALPN() async throws {
        let pki = try TLSTestPKI()
        let files = try pki.writeFiles()
        try await withTLSTestGroup { group in
            let server = try await TLSTestServer.start(pki.serverConfiguration(), group: group)
            let client = try sClient(server.port, files, alpn: false)
            defer { client.stop() }
            #expect(try await client.waitForExit() != 0)
            #expect(client.stderrText.contains("no application protocol"), "\(client.stderrText)")
            let report = try await server.firstChild.withTimeout()
            #expect(report.tlsErrors.first?.kind == .noApplicationProtocol)
        }
    }

    @Test(arguments: PrivateKey.Algorithm.allCases)
    func ourClientExchangesDataWithOpenSSLServer(_ algorithm: PrivateKey.Algorithm) async throws {
        let pki = try TLSTestPKI(algorithm)
        let files = try pki.writeFiles()
        try await withTLSTestGroup { group in
            let (server, port) = try await TLSTestProcess.listening(group: group) { port in
                ["s_server", "-accept", "127.0.0.1:\(port)", "-tls1_3", "-alpn", "portico/1",
                 "-cert", files.path("server.pem"), "-key", files.path("server.key"),
                 "-CAfile", files.path("ca.pem"), "-Verify", "1", "-verify_return_error", "-naccept", "1"]
            }
            defer { server.stop() }
            #expect(try await server.waitForOutput("ACCEPT"), "\(server.stderrText)")
            let client = try await TLSTestClient.connect(pki.clientConfiguration(), port: port, group: group)
            let session = try await client.handshake.withTimeout()
            #expect(session.applicationProtocol == "portico/1")
            #expect(session.protocolVersion == "TLSv1.3")
            #expect(session.peerCertificate == pki.server)

            try await client.send("hello from portico\n")
            #expect(try await server.waitForOutput("hello from portico\n"))
            try server.send("hello from s_server\n")
            #expect(try await client.receive(count: 20) == "hello from s_server\n")

            try await client.channel.close()
            // s_server prints DONE when it reads close_notify (a clean end, not an error).
            #expect(try await server.waitForOutput("DONE"), "\(server.stdoutText)\n\(server.stderrText)")
            #expect(try await server.waitForExit() == 0)
            let report = try await client.closed.withTimeout()
            #expect(report.tlsErrors.isEmpty)
        }
    }
}
