import ArgumentParser

extension HomeCommand {
    /// `edgeagent home tokens NAME [--json]`
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a home's join tokens: id, status, issued, expires (never the secret).",
            discussion: """
                Status is used (it enrolled the home), revoked, superseded (a newer token \
                was issued, or the home joined with another), expired, or unused (it would \
                enroll the home now; at most one is). Newest first.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String
        @Flag(name: .long, help: "Print the API's JSON.") var json = false

        func run() async throws {
            let result = try await AdminClient(options: options).call("GET", "/api/homes/\(name)/tokens")
            if json { return try PrintJSON.print(result) }
            var table = TextTable(
                ["ID", "STATUS", "ISSUED", "EXPIRES"],
                empty: "\(name) has no join tokens (issue one with `edgeagent home token \(name)`)")
            for token in APIFields.list(result, "tokens") {
                table.add([
                    APIFields.text(token["id"]), APIFields.text(token["status"]), APIFields.text(token["created_at"]),
                    APIFields.text(token["expires_at"]),
                ])
            }
            print(table.text)
        }
    }

    /// `edgeagent home token-revoke NAME ID`
    struct TokenRevoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token-revoke",
            abstract: "Revoke an unused join token so it can no longer enroll the home.",
            discussion: """
                ID is the id `edgeagent home tokens NAME` lists, or its first 8 or more \
                characters. A home that tries to join with a revoked token is told so. A \
                token already used cannot be revoked: disable or delete the home instead.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String
        @Argument(help: "The token's id (or at least its first 8 characters).") var id: String

        func run() async throws {
            let token = try await AdminClient(options: options).call(
                "POST", "/api/homes/\(name)/tokens/\(id)/revoke") as? [String: Any]
            print("\(name): token \(APIFields.text(token?["id"])) \(APIFields.text(token?["status"]))")
        }
    }
}
