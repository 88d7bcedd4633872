import ArgumentParser
import Wire

/// What `homeagent sync`, `expose` and `unexpose` share: connect as the home,
/// declare the config's forwards, print the edge's verdict, and fail the
/// command if any forward was rejected, so scripts notice.
enum OneShotSync {
    static func run(config: HomeConfig, configPath: String, json: Bool) async throws {
        let connection = try await EdgeConnection.open(config: config, configPath: configPath)
        let statuses: [ForwardStatus]
        do {
            statuses = try await connection.control.syncForwards(config.forwards)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        let report = ForwardStatusReport(home: config.home, statuses: statuses)
        print(json ? try report.json() : report.text)
        if report.hasRejections { throw ExitCode.failure }
    }
}
