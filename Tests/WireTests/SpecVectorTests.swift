import Foundation
import NIOCore
import Testing
@testable import Wire

// Checks the codec against the test vectors in spec/vectors, which were
// written by hand from spec/PROTOCOL.md (see spec/vectors/README.md for the
// format). A vector that fails here means the code and the specification
// disagree; fix whichever is wrong, never the vector alone.

@Suite("Specification test vectors")
struct SpecVectorTests {
    @Test("every vector file loads, names are unique, and every frame file has valid and malformed vectors")
    func vectorFilesLoad() throws {
        let library = try SpecVectorLibrary.load()
        #expect(library.frames.count >= 90)
        #expect(library.blocks.count >= 8)
        let names = library.frames.map(\.name) + library.blocks.map(\.name)
        #expect(Set(names).count == names.count, "vector names must be unique")
        for file in Set(library.frames.map(\.file)) {
            let vectors = library.frames.filter { $0.file == file }
            #expect(vectors.contains { $0.outcome == .complete }, "\(file) has no valid vector")
            #expect(vectors.contains { $0.outcome == .error }, "\(file) has no malformed vector")
        }
        for kind in ["HELLO", "OPEN", "DATA", "WINDOW_UPDATE", "FIN", "RST", "PING", "PONG", "GOAWAY", "CONTROL", "UNKNOWN"] {
            #expect(library.frames.contains { $0.frames.contains { $0.type == kind } }, "no valid vector for \(kind)")
        }
    }

    @Test("valid vectors decode to the stated frames and re-encode to the same bytes; others fail or wait as stated",
          arguments: SpecVectorLibrary.frameVectors)
    func frameVector(_ vector: SpecFrameVector) throws {
        let bytes = try SpecHex.buffer(vector.hex)
        let expected = try vector.frames.map { try $0.frame() }
        let limit = vector.maxFrameSize ?? FrameLimits.minimumMaxFrameSize

        let whole = SpecDecodeRun(bytes, maxPayloadSize: limit)
        #expect(whole.frames == expected)
        switch vector.outcome {
        case .complete:
            #expect(whole.error == nil)
            #expect(whole.bufferedBytes == 0)
        case .incomplete:
            #expect(whole.error == nil)
            #expect(whole.bufferedBytes > 0, "an incomplete vector leaves bytes waiting")
        case .error:
            #expect(whole.error?.code.description == vector.error, "\(whole.error.map { "\($0)" } ?? "no error")")
        }

        // Arrival in single bytes changes nothing: nil until complete, same frames, same outcome.
        let dripped = SpecDecodeRun(bytes, maxPayloadSize: limit, chunkSize: 1)
        #expect(dripped.frames == whole.frames)
        #expect(dripped.error?.code == whole.error?.code)
        #expect(dripped.bufferedBytes == whole.bufferedBytes)

        if vector.outcome == .complete, vector.receiveOnly != true {
            var encoded = ByteBufferAllocator().buffer(capacity: bytes.readableBytes)
            for frame in expected { encoded.writeFrame(frame) }
            let canonical = try SpecHex.buffer(vector.canonicalHex ?? vector.hex)
            #expect(SpecHex.string(encoded) == SpecHex.string(canonical))
            #expect(SpecDecodeRun(canonical, maxPayloadSize: limit).frames == expected)
        }

        for (json, frame) in zip(vector.frames, whole.frames) {
            if let codeName = json.codeName, case .rst(_, let code) = frame {
                #expect(code.description == codeName)
            }
            if let codeName = json.codeName, case .goAway(_, let code, _) = frame {
                #expect(code.description == codeName)
            }
            if let decodedHex = json.decodedHex, case .data(_, .lz4(let length, let block)) = frame {
                let decoded = try LZ4.decompress(block, decodedLength: length, allocator: ByteBufferAllocator())
                #expect(SpecHex.string(decoded) == SpecHex.string(try SpecHex.buffer(decodedHex)))
            }
        }
    }

    @Test("LZ4 block vectors decompress to the stated bytes or fail with the stated code",
          arguments: SpecVectorLibrary.blockVectors)
    func lz4Vector(_ vector: SpecLZ4Vector) throws {
        let block = try SpecHex.buffer(vector.blockHex)
        let expected = try vector.decodedHex.map { try SpecHex.buffer($0) }
        do {
            let decoded = try LZ4.decompress(block, decodedLength: vector.decodedLength, allocator: ByteBufferAllocator())
            #expect(vector.error == nil, "expected \(vector.error ?? "")")
            if let expected {
                #expect(SpecHex.string(decoded) == SpecHex.string(expected))
            }
        } catch {
            #expect(error.code.description == vector.error, "\(error)")
        }
    }

