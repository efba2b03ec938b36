import Foundation
import Logging
import Store

/// The composition root: the configuration, the opened store and the logger, and the use cases
/// built from them. `run`, `--once`, every CLI command and the tests build one of these and
/// nothing else; each use case receives only what it needs (docs/ARCHITECTURE.md).
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

    // The use cases, in the order data flows through them.

    /// Validated imports of bars, signals, symbols, events and external series.
    public var importer: Importer { Importer(store: store) }
    /// The inbox folder's files, imported one by one.
    public var inbox: InboxImport { InboxImport(config: config, store: store, logger: logger) }
    /// Built-in strategies replayed over the bars.
    public var backfill: Backfill { Backfill(config: config, store: store) }
    /// Outcome labels (triple barrier).
    public var labeling: Labeling { Labeling(config: config, store: store) }
    /// Point-in-time features.
    public var features: FeatureComputation { FeatureComputation(config: config, store: store) }
    /// Training, comparison, promotion and registration.
    public var training: Training { Training(config: config, store: store, logger: logger) }
    /// The online model and its blend with the batch model.
    public var online: OnlineLearning { OnlineLearning(store: store) }
    /// Scores for the trading system.
    public var scoring: Scoring { Scoring(store: store, online: online, aggregate: aggregate) }
    public var aggregate: ProductionAggregate { ProductionAggregate(config: config, store: store) }
    /// The production model on the evaluation window.
    public var evaluation: Evaluation { Evaluation(config: config, store: store) }
    /// The daily job and the trigger check.
    public var cycle: ImprovementCycle { ImprovementCycle(app: self) }
    /// CSV exports.
    public var exporting: Exporting { Exporting(config: config, store: store) }
    /// The daily job's rotating backups of the store.
    public var backups: Backups { Backups(config: config, store: store, logger: logger) }
}
