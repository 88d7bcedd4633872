#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Logging
import NIOCore
import NIOPosix
import Wire

/// Errors from the network library (NIO's `IOError`, `ChannelError`,
/// `NIOConnectionError`, `SocketAddressError`) and our own `TLSError` in
/// words an operator can act on, instead of NIO's debug text
/// (`connect(descriptor:addr:size:): Connection refused (errno: 111)`) or an
/// enum dump. Both agents' CLI messages and logs go through here, so one
/// failure reads the same everywhere.
public enum NetworkErrorText {
    /// `error` as a short phrase: "connection refused", "no answer within 5 s",
    /// "cannot resolve edge.example.com". Errors that already describe
    /// themselves for an operator pass through.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return describe(errno: error.errnoCode)
        case let error as ChannelError:
            return describe(error)
        case let error as NIOConnectionError:
            // Each address tried failed on its own; the first says why.
            if let failure = error.connectionErrors.first {
                return describe(failure.error)
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "cannot resolve \(error.host)"
            }
            return "no address found for \(error.host)"
        case let error as SocketAddressError.UnknownHost:
            return "cannot resolve \(error.host) port \(error.port): \(error.errorDescription.lowercased())"
        case let error as TLSError:
            return wrongService(error) ?? "TLS \(tlsKind(error.kind)): \(error.message)"
        default:
            return String(describing: error)
        }
    }

    /// An `errno` value from a socket call as a phrase.
    public static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused (nothing is listening there)"
        case ETIMEDOUT: "timed out"
        case ECONNRESET: "connection reset by the other side"
        case EPIPE: "the other side closed the connection"
        case EADDRINUSE: "in use by another process"
        case EADDRNOTAVAIL: "not an address of this machine"
        case EACCES: "permission denied"
        case ENETUNREACH: "network unreachable"
        case EHOSTUNREACH: "host unreachable"
        case EMFILE, ENFILE: "too many open files (raise the open-file limit)"
        default: String(cString: strerror(code)).lowercased()
        }
    }

    private static func describe(_ error: ChannelError) -> String {
        switch error {
        case .connectTimeout(let timeout): "no answer within \(seconds(timeout))"
        case .ioOnClosedChannel, .alreadyClosed: "the connection was already closed"
        case .eof: "the other side closed the connection"
        case .outputClosed: "the connection no longer accepts data"
        case .inputClosed: "the connection no longer delivers data"
        case .writeHostUnreachable: "host unreachable"
        case .writeMessageTooLarge: "message too large"
        case .unknownLocalAddress: "the connection has no local address"
        default: String(describing: error)
        }
    }

    /// The handshake failures that mean "this port runs something else",
    /// from OpenSSL's reason strings (stable across its versions): a plain
    /// text service answers a ClientHello with bytes that are no TLS record,
    /// a TLS service that routes by SNI rejects a handshake without a name
    /// it serves.
    private static func wrongService(_ error: TLSError) -> String? {
        let message = error.message.lowercased()
        if ["wrong version number", "packet length too long", "http request", "record layer failure"]
            .contains(where: message.contains) {
            return "the other side does not speak TLS (a plain HTTP or other service on that port?)"
        }
        if message.contains("unrecognized name") {
            return "the other side serves TLS only for names it knows (a public TLS port rather than a tunnel port?)"
        }
        return nil
    }

    private static func tlsKind(_ kind: TLSError.Kind) -> String {
        switch kind {
        case .invalidConfiguration: "configuration"
        case .peerVerificationFailed: "certificate rejected"
        case .noApplicationProtocol: "no common protocol (ALPN)"
        case .peerAlert: "refused by the other side"
        case .handshakeTimeout: "handshake timed out"
        case .truncated: "connection cut without close_notify"
        case .protocolError: "protocol error"
        default: "handshake failed"
        }
    }

    /// "5 s", "250 ms".
    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

extension Logger.MetadataValue {
    /// `error` in plain words, for a log line's `reason` metadata.
    public static func reason(_ error: any Error) -> Self {
        .string(NetworkErrorText.describe(error))
    }
}