    @Test("every requirement id cited in Sources/Wire and in the vectors is defined exactly once in spec/PROTOCOL.md")
    func requirementIDsAreDefined() throws {
        let spec = try String(contentsOf: SpecVectorLibrary.root.appendingPathComponent("spec/PROTOCOL.md"), encoding: .utf8)
        let definition = try Regex(#"\*\*\[([A-Z]+-[0-9]+)\]\*\*"#)
        var defined: [String: Int] = [:]
        for match in spec.matches(of: definition) {
            defined[String(spec[match.range].dropFirst(3).dropLast(3)), default: 0] += 1
        }
        #expect(defined.count >= 60)
        for (id, count) in defined where count != 1 {
            Issue.record("\(id) is defined \(count) times")
        }

        let citation = try Regex(#"\[([A-Z]+-[0-9]+)\]"#)
        var cited: [String: String] = [:]
        let sources = SpecVectorLibrary.root.appendingPathComponent("Sources/Wire")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for match in text.matches(of: citation) {
                cited[String(text[match.range].dropFirst().dropLast())] = file.lastPathComponent
            }
        }
        #expect(cited.count >= 30, "the Wire sources cite requirement ids")
        for (id, file) in cited.sorted(by: { $0.key < $1.key }) {
            #expect(defined[id] != nil, "\(file) cites [\(id)], which spec/PROTOCOL.md does not define")
        }

        let library = try SpecVectorLibrary.load()
        let vectorIDs = Set(library.frames.flatMap(\.requirements) + library.blocks.flatMap(\.requirements))
        for id in vectorIDs.sorted() {
            #expect(defined[id] != nil, "a vector cites [\(id)], which spec/PROTOCOL.md does not define")
        }
        let appendixNames = library.frames.map(\.file) + ["lz4"]
        for file in Set(appendixNames) {
            #expect(spec.contains("`\(file).json`"), "the vector appendix does not list \(file).json")
        }
    }
}

// MARK: - Decoding helper

/// Feeds `bytes` to one decoder in chunks and records what came out.
struct SpecDecodeRun {
    var frames: [Frame] = []
    var error: WireProtocolError?
    var bufferedBytes = 0

    init(_ bytes: ByteBuffer, maxPayloadSize: Int, chunkSize: Int? = nil) {
        var decoder = FrameDecoder(maxPayloadSize: maxPayloadSize)
        var rest = bytes
        let step = max(1, chunkSize ?? rest.readableBytes)
        repeat {
            let chunk = rest.readSlice(length: min(step, rest.readableBytes))!
            decoder.append(chunk)
            do {
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            } catch {
                self.error = error
                return
            }
        } while rest.readableBytes > 0
        bufferedBytes = decoder.bufferedBytes
    }
}

// MARK: - Vector files

enum SpecHex {
    struct BadHex: Error, CustomStringConvertible {
        var text: String
        var description: String { "not hex: \(text)" }
    }

    /// Parses hex digits; whitespace between them is ignored.
    static func bytes(_ text: String) throws -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        guard digits.count % 2 == 0 else { throw BadHex(text: text) }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { throw BadHex(text: text) }
            return byte
        }
    }

    static func buffer(_ text: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try bytes(text))
    }

    static func string(_ buffer: ByteBuffer) -> String {
        buffer.readableBytesView.map { String(format: "%02x", $0) }.joined()
    }
}

struct SpecFrameVector: Decodable, Sendable, CustomTestStringConvertible {
    enum Outcome: String, Decodable, Sendable {
        case complete, incomplete, error
    }

    var file = ""
    var name: String
    var description: String
    var requirements: [String]
    var hex: String
    var maxFrameSize: Int?
    var frames: [SpecFrameJSON]
    var outcome: Outcome
    var error: String?
    var reason: String?
    var canonicalHex: String?
    var receiveOnly: Bool?

    enum CodingKeys: String, CodingKey {
        case name, description, requirements, hex, maxFrameSize, frames, outcome, error, reason, canonicalHex, receiveOnly
    }

    var testDescription: String { "\(file): \(name)" }
}

struct SpecLZ4Vector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var description: String
    var requirements: [String]
    var blockHex: String
    var decodedLength: Int
    var decodedHex: String?
    var error: String?

    var testDescription: String { "lz4: \(name)" }
}

/// One frame as a vector file states it; fields unused by its type are absent.
struct SpecFrameJSON: Decodable, Sendable {
    struct SettingJSON: Decodable, Sendable {
        var id: UInt16
        var value: UInt32
    }

