// Our TLS client against our TLS server on loopback: mutual TLS as the tunnel
// uses it, and every way a peer must be refused.

import Foundation
import NIOCore
import NIOPosix
import Testing
import Wire

@Suite(.timeLimit(.minutes(1))) struct TLSMutualTests {
    @Test(arguments: PrivateKey.Algorithm.allCases)
    func mutualTLSSucceedsWithCertificatesFromTheEdgeCA(_ algorithm: PrivateKey.Algorithm) async throws {
        let pki = try TLSTestPKI(algorithm)
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(), client: pki.clientConfiguration())
        #expect(outcome.echoed == "ping")
        let client = try #require(outcome.clientSession)
        #expect(client.applicationProtocol == "portico/1")
        #expect(client.protocolVersion == "TLSv1.3")
        #expect(client.peerCertificate == pki.server)
        #expect(client.peerVerifiedChain == [pki.server, pki.ca.certificate])
        let server = try #require(outcome.server.session)
        #expect(server.peerCertificate?.subjectCommonName == "home-alice")
        #expect(server.serverName == TLSTestPKI.serverName)
        #expect(outcome.client.tlsErrors.isEmpty)
        // The client closed with close_notify: the server saw a clean end, not a truncation.
        #expect(outcome.server.tlsErrors.isEmpty)
        #expect(outcome.server.received == Array("ping".utf8))
    }

    @Test func clientCertificateFromForeignCAIsRejectedByServer() async throws {
        let pki = try TLSTestPKI()
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(),
                                               client: pki.clientConfiguration(certificate: pki.foreignClient))
        #expect(outcome.echoed == nil)
        #expect(outcome.server.session == nil)
        #expect(outcome.server.tlsErrors.first?.kind == .peerVerificationFailed)
        #expect(outcome.server.received.isEmpty)
        // TLS 1.3: the client finishes first, then receives the server's alert.
        #expect(outcome.client.tlsErrors.contains { $0.kind == .peerAlert })
    }

    @Test func missingClientCertificateIsRejectedByServer() async throws {
        let pki = try TLSTestPKI()
        let client = TLSConfiguration.client(serverName: TLSTestPKI.serverName, trustRoots: [pki.ca.certificate])
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(), client: client)
        #expect(outcome.echoed == nil)
        #expect(outcome.server.tlsErrors.first?.kind == .handshakeFailed)
        #expect(outcome.server.tlsErrors.first?.message.contains("certificate") == true)
    }

    @Test func expiredServerCertificateIsRejectedByClient() async throws {
        let pki = try TLSTestPKI()
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(certificate: pki.expiredServer),
                                               client: pki.clientConfiguration())
        #expect(outcome.clientSession == nil)
        let error = try #require(outcome.client.tlsErrors.first)
        #expect(error.kind == .peerVerificationFailed)
        #expect(error.message.contains("expired"))
        #expect(outcome.server.session == nil)
    }

    @Test func expiredClientCertificateIsRejectedByServer() async throws {
        let pki = try TLSTestPKI()
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(),
                                               client: pki.clientConfiguration(certificate: pki.expiredClient))
        #expect(outcome.echoed == nil)
        let error = try #require(outcome.server.tlsErrors.first)
        #expect(error.kind == .peerVerificationFailed)
        #expect(error.message.contains("expired"))
    }

    @Test func hostnameMismatchIsRejectedByClient() async throws {
        let pki = try TLSTestPKI()
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(),
                                               client: pki.clientConfiguration(serverName: "other.portico.test"))
        #expect(outcome.clientSession == nil)
        let error = try #require(outcome.client.tlsErrors.first)
        #expect(error.kind == .peerVerificationFailed)
        #expect(error.message.contains("hostname mismatch"))
    }

    @Test func caPinMismatchIsRejectedByClient() async throws {
        let pki = try TLSTestPKI()
        var client = pki.clientConfiguration()
        client.pin = .certificateInChain(sha256: pki.foreignCA.certificate.fingerprintSHA256)
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(), client: client)
        #expect(outcome.clientSession == nil)
        let error = try #require(outcome.client.tlsErrors.first)
        #expect(error.kind == .peerVerificationFailed)
        #expect(error.message.contains("pin"))
    }

    @Test func caPinAloneIsEnoughToTrustTheEdge() async throws {
        // What a home has at join time: the token's CA pin, no CA file.
        let pki = try TLSTestPKI(.ed25519)
        let server = TLSConfiguration.server(certificateChain: [pki.server, pki.ca.certificate],
                                             privateKey: pki.serverKey, clientTrustRoots: [pki.ca.certificate])
        let client = TLSConfiguration.client(serverName: TLSTestPKI.serverName,
                                             pin: .certificateInChain(sha256: pki.ca.certificate.fingerprintSHA256),
                                             certificateChain: [pki.client], privateKey: pki.clientKey)
        let outcome = try await tlsTestConnect(server: server, client: client)
        #expect(outcome.echoed == "ping")
        #expect(outcome.clientSession?.peerVerifiedChain.last == pki.ca.certificate)

        var wrongPin = client
        wrongPin.pin = .certificateInChain(sha256: pki.foreignCA.certificate.fingerprintSHA256)
        let refused = try await tlsTestConnect(server: server, client: wrongPin)
        #expect(refused.clientSession == nil)
        #expect(refused.client.tlsErrors.first?.kind == .peerVerificationFailed)
    }

    @Test func caPinAloneStillChecksExpiry() async throws {
        let pki = try TLSTestPKI()
        let server = TLSConfiguration.server(certificateChain: [pki.expiredServer, pki.ca.certificate],
                                             privateKey: pki.serverKey, clientTrustRoots: [pki.ca.certificate])
        let client = TLSConfiguration.client(serverName: TLSTestPKI.serverName,
                                             pin: .certificateInChain(sha256: pki.ca.certificate.fingerprintSHA256),
                                             certificateChain: [pki.client], privateKey: pki.clientKey)
        let outcome = try await tlsTestConnect(server: server, client: client)
        #expect(outcome.clientSession == nil)
        #expect(outcome.client.tlsErrors.first?.message.contains("expired") == true)
    }

    @Test func leafPublicKeyPinIsEnforced() async throws {
        let pki = try TLSTestPKI()
        var client = pki.clientConfiguration()
        client.pin = .leafPublicKey(sha256: try pki.server.publicKeyPinSHA256)
        #expect(try await tlsTestConnect(server: pki.serverConfiguration(), client: client).echoed == "ping")
        client.pin = .leafPublicKey(sha256: try pki.client.publicKeyPinSHA256)
        let refused = try await tlsTestConnect(server: pki.serverConfiguration(), client: client)
        #expect(refused.client.tlsErrors.first?.kind == .peerVerificationFailed)
    }

    @Test func alpnMismatchIsRejectedWithNoApplicationProtocol() async throws {
        let pki = try TLSTestPKI()
        var client = pki.clientConfiguration()
        client.applicationProtocols = ["portico/2", "h2"]
        let outcome = try await tlsTestConnect(server: pki.serverConfiguration(), client: client)
        #expect(outcome.clientSession == nil)
        #expect(outcome.server.tlsErrors.first?.kind == .noApplicationProtocol)
        #expect(outcome.client.tlsErrors.first?.kind == .noApplicationProtocol)
    }

    @Test func serverPicksItsPreferredCommonProtocol() async throws {
        let pki = try TLSTestPKI()
        var server = pki.serverConfiguration()
        server.applicationProtocols = ["portico/2", "portico/1"]
        var client = pki.clientConfiguration()
        client.applicationProtocols = ["portico/1", "portico/2"]
        let outcome = try await tlsTestConnect(server: server, client: client)
        #expect(outcome.clientSession?.applicationProtocol == "portico/2")
    }

    @Test func configurationsThatWouldTrustAnyoneAreRefused() throws {
        let pki = try TLSTestPKI()
        let cases: [TLSConfiguration] = [
            .client(serverName: "x"),
            TLSConfiguration(role: .server, certificateChain: [pki.server], privateKey: pki.serverKey,
                             requirePeerCertificate: true),
            TLSConfiguration(role: .server),
            .client(serverName: "x", trustRoots: [pki.ca.certificate], pin: .certificateInChain(sha256: [1, 2, 3])),
            TLSConfiguration(role: .client, trustRoots: [pki.ca.certificate], applicationProtocols: []),
        ]
        for configuration in cases {
            let error = #expect(throws: TLSError.self) { try TLSContext(configuration: configuration) }
            #expect(error?.kind == .invalidConfiguration)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct TLSLoopbackTests {
    @Test func silentClientIsDisconnectedAfterHandshakeTimeout() async throws {
        let pki = try TLSTestPKI()
        var configuration = pki.serverConfiguration()
        configuration.handshakeTimeout = .milliseconds(200)
        try await withTLSTestGroup { group in
            let server = try await TLSTestServer.start(configuration, group: group)
            let raw = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: server.port).get()
            try await raw.closeFuture.withTimeout(.seconds(5))
            let report = try await server.firstChild.withTimeout()
            #expect(report.tlsErrors.map(\.kind) == [.handshakeTimeout])
        }
    }

    @Test func fourMebibytesEchoIntact() async throws {
        let pki = try TLSTestPKI()
        try await withTLSTestGroup { group in
            let server = try await TLSTestServer.start(pki.serverConfiguration(), group: group)
            let client = try await TLSTestClient.connect(pki.clientConfiguration(), port: server.port, group: group)
            let size = 4 << 20
            var buffer = ByteBuffer()
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                for index in 0..<size { raw[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 16) }
                return size
            }
            let payload = buffer.withUnsafeReadableBytes { Array($0) }
            let start = ContinuousClock.now
            try await client.channel.writeAndFlush(buffer)
            let echoed = try await client.receiveBytes(count: payload.count)
            print("4 MiB TLS echo over loopback (debug build): \(ContinuousClock.now - start)")
            #expect(echoed == payload)
            try await client.channel.close()
            #expect(try await server.firstChild.withTimeout().tlsErrors.isEmpty)
        }
    }
}
