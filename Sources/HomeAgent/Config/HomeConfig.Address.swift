#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HomeConfig {
    /// A `host:port` the home dials: the edge's tunnel port or a forward's
    /// target. IPv6 literals are bracketed (`[::1]:22`), as in URLs, so that
    /// the last colon is never ambiguous.
    ///
    /// Invariant: only built by ``init(parsing:field:)`` or ``init(host:port:)``
    /// with a checked host, so `port` is 1-65535 and `host` is a hostname, an
    /// IPv4 literal or an (unbracketed) IPv6 literal.
    struct Address: Equatable, Hashable, Sendable, CustomStringConvertible {
        /// Hostname or IP literal, IPv6 without brackets.
        let host: String
        let port: Int

        /// Why a `host:port` string was refused, phrased with the field's name.
        struct ParseError: Error, Equatable, CustomStringConvertible {
            let message: String
            var description: String { message }
        }

        /// Parses `host:port`; `field` ("target", "edge") names the value in errors.
        init(parsing text: String, field: String) throws(ParseError) {
            let fail = { (message: String) in ParseError(message: message) }
            let shown = HomeConfig.quoted(text)
            let example = text.count <= 64 && !text.contains(where: \.isNewline) ? ", e.g. \(text):8080" : ""
            guard !text.isEmpty else {
                throw fail("\(field) is empty; expected host:port, e.g. 127.0.0.1:8080")
            }
            let host: Substring
            let portText: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else {
                    throw fail("\(field) \(shown) has an unclosed \"[\"")
                }
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else {
                    throw fail("\(field) \(shown) needs a port\(example)")
                }
                portText = rest.dropFirst()
                guard Self.isIPv6(host) else {
                    throw fail("\(field) host \(HomeConfig.quoted(host)) is not a valid IPv6 address")
                }
            } else {
                let colons = text.filter { $0 == ":" }.count
                guard colons > 0 else {
                    if text.allSatisfy(\.isASCIIDigit) {
                        throw fail("\(field) \(shown) needs a host, e.g. 127.0.0.1:\(text.prefix(20))")
                    }
                    throw fail("\(field) \(shown) needs a port\(example)")
                }
                guard colons == 1, let colon = text.firstIndex(of: ":") else {
                    throw fail("\(field) \(shown): IPv6 addresses must be in brackets, e.g. [::1]:8080")
                }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
                guard !host.isEmpty else {
                    throw fail("\(field) \(shown) needs a host, e.g. 127.0.0.1:\(portText.prefix(5))")
                }
                guard Self.isIPv4(host) || Self.isHostname(host) else {
                    throw fail("\(field) host \(HomeConfig.quoted(host)) is not a valid hostname or IP address")
                }
            }
            self.host = String(host)
            self.port = try Self.port(portText, field: field)
        }

        /// An address from parts the caller has already checked (for example
        /// ones produced by the join handshake).
        init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port` with IPv6 bracketed: the form the config file holds.
        var description: String {
            host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }

        private static func port(_ text: Substring, field: String) throws(ParseError) -> Int {
            guard !text.isEmpty else {
                throw ParseError(message: "\(field) needs a port after the colon")
            }
            guard text.allSatisfy(\.isASCIIDigit) else {
                throw ParseError(message: "\(field) port \(HomeConfig.quoted(text)) is not a number")
            }
            guard let port = Int(text), port <= 65535 else {
                throw ParseError(message: "\(field) port \(text.prefix(20)) is out of range (1-65535)")
            }
            guard port > 0 else {
                throw ParseError(message: "\(field) port 0 is invalid")
            }
            return port
        }

        private static func isIPv4(_ text: Substring) -> Bool {
            var address = in_addr()
            return inet_pton(AF_INET, String(text), &address) == 1
        }

        private static func isIPv6(_ text: Substring) -> Bool {
            var address = in6_addr()
            return inet_pton(AF_INET6, String(text), &address) == 1
        }

        /// A name to resolve: letters, digits, `-` and `_` (container and
        /// service names use `_`), labels of 1-63, at most 253 in all.
        private static func isHostname(_ text: Substring) -> Bool {
            guard text.utf8.count <= 253 else { return false }
            return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                (1...63).contains(label.utf8.count)
                    && label.utf8.allSatisfy { $0.isASCIIAlnum || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                    && label.first != "-" && label.last != "-"
            }
        }
    }
}

fileprivate extension Character {
    /// `0`-`9` only; `Character.isNumber` also accepts other scripts' digits.
    var isASCIIDigit: Bool { isASCII && ("0"..."9").contains(self) }
}

fileprivate extension UInt8 {
    /// ASCII `a-z`, `A-Z` or `0-9`.
    var isASCIIAlnum: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