    struct AddressJSON: Decodable, Sendable {
        var ip: String
        var port: UInt16
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    var type: String
    var stream: UInt32?
    var minVersion: UInt16?
    var maxVersion: UInt16?
    var settings: [SettingJSON]?
    var forward: String?
    var clientAddress: AddressJSON?
    var serverName: String?
    var publicPort: UInt16?
    var purpose: UInt8?
    var initialDataHex: String?
    var dataHex: String?
    var compressed: Bool?
    var decodedLength: Int?
    var blockHex: String?
    var decodedHex: String?
    var increment: UInt32?
    var code: UInt32?
    var codeName: String?
    var opaqueHex: String?
    var lastStream: UInt32?
    var debug: String?
    var kind: UInt16?
    var bodyHex: String?
    var typeCode: UInt8?
    var flags: UInt8?
    var length: UInt32?

    private func required<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else { throw Invalid(description: "\(type) vector lacks \(field)") }
        return value
    }

    private var id: StreamID {
        get throws { StreamID(try required(stream, "stream")) }
    }

    private func opaque() throws -> UInt64 {
        let bytes = try SpecHex.bytes(try required(opaqueHex, "opaque_hex"))
        guard bytes.count == 8 else { throw Invalid(description: "opaque_hex must be 8 bytes") }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The frame the vector says the bytes decode to.
    func frame() throws -> Frame {
        switch type {
        case "HELLO":
            return .hello(Hello(
                minimumVersion: try required(minVersion, "min_version"),
                maximumVersion: try required(maxVersion, "max_version"),
                settings: (settings ?? []).map { Setting(SettingID(rawValue: $0.id), $0.value) }))
        case "OPEN":
            var metadata = StreamMetadata(
                forward: try required(forward, "forward"), serverName: serverName, publicPort: publicPort,
                purpose: purpose.map(StreamPurpose.init(rawValue:)))
            if let clientAddress {
                let socket = try SocketAddress(ipAddress: clientAddress.ip, port: Int(clientAddress.port))
                metadata.clientAddress = try required(PeerAddress(socket), "a valid client address")
            }
            return .open(try id, metadata, initialData: try SpecHex.buffer(initialDataHex ?? ""))
        case "DATA":
            if compressed == true {
                return .data(try id, .lz4(
                    decodedLength: try required(decodedLength, "decoded_length"),
                    block: try SpecHex.buffer(try required(blockHex, "block_hex"))))
            }
            return .data(try id, .plain(try SpecHex.buffer(try required(dataHex, "data_hex"))))
        case "WINDOW_UPDATE":
            return .windowUpdate(try id, increment: try required(increment, "increment"))
        case "FIN":
            return .fin(try id)
        case "RST":
            return .rst(try id, WireErrorCode(rawValue: try required(code, "code")))
        case "PING":
            return .ping(try opaque())
        case "PONG":
            return .pong(try opaque())
        case "GOAWAY":
            return .goAway(
                lastStreamID: StreamID(try required(lastStream, "last_stream")),
                code: WireErrorCode(rawValue: try required(code, "code")),
                debug: debug ?? "")
        case "CONTROL":
            return .control(kind: try required(kind, "kind"), body: try SpecHex.buffer(bodyHex ?? ""))
        case "UNKNOWN":
            return .unknown(FrameHeader(
                length: try required(length, "length"),
                type: FrameType(rawValue: try required(typeCode, "type_code")),
                flags: FrameFlags(rawValue: flags ?? 0),
                streamID: try id))
        default:
            throw Invalid(description: "unknown frame type name \(type)")
        }
    }
}

enum SpecVectorLibrary {
    /// The repository root: this file is Tests/WireTests/SpecVectorTests.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static let directory = root.appendingPathComponent("spec/vectors")

    struct Library {
        var frames: [SpecFrameVector] = []
        var blocks: [SpecLZ4Vector] = []
    }

    private struct FrameFile: Decodable {
        var description: String
        var vectors: [SpecFrameVector]?
        var blocks: [SpecLZ4Vector]?
    }

    static func load() throws -> Library {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var library = Library()
        for url in files {
            let file = try decoder.decode(FrameFile.self, from: Data(contentsOf: url))
            let name = url.deletingPathExtension().lastPathComponent
            library.frames += (file.vectors ?? []).map { vector in
                var vector = vector
                vector.file = name
                return vector
            }
            library.blocks += file.blocks ?? []
        }
        return library
    }

    /// Loaded once for the parameterized tests; `vectorFilesLoad` reports load failures.
    static let loaded = (try? load()) ?? Library()
    static var frameVectors: [SpecFrameVector] { loaded.frames }
    static var blockVectors: [SpecLZ4Vector] { loaded.blocks }
}
