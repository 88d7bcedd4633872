// libcrypto's PEM and DER writers target BIOs. These helpers move bytes into and
// out of an in-memory BIO so that each caller sees only Swift arrays and
// strings; the BIO never outlives the call that created it.

import COpenSSL

/// Short-lived in-memory BIOs for encoding and decoding.
enum MemoryBIO {
    /// Runs `body` with a read-only BIO over `bytes`.
    static func reading<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
        let result: Result<T, CryptoError> = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                return .failure(.openSSL(.internalFailure, "cannot allocate a memory BIO"))
            }
            defer { BIO_free(bio) }
            do throws(CryptoError) {
                return .success(try body(bio))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Runs `body` with an empty writable BIO and returns what it wrote.
    static func writing(_ body: (OpaquePointer) -> Bool, failure: String) throws(CryptoError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw .openSSL(.internalFailure, "cannot allocate a memory BIO")
        }
        defer { BIO_free(bio) }
        guard body(bio) else { throw .openSSL(.internalFailure, failure) }
        return drain(bio)
    }

    /// Reads everything pending in `bio`.
    static func drain(_ bio: OpaquePointer) -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = portico_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}
