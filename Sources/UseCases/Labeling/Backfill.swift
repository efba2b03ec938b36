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
        // Symbol by symbol: one series is held at a time, not every bar of the store.
        var signals: [Signal] = []
        for symbol in try store.barSymbols() {
            guard let series = try store.barSeries(of: symbol) else { continue }
            signals += BuiltInStrategy.backfill(strategies, barsBySymbol: [symbol: series], config: config.labels.labelConfig)
        }
        // The order `BuiltInStrategy.backfill` gives over every series at once.
        signals.sort { ($0.entryDate, $0.symbol, $0.id) < ($1.entryDate, $1.symbol, $1.id) }
        // In bulk: on a store about to recompute everything, without the per-signal marks.
        return try store.upsertSignalsInBulk(signals, source: "backfill")
    }
}
