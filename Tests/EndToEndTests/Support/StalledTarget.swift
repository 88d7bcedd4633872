import Foundation

/// A service "at home" that is slow to take connections: its accept queue is
/// full, so the kernel drops new SYNs and a client's connect waits for its SYN
/// retransmission (1 s, then 3 s after the first). `open()` makes room, after
/// which the retransmitted SYNs connect. Raw sockets, so the test decides the
/// listen backlog; every descriptor is the test process's own and is closed
/// by `close()`.
final class StalledTarget: @unchecked Sendable {
    // @unchecked: the descriptors are used from one test task at a time.

    private let listener: Int32
    private var accepted: [Int32] = []
    private let filler: Int32
    let port: Int

    init() throws {
        listener = try RawSocket.make()
        try RawSocket.bind(listener, port: 0)
        // Backlog 0: one queued connection fills the queue.
        guard listen(listener, 0) == 0 else { throw RawSocket.Failure("listen: errno \(errno)") }
        port = try RawSocket.localPort(listener)
        // The filler completes its handshake into the queue and is never accepted.
        filler = try RawSocket.make()
        try RawSocket.connect(filler, port: port)
    }

    /// Connections to this target still waiting for their handshake
    /// (SYN_SENT in /proc/net/tcp): the home's dials the full queue stalled.
    func stalledDials() throws -> Int {
        try ProcNetTCP.entries().filter { $0.state == ProcNetTCP.synSent && $0.remotePort == port }.count
    }

    /// Makes room for every stalled dial and accepts (and holds) what
    /// arrives, as a service would, polling for at most `timeout`, until
    /// `count` connections were accepted.
    func open(accepting count: Int, timeout: Duration = .seconds(30)) async throws -> Int {
        guard listen(listener, 128) == 0 else { throw RawSocket.Failure("listen: errno \(errno)") }
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        let deadline = ContinuousClock.now + timeout
        while accepted.count < count + 1, ContinuousClock.now < deadline {
            let fd = accept(listener, nil, nil)
            if fd >= 0 { accepted.append(fd) } else { try await Task.sleep(for: .milliseconds(10)) }
        }
        return accepted.count - 1  // not counting the filler
    }

    func close() {
        for fd in accepted + [filler, listener] { Glibc.close(fd) }
        accepted = []
    }
}

/// The few POSIX socket calls the stalled target and resetting clients need.
enum RawSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func make() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
        return fd
    }

    static func bind(_ fd: Int32, port: Int) throws {
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw Failure("bind: errno \(errno)") }
    }

    static func connect(_ fd: Int32, port: Int) throws {
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw Failure("connect to 127.0.0.1:\(port): errno \(errno)") }
    }

    static func localPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw Failure("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// How the connection's input ends within `seconds`: "reset", "eof",
    /// "data" (something arrived first) or "timeout". Blocking; for a
    /// connection that is expected to end at once.
    static func ending(_ fd: Int32, seconds: Int = 10) -> String {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        if count > 0 { return "data" }
        if count == 0 { return "eof" }
        return errno == ECONNRESET ? "reset" : (errno == EAGAIN ? "timeout" : "errno \(errno)")
    }

    /// Closes with SO_LINGER 0: the peer gets a RST, not a FIN.
    static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        Glibc.close(fd)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// IPv4 TCP sockets of this network namespace, as /proc/net/tcp lists them.
enum ProcNetTCP {
    static let synSent = 0x02

    struct Entry {
        var remotePort: Int
        var state: Int
    }

    static func entries() throws -> [Entry] {
        // Read to the end rather than by the file's size: procfs reports 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            // "sl local_address rem_address st ...", addresses as HEXIP:HEXPORT.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, let remotePort = fields[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                let state = Int(fields[3], radix: 16)
            else { return nil }
            return Entry(remotePort: remotePort, state: state)
        }
    }
}
