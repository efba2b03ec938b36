import ArgumentParser
import UseCases

/// Options every command takes (README.md, "Commands").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: built-in defaults plus IMPROVEMENTD_* environment variables.")
    var config: String?

    @Option(name: .long, help: "The SQLite store; overrides the configured `database`.")
    var db: String?

    func app() throws -> App {
        try App.open(configPath: config, databaseOverride: db)
    }
}
