import Foundation
import Logging
import Store

/// The composition root: configuration plus the opened store. `run`, `--once`, every CLI command
/// and the tests build one of these and nothing else.
public struct App: Sendable {
    public let config: Configuration
    public let store: SignalStore
    /// Where decisions and job events go (the journal under systemd, stderr elsewhere).
    public var logger: Logger

    /// Loads the configuration (`configPath` nil: defaults plus environment) and opens the store
    /// (`databaseOverride` wins over the configured path).
    public static func open(
        configPath: String?, databaseOverride: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "improvementd")
    ) throws -> App {
        // The crash hook's variable is a testing aid (Store's `CrashPoint`), not a configuration key.
        var config = try Configuration.load(path: configPath, environment: environment)
        if let databaseOverride { config.database = databaseOverride }
        let store = try SignalStore(path: config.database)
        return App(config: config, store: store, logger: logger)
    }

    public init(config: Configuration, store: SignalStore, logger: Logger = Logger(label: "improvementd")) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    public var importer: Importer { Importer(store: store) }
}
