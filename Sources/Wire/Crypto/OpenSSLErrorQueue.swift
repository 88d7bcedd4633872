// OpenSSL reports failures on a per-thread error queue. NIO event loops share
// threads between many connections, so every operation clears the queue first
// and drains it right after a failure; stale entries must never be blamed on
// the wrong connection.

import COpenSSL

/// Access to the calling thread's OpenSSL error queue.
enum OpenSSLErrorQueue {
    /// Forgets earlier, unrelated errors before a new operation.
    static func clear() {
        ERR_clear_error()
    }

    /// Empties the queue, returning its entries joined by "; " (empty if none).
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            messages.append(text(for: code))
        }
        return messages.joined(separator: "; ")
    }

    /// Empties the queue, returning its raw codes (oldest first).
    static func drainCodes() -> [UInt] {
        var codes: [UInt] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            codes.append(code)
        }
        return codes
    }

    /// OpenSSL's human-readable text for one error code.
    static func text(for code: UInt) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
