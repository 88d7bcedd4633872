import NIOCore
import Wire

/// Follows the requests a client sends on one connection to the public HTTP
/// port, so that each request is checked against the destination the first
/// one was given: the edge routes a connection, and a keep-alive connection
/// must not carry a request for another home (or another forward) to the
/// first one's home, cookies and all.
///
/// It sees only the client's bytes and tracks where each request ends
/// (RFC 9112 §6: `Content-Length`, `chunked`, or no body), holding back the
/// head of each later request until it is complete and judged. A request for
/// another destination, or one whose framing is ambiguous (both
/// `Content-Length` and `Transfer-Encoding`, a coding other than `chunked`,
/// conflicting lengths), stops the sequence before its first byte: the
/// caller then ends the stream's input, lets the home finish what it was
/// sent, and closes; the client retries the request on a new connection,
/// which is routed on its own.
///
/// After a request that asks to switch protocols (`Upgrade`, `CONNECT`) the
/// next bytes are looked at once more: if they are another HTTP request, the
/// server did not switch and that request is judged like any other (else an
/// `Upgrade` header would let a request for another home through); if they
/// are not HTTP (WebSocket frames, a tunnelled TLS handshake, the HTTP/2
/// preface), they and everything after them pass unexamined.
///
/// Each head it lets through is written by `writeHead`, which is where the
/// edge puts its forwarding headers (`ForwardedHeaders`); the default
/// writes it unchanged.
///
/// A pure value: bytes in, bytes to forward and a verdict out.
struct HTTPRequestSequence {
    /// Why the sequence stopped.
    enum Stop: Error, Equatable, CustomStringConvertible {
        /// The next request is for another destination (its host, if any).
        case otherDestination(host: String?)
        /// The next request's head or a body's framing is malformed or ambiguous.
        case malformed(String)

        var description: String {
            switch self {
            case .otherDestination(let host): "a later request on the connection is for \(host ?? "no host"), routed elsewhere"
            case .malformed(let reason): "malformed request: \(reason)"
            }
        }
    }

    /// What feeding bytes produced: bytes to pass on, and whether to stop
    /// after them (the rest of the input is dropped).
    struct Output {
        var forward: ByteBuffer
        var stop: Stop?
    }

    private enum State {
        /// Waiting for (the rest of) a request head; `held` is not forwarded yet.
        case head(held: ByteBuffer)
        /// Inside a body of known length.
        case body(remaining: Int)
        /// Reading a chunk-size line (RFC 9112 §7.1).
        case chunkSize(line: [UInt8])
        /// Inside a chunk's data; then its CRLF.
        case chunkData(remaining: Int)
        case chunkEnd(seen: Int)
        /// After the last chunk: trailer lines until an empty one.
        case trailers(line: [UInt8], total: Int)
        /// After a request asking to switch protocols: the next bytes,
        /// held until they show whether they are another HTTP request.
        case afterUpgrade(held: ByteBuffer)
        /// The connection switched protocols.
        case opaque
        case stopped
    }

    static let maximumChunkLine = 4_096
    static let maximumTrailers = HTTPHeadParser.defaultMaximumLength

    private var state: State
    private let parser = HTTPHeadParser()
    /// Whether a later request may travel on this connection.
    private let allows: (HTTPRequestHead) -> Bool
    /// Writes a judged head (whole, through its empty line) to the output.
    private let writeHead: (ByteBuffer, inout ByteBuffer) -> Void

    /// Starts after the first request's head, which was already judged.
    init(
        first head: HTTPRequestHead, allows: @escaping (HTTPRequestHead) -> Bool,
        writeHead: @escaping (ByteBuffer, inout ByteBuffer) -> Void = { head, output in output.writeImmutableBuffer(head) }
    ) throws(Stop) {
        self.allows = allows
        self.writeHead = writeHead
        self.state = try Self.stateAfter(head)
    }

    /// Takes the client's next bytes; returns those to forward now.
    mutating func feed(_ bytes: ByteBuffer) -> Output {
        var input = bytes
        var forward = ByteBuffer()
        do {
            while input.readableBytes > 0 { try step(&input, into: &forward) }
            return Output(forward: forward, stop: nil)
        } catch {
            state = .stopped
            return Output(forward: forward, stop: error)
        }
    }

