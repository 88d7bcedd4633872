import ArgumentParser
import Foundation

/// `edgeagent home …`: manage homes through the running edge's API.
struct HomeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "home",
        abstract: "Create, list, show, limit (bandwidth, TCP ports), disable and delete homes; their join tokens.",
        subcommands: [
            Create.self, List.self, Show.self, Limit.self, Ping.self, Disable.self, Enable.self, Delete.self, Token.self,
            Tokens.self, TokenRevoke.self,
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a home and print its join token on one line.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "Home name: 1-63 characters of a-z, 0-9 and '-'.") var name: String
        @Option(name: [.customLong("kbps"), .customLong("bandwidth-kbps")], help: "Upload limit (home to public) in kbit/s, or none.")
        var kbps: LimitArgument?
        @Option(name: .long, help: "Download limit (public to home) in kbit/s, or none.") var downloadKbps: LimitArgument?
        @Option(name: .long, help: "Public TCP ports the home's forwards may hold (0 to 65535; default 10).")
        var tcpPorts: Int?
        @Option(name: .long, help: "Join token lifetime, e.g. 30m, 24h, 7d.") var ttl: String = "24h"

        func validate() throws {
            try kbps?.validate("--kbps")
            try downloadKbps?.validate("--download-kbps")
            try TCPPortQuotaArgument.validate(tcpPorts)
            _ = try TTL.seconds(ttl)
        }

        func run() async throws {
            var body: [String: Any] = ["name": name, "token_ttl_seconds": try TTL.seconds(ttl)]
            if let kbps { body["bandwidth_limit_kbps"] = kbps.json }
            if let downloadKbps { body["download_limit_kbps"] = downloadKbps.json }
            if let tcpPorts { body["tcp_port_quota"] = tcpPorts }
            let result = try await AdminClient(options: options).call("POST", "/api/homes", body: body) as? [String: Any]
            guard let token = result?["join_token"] as? String else { throw AdminClientError("the edge API returned no join token") }
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List homes: state, connection, and each direction's rate over the last second / limit, in kbit/s.")
        @OptionGroup var options: AdminOptions
        @Flag(name: .long, help: "Print the API's JSON.") var json = false

        func run() async throws {
            let result = try await AdminClient(options: options).call("GET", "/api/homes")
            if json { return try PrintJSON.print(result) }
            var table = TextTable(HomeSummary.listHeaders, empty: "no homes yet (create one with `edgeagent home create NAME`)")
            for home in (result as? [String: Any])?["homes"] as? [[String: Any]] ?? [] {
                table.add(HomeSummary(home).listRow)
            }
            print(table.text)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one home: state, limits, TCP port quota, and its live rate, bytes and throttled time.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String
        @Flag(name: .long, help: "Print the API's JSON.") var json = false

        func run() async throws {
            let home = try await AdminClient(options: options).call("GET", "/api/homes/\(name)")
            if json { return try PrintJSON.print(home) }
            print(HomeSummary(home as? [String: Any] ?? [:]).text)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a home; its live session ends at once.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String

        func run() async throws {
            _ = try await AdminClient(options: options).call("DELETE", "/api/homes/\(name)")
            print("deleted \(name)")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new join token for an existing home; its older unused tokens stop working.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String
        @Option(name: .long, help: "Join token lifetime, e.g. 30m, 24h, 7d.") var ttl: String = "24h"

        func validate() throws {
            _ = try TTL.seconds(ttl)
        }

        func run() async throws {
            let result = try await AdminClient(options: options).call(
                "POST", "/api/homes/\(name)/tokens", body: ["token_ttl_seconds": try TTL.seconds(ttl)]) as? [String: Any]
            guard let token = result?["join_token"] as? String else { throw AdminClientError("the edge API returned no join token") }
            print(token)
        }
    }
}

/// Durations given on the command line: a number with s, m, h or d.
enum TTL {
    static func seconds(_ text: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last, let factor = units[unit], let value = Int(text.dropLast()), value > 0,
            value <= 365 * 86_400 / factor
        else {
            throw ValidationError("--ttl \(text): use a positive number with s, m, h or d (at most 365d), e.g. 24h")
        }
        return value * factor
    }
}

/// Pretty-prints an API answer.
enum PrintJSON {
    static func print(_ value: Any?) throws {
        guard let value else { return }
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
