import Foundation
import Store

/// The composition root: configuration plus the opened store. `run`, `--once`, every CLI command
/// and the tests build one of these and nothing else.
public struct App: Sendable {
    public let config: Configuration
    public let store: SignalStore

    /// Loads the configuration (`configPath` nil: defaults plus environment) and opens the store
    /// (`databaseOverride` wins over the configured path).
    public static func open(configPath: String?, databaseOverride: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> App {
        var config = try Configuration.load(path: configPath, environment: environment)
        if let databaseOverride { config.database = databaseOverride }
        let store = try SignalStore(path: config.database)
        return App(config: config, store: store)
    }

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.store = store
    }

    public var importer: Importer { Importer(store: store) }
}
