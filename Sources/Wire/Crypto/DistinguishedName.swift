// Portico names subjects by common name only (homes, edges, CAs); this is the
// single place X509_NAME is built and read.

import COpenSSL

/// Building and reading the X509_NAMEs Portico uses.
enum DistinguishedName {
    /// A new X509_NAME holding just `CN=commonName`; the caller frees it.
    static func make(commonName: String) throws(CryptoError) -> OpaquePointer {
        guard !commonName.isEmpty, commonName.utf8.count <= 64 else {
            throw CryptoError(.invalidArgument, "a common name must be 1 to 64 bytes, got \(commonName.utf8.count)")
        }
        guard let name = X509_NAME_new() else { throw .openSSL(.internalFailure, "cannot allocate a name") }
        let bytes = Array(commonName.utf8)
        let ok = X509_NAME_add_entry_by_NID(
            name, NID_commonName, Int32(portico_MBSTRING_UTF8()), bytes, Int32(bytes.count), -1, 0)
        guard ok == 1 else {
            X509_NAME_free(name)
            throw .openSSL(.invalidArgument, "cannot use \"\(commonName)\" as a common name")
        }
        return name
    }

    /// The first CN entry of `name`, if any.
    static func commonName(of name: OpaquePointer?) -> String? {
        guard let name else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0,
              let entry = X509_NAME_get_entry(name, index),
              let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { portico_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }
}
