import AgentRuntime
import Foundation
import NIOCore
import NIOPosix
import Wire

/// The home's side of enrollment ([ENROLL-1]): generate a key that never
/// leaves this machine, reach the edge named in the join token, trust it only
/// if its CA matches the token's pin, send a CSR with the token's secret, and
/// come back with a certificate.
struct EnrollmentClient {
    /// What enrollment produced; the caller writes it to disk.
    struct Result: Sendable {
        var homeName: String
        var key: PrivateKey
        var certificate: Certificate
        var caCertificate: Certificate
    }

    var timeout: TimeAmount = .seconds(15)

    func enroll(_ token: JoinToken, group: EventLoopGroup) async throws(EnrollmentError) -> Result {
        let key: PrivateKey
        let csr: CertificateSigningRequest
        do {
            key = try PrivateKey.generate(.ed25519)
            csr = try CertificateSigningRequest(key: key, commonName: "portico-home")
        } catch {
            throw .tls("(local setup): cannot create a key: \(error)")
        }
        let pin = PeerPin.certificateInChain(sha256: token.caPin)
        let context: TLSContext
        do {
            context = try TLSContext(configuration: .client(serverName: nil, pin: pin))
        } catch {
            throw .tls("(local setup): \(NetworkErrorText.describe(error))")
        }
        let eventLoop = group.next()
        let attempts = ConnectAttempts<(probe: EnrollmentProbe, session: WireSession)>()
        // Completes every attempt's probe on every path (a no-op once it has an answer).
        defer { for attempt in attempts.all { attempt.probe.fail(.protocolError("enrollment ended without an answer")) } }
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        let probe = EnrollmentProbe(eventLoop: channel.eventLoop, caPin: token.caPin)
                        try pipeline.addHandler(TLSHandler(context: context))
                        try pipeline.addHandler(probe.tlsObserver)
                        let session = try pipeline.addWireSession(role: .dialer) {
                            $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
                        }
                        try pipeline.addHandler(probe.responseObserver)
                        attempts.record((probe, session), for: channel)
                    }
                }
                .connect(host: token.host, port: Int(token.port)).get()
        } catch {
            throw .unreachable(address: token.address, reason: NetworkErrorText.describe(error))
        }
        defer { channel.close(promise: nil) }
        guard let (probe, session) = attempts.value(for: channel) else {
            throw .protocolError("the connection was set up without a session")
        }
        do {
            let request = EnrollRequest(tokenID: token.idHex, secret: Base64URL.encode(token.secret), csr: try csr.pemString())
            _ = try await session.ready.get()
            try await session.send(.enrollRequest(request)).get()
        } catch {
            throw probe.failure(address: token.address) ?? .unreachable(address: token.address, reason: NetworkErrorText.describe(error))
        }
        let scheduled = probe.eventLoop.scheduleTask(in: timeout) { probe.fail(.timedOut(address: token.address)) }
        defer { scheduled.cancel() }
        let response: EnrollResponse
        do {
            response = try await probe.response.get()
        } catch let error as EnrollmentError {
            throw error
        } catch {
            throw probe.failure(address: token.address) ?? .protocolError(NetworkErrorText.describe(error))
        }
        return try Self.result(of: response, key: key, caPin: token.caPin, handshakeCA: probe.caCertificate)
    }

    /// Checks the edge's answer. Everything in it comes from the peer: a
    /// certificate that does not parse, carries another key or names no home,
    /// or a CA that is not the pinned one, is an error, never a crash.
    ///
    /// The CA is taken from the response's `ca_certificate` and must match the
    /// token's pin ([ENROLL-4]); an edge older than that field is served by the
    /// CA the TLS handshake verified against the pin.
    static func result(of response: EnrollResponse, key: PrivateKey, caPin: [UInt8],
                       handshakeCA: Certificate?) throws(EnrollmentError) -> Result {
        if let error = response.error {
            switch error.code {
            case "token_expired": throw .tokenExpired
            case "token_used": throw .tokenUsed
            case "token_superseded": throw .tokenSuperseded
            case "token_unknown": throw .tokenUnknown
            default: throw .refused("\(error.message) (\(error.code))")
            }
        }
        guard let name = response.home, let pem = response.certificate else {
            throw .protocolError("ENROLL_RESPONSE without a home name and certificate")
        }
        let certificate: Certificate
        do { certificate = try Certificate(pem: pem) } catch {
            throw .protocolError("the issued certificate does not parse: \(error.message)")
        }
        guard certificate.certifies(key) else {
            throw .protocolError("the issued certificate is not for our key")
        }
        let ca: Certificate
        if let caPEM = response.caCertificate {
            do { ca = try Certificate(pem: caPEM) } catch {
                throw .protocolError("the edge CA certificate in ENROLL_RESPONSE does not parse: \(error.message)")
            }
            guard ca.fingerprintSHA256 == caPin else {
                throw .protocolError("the edge CA certificate in ENROLL_RESPONSE is not the one the join token pins")
            }
        } else if let handshakeCA {
            ca = handshakeCA
        } else {
            throw .protocolError("ENROLL_RESPONSE without the edge CA certificate")
        }
        return Result(homeName: name, key: key, certificate: certificate, caCertificate: ca)
    }
}
