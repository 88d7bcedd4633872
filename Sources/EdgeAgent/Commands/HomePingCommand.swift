import ArgumentParser
import Foundation

extension HomeCommand {
    /// `edgeagent home ping NAME [--count N]`: round trips over the home's tunnel.
    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure round trips over a home's tunnel session.",
            discussion: """
                Each round trip is one PING frame from the edge to the home agent and its \
                PONG. Control frames are never held back by bandwidth limits, so this stays \
                low even while the home is saturated at its limit.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String
        @Option(name: [.short, .long], help: "How many round trips (1-1000).") var count = 4
        @Option(name: .long, help: "Seconds between round trips (0.01-60).") var interval = 1.0

        func validate() throws {
            guard (1...1000).contains(count) else { throw ValidationError("--count \(count): use 1 to 1000") }
            guard (0.01...60).contains(interval) else { throw ValidationError("--interval \(interval): use 0.01 to 60 seconds") }
        }

        func run() async throws {
            let client = try AdminClient(options: options)
            var samples: [Double] = []
            for index in 0..<count {
                if index > 0 { try await Task.sleep(for: .seconds(interval)) }
                let reply = try await client.call("POST", "/api/homes/\(name)/ping") as? [String: Any]
                guard let rtt = (reply?["rtt_ms"] as? NSNumber)?.doubleValue else {
                    throw AdminClientError("the edge API returned no rtt_ms")
                }
                samples.append(rtt)
                print("\(name): rtt \(String(format: "%.3f", rtt)) ms")
            }
            let average = samples.reduce(0, +) / Double(samples.count)
            print(String(
                format: "%d round trips, min/avg/max %.3f/%.3f/%.3f ms", samples.count, samples.min()!, average,
                samples.max()!))
        }
    }
}
