import Foundation
import GRDB
import TradingDomain

/// What a seeding or a delivery wrote into a replay's scratch store, per table.
public struct DeliveryCount: Sendable, Equatable {
    public var symbols = WriteCount()
    public var bars = WriteCount()
    public var signals = WriteCount()
    public var events = WriteCount()
    public var externals = WriteCount()

    public init() {}

    /// Symbols, events or external values were written: as for an import, every feature row is marked
    /// for recomputation (a full features run follows).
    public var recomputesAllFeatures: Bool { events.written > 0 || externals.written > 0 || symbols.written > 0 }

    mutating func add(_ other: WriteCount, to keyPath: WritableKeyPath<DeliveryCount, WriteCount>) {
        self[keyPath: keyPath].written += other.written
        self[keyPath: keyPath].unchanged += other.unchanged
    }
}

/// Seeding and daily delivery of a replay's scratch store (this store) from a `ReplaySource`
/// (docs/SCHEMA.md, "Replay stores"). Rows go through the importers' writes, so the recompute
/// marks (`dirty_bars`, `dirty_signals`) are set exactly as by an import; each call is one
/// transaction.
extension SignalStore {
    /// Copies every symbol, and the bars, signals, events and external values known before
    /// `day`, from `source`; the source is read in chunks on one snapshot.
    @discardableResult
    public func seed(from source: ReplaySource, before day: Day, chunkSize: Int = 20_000) throws(StoreError) -> DeliveryCount {
        try write("seeding the replay store \(path) from \(source.path) before \(day.iso)") { db in
            try source.queue.read { sourceDB in
                var count = DeliveryCount()
                // Symbols first, so the bars' own symbol rows (name unknown) are never needed.
                count.add(try Self.upsertSymbols(try ReplaySource.symbols(sourceDB), in: db), to: \.symbols)
                try source.forEachChunk(before: day, chunkSize: chunkSize, sourceDB) { batch in
                    try Self.replayWrite(batch, codes: source.strategyCodes, into: &count, db)
                }
                return count
            }
        }
    }

    /// Adds the bars, signals, events and external values of `day` (signals: known on `day`)
    /// from `source`.
    @discardableResult
    public func deliver(_ day: Day, from source: ReplaySource) throws(StoreError) -> DeliveryCount {
        try deliver(day...day, from: source)
    }

    /// Adds everything dated in `days` (signals: known in them) from `source`: at a trading
    /// day's close, the days after the previous trading day through this one, so nothing dated
    /// on a holiday or a weekend is skipped.
    @discardableResult
    public func deliver(_ days: ClosedRange<Day>, from source: ReplaySource) throws(StoreError) -> DeliveryCount {
        let what = days.lowerBound == days.upperBound ? days.lowerBound.iso : "\(days.lowerBound.iso) through \(days.upperBound.iso)"
        return try write("delivering \(what) from \(source.path) into the replay store \(path)") { db in
            let batch = try source.queue.read { try source.rows(from: days.lowerBound, through: days.upperBound, $0) }
            var count = DeliveryCount()
            try Self.replayWrite(batch, codes: source.strategyCodes, into: &count, db)
            return count
        }
    }

    static func replayWrite(_ batch: ReplayBatch, codes: [String: Int], into count: inout DeliveryCount, _ db: Database) throws {
        if !batch.bars.isEmpty { count.add(try upsertBars(batch.bars, in: db), to: \.bars) }
        if !batch.signals.isEmpty { count.add(try replayUpsertSignals(batch.signals, codes: codes, db), to: \.signals) }
        if !batch.events.isEmpty { count.add(try upsertEvents(batch.events, in: db), to: \.events) }
        if !batch.externals.isEmpty { count.add(try upsertExternal(batch.externals, in: db), to: \.externals) }
    }

    /// The source's strategy codes for strategies new to this store (codes are a feature, so
    /// they must not depend on the order of deliveries), then the import's own write.
    static func replayUpsertSignals(_ signals: [SourcedSignal], codes: [String: Int], _ db: Database) throws -> WriteCount {
        for name in Set(signals.map(\.signal.strategy)).sorted() {
            if let code = codes[name] {
                try db.execute(sql: "INSERT OR IGNORE INTO strategy_codes (strategy, code) VALUES (?, ?)", arguments: [name, code])
            }
        }
        return try upsertSignals(signals, in: db)
    }
}
