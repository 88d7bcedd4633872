import NIOCore
import Wire

/// A chunked request body (RFC 9112 §7.1) on the public HTTP port, followed
/// so that the edge and the home's server agree on where it ends: if they
/// did not, the bytes after it would be a request the edge never judged
/// (request smuggling). So the body is read strictly, and every line the
/// grammar leaves room to read two ways ends the connection ([SEC-8]):
///
/// - a chunk-size line, its extensions and each trailer line end in CRLF; a
///   bare LF or a bare CR anywhere in them is malformed (servers that take a
///   bare LF as a line end would otherwise end the line earlier than the edge);
/// - a chunk size is hex digits only, at most 16 of them and at most
///   `maximumChunkSize` (a server that keeps sizes in 32 bits cannot wrap
///   it); extensions are `;name[=token|"quoted"]` with no control bytes;
/// - trailer lines are header lines (`HTTPHeadParser.parseField`), and
///   those naming a forwarding header are dropped ([SEC-7]).
///
/// Lines are held until whole and checked before a byte of them goes on, so
/// a malformed line never reaches the home; chunk data passes as it comes.
struct HTTPChunkedBody {
    /// The longest chunk-size line, extensions included.
    static let maximumLine = 4_096
    /// The most bytes all trailer lines together may take.
    static let maximumTrailers = HTTPHeadParser.defaultMaximumLength
    /// The largest chunk: 2 GiB − 1, a size every server can hold.
    static let maximumChunkSize = 0x7FFF_FFFF

    private enum Part {
        /// A chunk-size line, held until its CRLF.
        case sizeLine(held: [UInt8])
        case data(remaining: Int)
        /// The CRLF after a chunk's data; `seen` of its bytes read.
        case dataEnd(seen: Int)
        /// A trailer line (or the final empty line), held until its CRLF.
        case trailer(held: [UInt8])
    }

    private var part = Part.sizeLine(held: [])
    private var trailerBytes = 0

    /// Reads from `input` what belongs to the body and writes what may go on
    /// into `forward`; true once the body's last byte (its final CRLF) has
    /// been read. Bytes after the body stay in `input`.
    mutating func consume(_ input: inout ByteBuffer, into forward: inout ByteBuffer) throws(HTTPRequestSequence.Stop) -> Bool {
        while input.readableBytes > 0 {
            switch part {
            case .sizeLine(var held):
                part = .sizeLine(held: [])
                guard try Self.readLine(
                    &input, into: &held, limit: Self.maximumLine, what: "chunk-size line", maximum: Self.maximumLine)
                else {
                    part = .sizeLine(held: held)
                    continue
                }
                let size = try Self.chunkSize(held.dropLast(2))
                forward.writeBytes(held)
                part = size == 0 ? .trailer(held: []) : .data(remaining: size)
            case .data(let remaining):
                var slice = input.readSlice(length: min(remaining, input.readableBytes)) ?? ByteBuffer()
                let left = remaining - slice.readableBytes
                forward.writeBuffer(&slice)
                part = left == 0 ? .dataEnd(seen: 0) : .data(remaining: left)
            case .dataEnd(let seen):
                guard let byte = input.readInteger(as: UInt8.self), byte == (seen == 0 ? 0x0D : 0x0A) else {
                    throw .malformed("chunk data not followed by CRLF")
                }
                forward.writeInteger(byte)
                part = seen == 0 ? .dataEnd(seen: 1) : .sizeLine(held: [])
            case .trailer(var held):
                part = .trailer(held: [])
                let limit = Self.maximumTrailers - trailerBytes
                guard try Self.readLine(
                    &input, into: &held, limit: limit, what: "trailer section", maximum: Self.maximumTrailers)
                else {
                    part = .trailer(held: held)
                    continue
                }
                trailerBytes += held.count
                if held.count == 2 {
                    forward.writeBytes(held)
                    return true
                }
                if try Self.keepsTrailer(held.dropLast(2)) { forward.writeBytes(held) }
            }
        }
        return false
    }