    private mutating func step(_ input: inout ByteBuffer, into forward: inout ByteBuffer) throws(Stop) {
        switch state {
        case .stopped:
            input.moveReaderIndex(to: input.writerIndex)
        case .opaque:
            forward.writeBuffer(&input)
        case .head(var held):
            held.writeBuffer(&input)
            try judge(held, into: &forward, rest: &input, afterUpgrade: false)
        case .afterUpgrade(var held):
            held.writeBuffer(&input)
            try judge(held, into: &forward, rest: &input, afterUpgrade: true)
        case .body(let remaining):
            var part = input.readSlice(length: min(remaining, input.readableBytes)) ?? ByteBuffer()
            let left = remaining - part.readableBytes
            forward.writeBuffer(&part)
            state = left == 0 ? .head(held: ByteBuffer()) : .body(remaining: left)
        case .chunkSize(var line):
            guard let byte = input.readInteger(as: UInt8.self) else { return }
            forward.writeInteger(byte)
            line.append(byte)
            guard line.count <= Self.maximumChunkLine else { throw .malformed("chunk-size line longer than \(Self.maximumChunkLine) bytes") }
            guard line.count >= 2, line.suffix(2).elementsEqual([0x0D, 0x0A]) else { return state = .chunkSize(line: line) }
            let size = try Self.chunkSize(line.dropLast(2))
            state = size == 0 ? .trailers(line: [], total: 0) : .chunkData(remaining: size)
        case .chunkData(let remaining):
            var part = input.readSlice(length: min(remaining, input.readableBytes)) ?? ByteBuffer()
            let left = remaining - part.readableBytes
            forward.writeBuffer(&part)
            state = left == 0 ? .chunkEnd(seen: 0) : .chunkData(remaining: left)
        case .chunkEnd(let seen):
            guard let byte = input.readInteger(as: UInt8.self) else { return }
            forward.writeInteger(byte)
            guard byte == (seen == 0 ? 0x0D : 0x0A) else { throw .malformed("chunk data not followed by CRLF") }
            state = seen == 0 ? .chunkEnd(seen: 1) : .chunkSize(line: [])
        case .trailers(var line, let total):
            guard let byte = input.readInteger(as: UInt8.self) else { return }
            forward.writeInteger(byte)
            line.append(byte)
            guard total + line.count <= Self.maximumTrailers else { throw .malformed("trailers longer than \(Self.maximumTrailers) bytes") }
            guard line.count >= 2, line.suffix(2).elementsEqual([0x0D, 0x0A]) else { return state = .trailers(line: line, total: total) }
            state = line.count == 2 ? .head(held: ByteBuffer()) : .trailers(line: [], total: total + line.count)
        }
    }

    /// Judges a held head once it is complete: forwards it and moves on to
    /// its body (the bytes after the head go back into `rest`), or stops
    /// before its first byte.
    private mutating func judge(
        _ held: ByteBuffer, into forward: inout ByteBuffer, rest: inout ByteBuffer, afterUpgrade: Bool
    ) throws(Stop) {
        var held = held
        // RFC 9112 §2.2: empty lines before a request line are tolerated.
        while held.readableBytes >= 2, held.getBytes(at: held.readerIndex, length: 2) == [0x0D, 0x0A] {
            var crlf = held.readSlice(length: 2) ?? ByteBuffer()
            forward.writeBuffer(&crlf)
        }
        let parsed: PeekResult<HTTPRequestHead>
        do {
            parsed = try parser.parse(held)
        } catch HTTPHeadError.tooLarge(let limit) {
            throw .malformed("request head longer than \(limit) bytes")
        } catch {
            guard afterUpgrade else { throw .malformed("\(error)") }
            // Not HTTP: the protocol switched.
            forward.writeBuffer(&held)
            return state = .opaque
        }
        guard case .complete(let head) = parsed else {
            return state = afterUpgrade ? .afterUpgrade(held: held) : .head(held: held)
        }
        guard allows(head) else { throw .otherDestination(host: head.host) }
        // Judged whole before a byte of it goes: a head with ambiguous
        // framing never reaches the home.
        let next = try Self.stateAfter(head)
        let whole = held.readSlice(length: head.headLength) ?? ByteBuffer()
        writeHead(whole, &forward)
        state = next
        rest = held
    }

    /// Where a request's body ends (RFC 9112 §6.3), strictly.
    private static func stateAfter(_ head: HTTPRequestHead) throws(Stop) -> State {
        if head.method == "CONNECT" || head.fields.contains(where: { $0.name.lowercased() == "upgrade" }) {
            return .afterUpgrade(held: ByteBuffer())
        }
        let lengths = head.fields.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        let codings = head.fields.filter { $0.name.lowercased() == "transfer-encoding" }
            .flatMap { $0.value.split(separator: ",") }
            .map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
        if !codings.isEmpty {
            guard lengths.isEmpty else { throw .malformed("both Content-Length and Transfer-Encoding") }
            guard codings == ["chunked"] else { throw .malformed("transfer coding \(codings.joined(separator: ", ")), not chunked") }
            return .chunkSize(line: [])
        }
        guard let first = lengths.first else { return .head(held: ByteBuffer()) }
        guard lengths.allSatisfy({ $0 == first }), first.utf8.count <= 18, first.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let length = Int(first)
        else { throw .malformed("Content-Length \(lengths.joined(separator: ", "))") }
        return length == 0 ? .head(held: ByteBuffer()) : .body(remaining: length)
    }

    /// The size in a chunk-size line, before any extension.
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(Stop) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        guard !digits.isEmpty, digits.count <= 15 else { throw .malformed("chunk size \(String(decoding: digits, as: UTF8.self))") }
        var size = 0
        for digit in digits {
            guard let value = hexValue(digit) else { throw .malformed("chunk size \(String(decoding: digits, as: UTF8.self))") }
            size = size << 4 | value
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
