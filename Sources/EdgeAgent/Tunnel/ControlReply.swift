import Foundation
import NIOCore
import Wire

/// A CONTROL message the edge sends back to a home: kind and JSON body.
struct ControlReply: Sendable {
    var kind: ControlKind
    var body: ByteBuffer

    init(_ message: ControlMessage) {
        kind = message.kind
        body = message.encodedBody()
    }

    /// The `request_id` of a request that failed to decode as a whole, if it
    /// is at least a JSON object with a valid one, so the home can match the
    /// error to its request; nil otherwise (DOMAIN_RESULT then says 0, the
    /// spec's "unknown"; FORWARDS_RESULT leaves it out).
    static func lenientRequestID(in body: ByteBuffer) -> UInt32? {
        guard body.readableBytes <= ControlMessage.maximumBodySize,
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let number = object["request_id"] as? Int
        else { return nil }
        return UInt32(exactly: number)
    }
}
