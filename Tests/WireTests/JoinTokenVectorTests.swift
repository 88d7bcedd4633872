// The join token vectors of spec/vectors/join_token.json (PROTOCOL.md section
// 19.1): valid tokens read into exactly their fields and are written back
// byte for byte; damaged ones fail with the error the spec says comes first.

import Foundation
import Testing
import Wire

struct JoinTokenVector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var requirements: [String]
    var payloadHex: String?
    var version: UInt8?
    var idHex: String?
    var secretHex: String?
    var caPinHex: String?
    var host: String?
    var port: UInt16?
    var error: String?

    var testDescription: String { "join token: \(name)" }

    static func load() throws -> [JoinTokenVector] {
        struct File: Decodable { var tokens: [JoinTokenVector] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let url = SpecVectorLibrary.directory.appendingPathComponent("join_token.json")
        return try decoder.decode(File.self, from: Data(contentsOf: url)).tokens
    }

    static let all = (try? load()) ?? []
}

@Suite("Join token vectors")
struct JoinTokenVectorTests {
    @Test("the file loads, with valid tokens and at least one of each error")
    func fileLoads() throws {
        let vectors = try JoinTokenVector.load()
        #expect(vectors.contains { $0.name == "token-dns-name" && $0.error == nil })
        let errors = Set(vectors.compactMap(\.error))
        #expect(errors == ["wrong_prefix", "bad_base64", "truncated", "checksum_mismatch", "unsupported_version",
                           "malformed", "invalid_port", "invalid_host"])
    }

    @Test(arguments: JoinTokenVector.all)
    func vector(_ vector: JoinTokenVector) throws {
        guard let expected = vector.error else {
            let token = try JoinToken.parse(vector.text)
            #expect(token.version == vector.version)
            #expect(SHA256.hex(token.id) == vector.idHex)
            #expect(SHA256.hex(token.secret) == vector.secretHex)
            #expect(SHA256.hex(token.caPin) == vector.caPinHex)
            #expect(token.host == vector.host)
            #expect(token.port == vector.port)
            #expect(SHA256.hex(token.payload) == vector.payloadHex)
            #expect(token.text == vector.text)
            return
        }
        do {
            _ = try JoinToken.parse(vector.text)
            Issue.record("\(vector.name) parsed; expected \(expected)")
        } catch {
            #expect(Self.name(of: error) == expected, "\(error)")
        }
    }

    /// The vector file's name for a parser error.
    static func name(of error: JoinTokenError) -> String {
        switch error {
        case .wrongPrefix: "wrong_prefix"
        case .tooLong: "too_long"
        case .badBase64: "bad_base64"
        case .truncated: "truncated"
        case .checksumMismatch: "checksum_mismatch"
        case .unsupportedVersion: "unsupported_version"
        case .malformed: "malformed"
        case .invalidHost: "invalid_host"
        case .invalidPort: "invalid_port"
        case .invalidFieldLength: "invalid_field_length"
        }
    }
}
