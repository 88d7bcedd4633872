import ArgumentParser

extension HomeCommand {
    /// `edgeagent home limit NAME [--kbps N|none] [--download-kbps N|none] [--burst BYTES|default] [--tcp-ports N]`
    struct Limit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a home's bandwidth limits and TCP port quota; running connections follow at once.",
            discussion: """
                --kbps limits the home's upload (home to the public), --download-kbps the \
                other direction; 1 kbit = 1000 bits, from 100 to 10000000, or none for \
                unlimited. The limit covers all of the home's connections together, shared \
                fairly among them.

                --tcp-ports is how many public TCP ports the home's tcp forwards may hold \
                (default 10, 0 for none); forwards beyond it are refused with \
                port_quota_exceeded. A new quota applies at the home's next sync (when it \
                reconnects, or on `homeagent sync`); forwards that hold a port keep it.

                Options left out keep their current value. Everything is stored in the \
                registry, so it survives restarts of the edge.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String
        @Option(name: .long, help: "Upload limit (home to public) in kbit/s, or none.") var kbps: LimitArgument?
        @Option(name: .long, help: "Download limit (public to home) in kbit/s, or none.") var downloadKbps: LimitArgument?
        @Option(name: .long, help: "Token-bucket burst in bytes, or default (100 ms at the limit, at least 64 KiB).")
        var burst: BurstArgument?
        @Option(name: .long, help: "Public TCP ports the home's forwards may hold (0 to 65535; left out: unchanged).")
        var tcpPorts: Int?

        func validate() throws {
            guard kbps != nil || downloadKbps != nil || burst != nil || tcpPorts != nil else {
                throw ValidationError("Nothing to change: give --kbps, --download-kbps, --burst or --tcp-ports.")
            }
            try kbps?.validate("--kbps")
            try downloadKbps?.validate("--download-kbps")
            try burst?.validate()
            try TCPPortQuotaArgument.validate(tcpPorts)
        }

        func run() async throws {
            var body: [String: Any] = [:]
            if let kbps { body["bandwidth_limit_kbps"] = kbps.json }
            if let downloadKbps { body["download_limit_kbps"] = downloadKbps.json }
            if let burst { body["burst_bytes"] = burst.json }
            if let tcpPorts { body["tcp_port_quota"] = tcpPorts }
            let home = try await AdminClient(options: options).call("PATCH", "/api/homes/\(name)", body: body)
            print(HomeSummary(home as? [String: Any] ?? [:]).limitsLine)
        }
    }
}
