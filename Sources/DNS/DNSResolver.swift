import NIOCore

/// A stub resolver for TXT records: asks recursive nameservers (from
/// `/etc/resolv.conf`, or given) and follows CNAMEs.
///
/// Each server gets `attempts` tries of `timeout` each, in turn; a server that
/// answers SERVFAIL or REFUSED, or not at all, passes the question to the next.
/// NXDOMAIN and an answer without TXT records are answers ("no records"),
/// not failures. A whole lookup, CNAMEs included, ends within `budget`, so a
/// caller that must answer its own peer in time (the edge answering a home)
/// can rely on it whatever the number of servers.
public struct DNSResolver: Sendable {
    public var servers: [DNSServerAddress]
    /// How long one exchange (UDP, plus TCP if the UDP answer was truncated) may take.
    public var timeout: Duration
    /// How many times each server is asked before the lookup gives up.
    public var attempts: Int
    /// Longest a whole lookup may take, all servers, attempts and CNAMEs included.
    public var budget: Duration
    private let group: any EventLoopGroup

    /// Longest CNAME chain followed (RFC 1034 §3.6.2 asks resolvers to bound it).
    public static let maximumCNAMEs = 8

    public init(
        servers: [DNSServerAddress] = ResolvConf.nameservers(fromFile: ResolvConf.systemPath),
        timeout: Duration = .seconds(2), attempts: Int = 2, budget: Duration = .seconds(6), group: any EventLoopGroup
    ) {
        self.servers = servers
        self.timeout = timeout
        self.attempts = max(attempts, 1)
        self.budget = budget
        self.group = group
    }

    /// The TXT values at `name`, each record's strings joined (RFC 7208
    /// §3.3), after any CNAMEs; empty when the name or its TXT records do not exist.
    public func txt(_ name: DNSDomainName) async throws(DNSLookupError) -> [[UInt8]] {
        let deadline = ContinuousClock.now + budget
        var current = name
        var hops = 0
        while true {
            let answer = try await query(current, .txt, deadline: deadline)
            // A recursive server usually sends the chain and its end in one
            // answer; follow it there first, and ask again only for the rest.
            var owner = current
            var seen: Set<DNSDomainName> = [owner]
            while true {
                let values = answer.answers.filter { $0.name == owner }.compactMap(\.joinedText)
                if !values.isEmpty { return values }
                guard let target = answer.answers.lazy.compactMap({ record -> DNSDomainName? in
                    guard record.name == owner, case .cname(let target) = record.data else { return nil }
                    return target
                }).first else { break }
                hops += 1
                guard hops <= Self.maximumCNAMEs, seen.insert(target).inserted else {
                    throw .cnameChainTooLong(name)
                }
                owner = target
            }
            if owner == current { return [] }
            current = owner
        }
    }

    /// The answer to one question, from the first server that gives one.
    public func query(
        _ name: DNSDomainName, _ type: DNSRecordType, deadline: ContinuousClock.Instant? = nil
    ) async throws(DNSLookupError) -> DNSMessage {
        guard !servers.isEmpty else { throw .noServers }
        let deadline = deadline ?? ContinuousClock.now + budget
        var failures: [DNSLookupError.Failure] = []
        for _ in 0..<attempts {
            for server in servers {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { throw .noAnswer(name: name, type: type, failures: failures) }
                let transport = DNSTransport(group: group, timeout: min(timeout, remaining))
                let query = DNSMessage.query(id: UInt16.random(in: .min ... .max), name: name, type: type)
                do {
                    let answer = try await transport.exchange(query, with: server)
                    switch answer.flags.responseCode {
                    case .noError, .nameError: return answer
                    default: failures.append(.init(server: server, problem: "answered \(answer.flags.responseCode)"))
                    }
                } catch {
                    failures.append(.init(server: server, problem: Self.describe(error)))
                }
            }
        }
        throw .noAnswer(name: name, type: type, failures: failures)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DNSTransportFailure.timedOut: "no answer in time"
        case DNSTransportFailure.closed(let problem?): "no usable answer (\(problem))"
        case DNSTransportFailure.closed(nil): "the connection closed without an answer"
        case DNSTransportFailure.malformed(let problem): "a malformed answer (\(problem))"
        case DNSTransportFailure.mismatched: "an answer to another question"
        case let error as IOError: "\(error.description)"
        default: "\(error)"
        }
    }
}

/// Why a lookup produced no answer: every server's reason, so an operator
/// can tell a firewall (timeouts) from a broken zone (SERVFAIL).
public enum DNSLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Failure: Hashable, Sendable {
        public var server: DNSServerAddress
        public var problem: String
    }

    case noServers
    case noAnswer(name: DNSDomainName, type: DNSRecordType, failures: [Failure])
    case cnameChainTooLong(DNSDomainName)

    public var description: String {
        switch self {
        case .noServers: return "no nameserver is configured"
        case .noAnswer(let name, let type, let failures):
            // One line per server, the last attempt's reason (the others repeat it).
            var last: [DNSServerAddress: String] = [:]
            var order: [DNSServerAddress] = []
            for failure in failures {
                if last.updateValue(failure.problem, forKey: failure.server) == nil { order.append(failure.server) }
            }
            let reasons = order.map { "\($0): \(last[$0] ?? "")" }.joined(separator: "; ")
            return "no nameserver answered the \(type) query for \(name) (\(reasons))"
        case .cnameChainTooLong(let name): return "the CNAME chain from \(name) is longer than \(DNSResolver.maximumCNAMEs) or loops"
        }
    }
}
