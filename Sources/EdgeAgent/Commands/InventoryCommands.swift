import ArgumentParser
import Foundation

/// `edgeagent domain list`: base domains and their owners (`domain add`: DomainAddCommand.swift).
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Show base domains claimed by homes, or claim one for a home.",
        subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List base domains with their owning home.")
        @OptionGroup var options: AdminOptions
        @Flag(name: .long, help: "Print the API's JSON.") var json = false

        func run() async throws {
            let result = try await AdminClient(options: options).call("GET", "/api/domains")
            if json { return try PrintJSON.print(result) }
            print(Self.table(result).text)
        }

        static func table(_ result: Any?) -> TextTable {
            var table = TextTable(
                ["DOMAIN", "HOME", "CLAIMED"],
                empty: "no domains yet (a home claims one with `homeagent domain add example.com`)")
            for domain in APIFields.list(result, "domains") {
                table.add([APIFields.text(domain["name"]), APIFields.text(domain["home"]), APIFields.text(domain["created_at"])])
            }
            return table
        }
    }
}

/// `edgeagent route list`: the live route table.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route", abstract: "Show the live route table.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List routes: public address to home and forward, and public connections refused since the edge started.")
        @OptionGroup var options: AdminOptions
        @Flag(name: .long, help: "Print the API's JSON.") var json = false

        func run() async throws {
            let result = try await AdminClient(options: options).call("GET", "/api/routes")
            if json { return try PrintJSON.print(result) }
            print(Self.table(result).text)
            print(Self.refusals(result))
        }

        static func table(_ result: Any?) -> TextTable {
            var table = TextTable(
                ["ADDRESS", "TYPE", "HOME", "FORWARD", "CONNECTED", "OPTIONS"],
                empty: "no routes yet (a home's forwards appear here once it runs and syncs them)")
            for route in APIFields.list(result, "routes") {
                let address = route["public_address"] as? String
                    ?? (route["hostname"] as? String) ?? (route["port"] as? NSNumber).map { "port \($0)" } ?? "?"
                var options: [String] = []
                if let proxy = route["proxy_protocol"] as? String { options.append("proxy-protocol \(proxy)") }
                if route["compress"] as? Bool == true { options.append("compress") }
                table.add([
                    address, APIFields.text(route["type"]), APIFields.text(route["home"]), APIFields.text(route["forward"]),
                    route["connected"] as? Bool == true ? "yes" : "no", options.isEmpty ? "-" : options.joined(separator: ", "),
                ])
            }
            return table
        }

        /// `refused since the edge started: at_capacity 3, no_route 12` (only reasons that happened).
        static func refusals(_ result: Any?) -> String {
            let counts = (result as? [String: Any])?["refusals"] as? [String: Any] ?? [:]
            let happened = counts.compactMap { reason, count -> String? in
                guard let count = count as? NSNumber, count.intValue > 0 else { return nil }
                return "\(reason) \(count.intValue)"
            }
            return "refused since the edge started: " + (happened.isEmpty ? "none" : happened.sorted().joined(separator: ", "))
        }
    }
}

/// Reading fields of an API answer for tables: a missing or mistyped field
/// shows as `-`, never stops the listing.
enum APIFields {
    static func list(_ result: Any?, _ key: String) -> [[String: Any]] {
        (result as? [String: Any])?[key] as? [[String: Any]] ?? []
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let number as NSNumber: "\(number)"
        default: "-"
        }
    }
}