    /// Moves bytes from `input` to `line` through the first LF; true when
    /// the line is whole. A CR not followed by LF and an LF not preceded by
    /// CR are malformed, as is a line beyond `limit` bytes (what is left of
    /// the `maximum` the message names).
    private static func readLine(
        _ input: inout ByteBuffer, into line: inout [UInt8], limit: Int, what: String, maximum: Int
    ) throws(HTTPRequestSequence.Stop) -> Bool {
        let view = input.readableBytesView
        let end = view.firstIndex(of: 0x0A).map { $0 + 1 } ?? view.endIndex
        let taken = view[view.startIndex..<end]
        guard line.count + taken.count <= limit else { throw .malformed("\(what) longer than \(maximum) bytes") }
        line.append(contentsOf: taken)
        input.moveReaderIndex(forwardBy: taken.count)
        let complete = line.last == 0x0A
        // Every CR must be the one right before the line's LF; a CR that is
        // the last byte so far may still be.
        let body = complete ? line.dropLast(2) : line.dropLast()
        if complete, line.count < 2 || line[line.count - 2] != 0x0D { throw .malformed("bare LF in a \(what)") }
        if body.contains(0x0D) { throw .malformed("bare CR in a \(what)") }
        return complete
    }

    /// The size in a chunk-size line (without its CRLF), after checking
    /// the extensions that may follow it.
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPRequestSequence.Stop) -> Int {
        let digits = line.prefix { hexValue($0) != nil }
        let shown = String(decoding: line.prefix(40), as: UTF8.self)
        guard !digits.isEmpty, digits.count <= 16 else { throw .malformed("chunk size '\(shown)'") }
        var size = 0
        for digit in digits {
            size = size << 4 | (hexValue(digit) ?? 0)
            guard size <= maximumChunkSize else { throw .malformed("chunk size '\(shown)' above \(maximumChunkSize)") }
        }
        guard ChunkExtensions.valid(line[digits.endIndex...]) else { throw .malformed("chunk extension in '\(shown)'") }
        return size
    }

    /// Whether a whole trailer line (without its CRLF) goes on: it must be a
    /// header line; one naming a forwarding header is dropped ([SEC-7]).
    private static func keepsTrailer(_ line: ArraySlice<UInt8>) throws(HTTPRequestSequence.Stop) -> Bool {
        let field: HTTPRequestHead.Field
        do {
            field = try line.withUnsafeBytes { raw throws(HTTPHeadError) in try HTTPHeadParser.parseField(raw) }
        } catch {
            throw .malformed("trailer: \(error)")
        }
        return !ForwardedHeaders.isReplaced(name: Array(field.name.utf8))
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

/// `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`
/// (RFC 9112 §7.1.1), names tokens, values tokens or quoted strings.
private enum ChunkExtensions {
    static func valid(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        func skipSpace() { while index < bytes.endIndex, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < bytes.endIndex, HTTPHeadParser.isTokenCharacter(bytes[index]) { index += 1 }
            return index > start
        }
        while true {
            let start = index
            skipSpace()
            // BWS only before a ';': no whitespace ends the line.
            guard index < bytes.endIndex else { return index == start }
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipSpace()
            guard token() else { return false }
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipSpace()
            guard index < bytes.endIndex else { return false }
            if bytes[index] == UInt8(ascii: "\"") {
                guard quoted(bytes, &index) else { return false }
            } else if !token() {
                return false
            }
        }
    }

    /// A quoted-string from `index` (at its DQUOTE): no control bytes but HTAB.
    private static func quoted(_ bytes: ArraySlice<UInt8>, _ index: inout Int) -> Bool {
        index += 1
        var escaped = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if byte < 0x20 && byte != 0x09 || byte == 0x7F { return false }
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                return true
            }
        }
        return false
    }
}
