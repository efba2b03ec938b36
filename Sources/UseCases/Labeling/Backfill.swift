import Foundation
import Store
import TradingDomain

/// Replays built-in strategies over the stored bars so a fresh install has history to learn
/// from (README.md, "Commands": backfill).
public struct Backfill: Sendable {
    public let config: Configuration
    public let store: SignalStore

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.store = store
    }

    /// Replays built-in strategies over the stored bars (README.md, "Commands": backfill); ids are deterministic, so a
    /// re-run adds nothing.
    public func run(_ strategies: [BuiltInStrategy]) throws -> WriteCount {
        let bars = try store.barSeries()
        let signals = BuiltInStrategy.backfill(strategies, barsBySymbol: bars, config: config.labels.labelConfig)
        return try store.upsertSignals(signals, source: "backfill")
    }
}
