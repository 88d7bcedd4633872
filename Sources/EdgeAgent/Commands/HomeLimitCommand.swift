import ArgumentParser

extension HomeCommand {
    /// `edgeagent home limit NAME --kbps N|none [--download-kbps N|none] [--burst BYTES|default]`
    struct Limit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set or clear a home's bandwidth limits; running connections follow at once.",
            discussion: """
                --kbps limits the home's upload (home to the public), --download-kbps the \
                other direction; 1 kbit = 1000 bits, from 100 to 10000000, or none for \
                unlimited. Options left out keep their current value. The limit covers all \
                of the home's connections together, shared fairly among them, and is \
                stored in the registry, so it survives restarts of the edge.
                """)
        @OptionGroup var options: EdgeOptions
        @Argument(help: "The home's name.") var name: String
        @Option(name: .long, help: "Upload limit (home to public) in kbit/s, or none.") var kbps: LimitArgument?
        @Option(name: .long, help: "Download limit (public to home) in kbit/s, or none.") var downloadKbps: LimitArgument?
        @Option(name: .long, help: "Token-bucket burst in bytes, or default (100 ms at the limit, at least 64 KiB).")
        var burst: BurstArgument?

        func validate() throws {
            guard kbps != nil || downloadKbps != nil || burst != nil else {
                throw ValidationError("Nothing to change: give --kbps, --download-kbps or --burst.")
            }
            try kbps?.validate("--kbps")
            try downloadKbps?.validate("--download-kbps")
            try burst?.validate()
        }

        func run() async throws {
            var body: [String: Any] = [:]
            if let kbps { body["bandwidth_limit_kbps"] = kbps.json }
            if let downloadKbps { body["download_limit_kbps"] = downloadKbps.json }
            if let burst { body["burst_bytes"] = burst.json }
            let home = try await AdminClient(options: options).call("PATCH", "/api/homes/\(name)", body: body)
            print(HomeSummary(home as? [String: Any] ?? [:]).limitsLine)
        }
    }
}
