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
/// Only the server switches a connection to another protocol ([SEC-9]):
/// when the first request asks to (`Upgrade`, `CONNECT`), its body is
/// framed like any other, then what the client sends next is held (at most
/// `maximumHeldBeforeSwitch` bytes) until the server's answer
/// (`observe(answer:)`) says: `101 Switching Protocols` to an `Upgrade`, or
/// a 2xx to `CONNECT`, and the held bytes and all after them pass
/// unexamined; any other final answer, and the held bytes are judged as the
/// next request. Holding is what RFC 6455 §4.1 and RFC 9113 §3.2 clients do
/// anyway (they wait for the 101), and treating the bytes as a request
/// before the answer would break a switch the server grants. Later
/// requests on the connection cannot switch it: their answers are not
/// followed, so an `Upgrade` there is relayed and the connection stays
/// checked (if the server switched, the client's next bytes are not HTTP
/// and end it). A parse failure never switches anything: it ends the
/// connection.
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
        /// A later request's head was not whole within this time of its
        /// first byte ([SEC-10]; the guard keeps the clock).
        case slowHead(TimeAmount)

        var description: String {
            switch self {
            case .otherDestination(let host): "a later request on the connection is for \(host ?? "no host"), routed elsewhere"
            case .malformed(let reason): "malformed request: \(reason)"
            case .slowHead(let limit): "a later request's head was not complete within \(limit.nanoseconds / 1_000_000_000) s"
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
        /// Inside a chunked body.
        case chunked(HTTPChunkedBody)
        /// The first request asked to switch protocols and has ended: what
        /// the client sends is held until the server's answer decides.
        case awaitingSwitch(held: ByteBuffer)
        /// The server switched protocols.
        case opaque
        case stopped
    }

    /// What the first request asked to switch to, and what became of it.
    private enum Switch {
        /// Nothing asked, or the server said no: HTTP to the end.
        case none
        /// Asked with `Upgrade` (`connect` false) or `CONNECT`; no final answer yet.
        case asked(connect: Bool)
        /// The server switched (its answer may come before the request's body ends).
        case granted
    }

    /// The most bytes held while the server has not answered a switch.
    static let maximumHeldBeforeSwitch = HTTPHeadParser.defaultMaximumLength

    private var state: State
    private var switching = Switch.none
    /// The server's answer so far while a switch is asked.
    private var answer = ByteBuffer()
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
        self.state = .stopped
        // Only a WebSocket upgrade may switch the connection: after h2c's
        // 101 the client sends more requests, HTTP/2 ones the edge would not
        // judge ([SEC-9]); CONNECT never gets here (the listener refuses it).
        if head.method != "CONNECT", head.fields.contains(where: { Self.asksForWebSocket($0) }) {
            switching = .asked(connect: false)
        }
        state = try bodyState(after: head)
    }

    /// True while a later request's head has begun and is not whole: the
    /// guard times it ([SEC-10]).
    var isInsideHead: Bool {
        if case .head(let held) = state { return held.readableBytes > 0 }
        return false
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
            state = .stopped
            held.writeBuffer(&input)
            try judge(held, into: &forward, rest: &input)
        case .awaitingSwitch(var held):
            state = .stopped
            held.writeBuffer(&input)
            guard held.readableBytes <= Self.maximumHeldBeforeSwitch else {
                throw .malformed("more than \(Self.maximumHeldBeforeSwitch) bytes sent before the server answered the request to switch protocols")
            }
            state = .awaitingSwitch(held: held)
        case .body(let remaining):
            var part = input.readSlice(length: min(remaining, input.readableBytes)) ?? ByteBuffer()
            let left = remaining - part.readableBytes
            forward.writeBuffer(&part)
            state = left == 0 ? requestEnded() : .body(remaining: left)
        case .chunked(var body):
            state = .stopped
            let done = try body.consume(&input, into: &forward)
            state = done ? requestEnded() : .chunked(body)
        }
    }

    /// Where a request's last byte leaves the connection: the next head,
    /// or, after the first request asked to switch, its answer ([SEC-9]).
    private func requestEnded() -> State {
        switch switching {
        case .none: .head(held: ByteBuffer())
        case .asked: .awaitingSwitch(held: ByteBuffer())
        case .granted: .opaque
        }
    }

    /// Takes the server's next bytes towards the client (the guard sees
    /// them pass), only to learn whether it switched protocols; returns the
    /// client bytes that may go now. The answers are read as far as their
    /// status line: interim `1xx` answers (`100 Continue`, `103 Early
    /// Hints`) are skipped whole; `101` to an `Upgrade` or a 2xx to
    /// `CONNECT` switches; anything else, or an answer that is not HTTP or
    /// longer than a head may be, keeps the connection checked ([SEC-9]).
    mutating func observe(answer bytes: ByteBuffer) -> Output {
        guard case .asked(let connect) = switching else { return Output(forward: ByteBuffer(), stop: nil) }
        answer.writeImmutableBuffer(bytes)
        var granted: Bool
        switch HTTPAnswerPeek.next(in: &answer) {
        case .needMoreData: return Output(forward: ByteBuffer(), stop: nil)
        case .notHTTP: granted = false
        case .final(let status): granted = connect ? (200...299).contains(status) : status == 101
        }
        answer = ByteBuffer()
        switching = granted ? .granted : .none
        guard case .awaitingSwitch(let held) = state else { return Output(forward: ByteBuffer(), stop: nil) }
        if granted {
            state = .opaque
            return Output(forward: held, stop: nil)
        }
        state = .head(held: ByteBuffer())
        return feed(held)
    }

    /// Judges a held head once it is complete: forwards it and moves on to
    /// its body (the bytes after the head go back into `rest`), or stops
    /// before its first byte.
    private mutating func judge(_ held: ByteBuffer, into forward: inout ByteBuffer, rest: inout ByteBuffer) throws(Stop) {
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
            // Never a reason to stop checking: the connection ends ([SEC-9]).
            throw .malformed("\(error)")
        }
        guard case .complete(let head) = parsed else { return state = .head(held: held) }
        guard allows(head) else { throw .otherDestination(host: head.host) }
        // Judged whole before a byte of it goes: a head with ambiguous
        // framing never reaches the home.
        let next = try bodyState(after: head)
        let whole = held.readSlice(length: head.headLength) ?? ByteBuffer()
        writeHead(whole, &forward)
        state = next
        rest = held
    }

    /// Where a request's body ends (RFC 9112 §6.3), strictly; a request
    /// asking to switch protocols is framed the same ([SEC-9]).
    /// `Upgrade: websocket` (the token in any case, among others).
    private static func asksForWebSocket(_ field: HTTPRequestHead.Field) -> Bool {
        field.name.lowercased() == "upgrade"
            && field.value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "websocket" }
    }

    private func bodyState(after head: HTTPRequestHead) throws(Stop) -> State {
        let lengths = head.fields.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        let codings = head.fields.filter { $0.name.lowercased() == "transfer-encoding" }
            .flatMap { $0.value.split(separator: ",") }
            .map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
        if !codings.isEmpty {
            guard lengths.isEmpty else { throw .malformed("both Content-Length and Transfer-Encoding") }
            // HTTP/1.0 has no chunked coding; a server may read the body otherwise (RFC 9112 §6.1).
            guard head.version != .http1_0 else { throw .malformed("Transfer-Encoding in an HTTP/1.0 request") }
            guard codings == ["chunked"] else { throw .malformed("transfer coding \(codings.joined(separator: ", ")), not chunked") }
            return .chunked(HTTPChunkedBody())
        }
        guard let first = lengths.first else { return requestEnded() }
        guard lengths.allSatisfy({ $0 == first }), first.utf8.count <= 18, first.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let length = Int(first)
        else { throw .malformed("Content-Length \(lengths.joined(separator: ", "))") }
        return length == 0 ? requestEnded() : .body(remaining: length)
    }
}
