import Foundation
import NIOCore

/// A typed CONTROL message: the kind and its decoded body.
public enum ControlMessage: Hashable, Sendable {
    case enrollRequest(EnrollRequest)
    case enrollResponse(EnrollResponse)
    case forwardsSync(ForwardsSync)
    case forwardsResult(ForwardsResult)
    case domainRequest(DomainRequest)
    case domainResult(DomainResult)
    case renewRequest(RenewRequest)
    case renewResponse(RenewResponse)

    /// Largest body accepted ([CTRL-2]); a full forward list fits many times over.
    public static let maximumBodySize = 256 * 1024

    public var kind: ControlKind {
        switch self {
        case .enrollRequest: .enrollRequest
        case .enrollResponse: .enrollResponse
        case .forwardsSync: .forwardsSync
        case .forwardsResult: .forwardsResult
        case .domainRequest: .domainRequest
        case .domainResult: .domainResult
        case .renewRequest: .renewRequest
        case .renewResponse: .renewResponse
        }
    }

    /// The JSON body.
    public func encodedBody() -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        // Encoding these plain structs cannot fail; a failure would be a bug here.
        switch self {
        case .enrollRequest(let body): data = try! encoder.encode(body)
        case .enrollResponse(let body): data = try! encoder.encode(body)
        case .forwardsSync(let body): data = try! encoder.encode(body)
        case .forwardsResult(let body): data = try! encoder.encode(body)
        case .domainRequest(let body): data = try! encoder.encode(body)
        case .domainResult(let body): data = try! encoder.encode(body)
        case .renewRequest(let body): data = try! encoder.encode(body)
        case .renewResponse(let body): data = try! encoder.encode(body)
        }
        return ByteBuffer(bytes: data)
    }

    /// Decodes a CONTROL frame's body. Unknown kinds are `nil` (ignored,
    /// [CTRL-3]); a known kind with a bad body is an error the receiver
    /// answers or logs, never a crash.
    public static func decode(kind: ControlKind, body: ByteBuffer) throws(ControlMessageError) -> ControlMessage? {
        guard body.readableBytes <= maximumBodySize else {
            throw .tooLarge(kind: kind, bytes: body.readableBytes)
        }
        func decode<T: Decodable>(_ type: T.Type) throws(ControlMessageError) -> T {
            do {
                return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
            } catch {
                throw .malformed(kind: kind, reason: "\(error)")
            }
        }
        switch kind {
        case .enrollRequest: return .enrollRequest(try decode(EnrollRequest.self))
        case .enrollResponse: return .enrollResponse(try decode(EnrollResponse.self))
        case .forwardsSync: return .forwardsSync(try decode(ForwardsSync.self))
        case .forwardsResult: return .forwardsResult(try decode(ForwardsResult.self))
        case .domainRequest: return .domainRequest(try decode(DomainRequest.self))
        case .domainResult: return .domainResult(try decode(DomainResult.self))
        case .renewRequest: return .renewRequest(try decode(RenewRequest.self))
        case .renewResponse: return .renewResponse(try decode(RenewResponse.self))
        default: return nil
        }
    }
}

/// A CONTROL body that could not be decoded.
public enum ControlMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLarge(kind: ControlKind, bytes: Int)
    case malformed(kind: ControlKind, reason: String)

    public var description: String {
        switch self {
        case .tooLarge(let kind, let bytes): "\(kind) body of \(bytes) bytes exceeds \(ControlMessage.maximumBodySize)"
        case .malformed(let kind, let reason): "malformed \(kind) body: \(reason)"
        }
    }
}

extension WireSession {
    /// Sends a typed CONTROL message.
    public func send(_ message: ControlMessage) -> EventLoopFuture<Void> {
        sendControl(kind: message.kind.rawValue, body: message.encodedBody())
    }
}
