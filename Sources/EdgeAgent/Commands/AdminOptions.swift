import ArgumentParser
import Foundation

/// Options of the admin commands (`home`, `domain`, `route`): which edge to
/// talk to. They reach the running edge through its API, so the ports it
/// serves on are `serve`'s options, not theirs.
struct AdminOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory of the edge to manage: its admin token, and the port file of the edge running on it.")
    var dataDir: String = EdgeOptions.defaultDataDirectory

    @Option(
        name: .long,
        help: "The edge API's port on 127.0.0.1 (default: the one the edge running on --data-dir wrote to edge.runtime.json).")
    var apiPort: Int?

    var dataDirectory: URL { URL(fileURLWithPath: (dataDir as NSString).expandingTildeInPath) }

    func validate() throws {
        if let apiPort, !(1...65_535).contains(apiPort) {
            throw ValidationError("--api-port \(apiPort) is outside 1-65535")
        }
    }
}
