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
                count.add(try Self.replayUpsertSymbols(try ReplaySource.symbols(sourceDB), db), to: \.symbols)
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
        if !batch.events.isEmpty { count.add(try replayUpsertEvents(batch.events, db), to: \.events) }
        if !batch.externals.isEmpty { count.add(try replayUpsertExternal(batch.externals, db), to: \.externals) }
    }

    // MARK: - The importers' writes, inside the caller's transaction
    //
    // The same statements and marks as `upsertSignals`, `upsertSymbols`, `upsertEvents` and
    // `upsertExternal` (SignalStore+Import.swift), which each open their own transaction and so
    // cannot share one; ReplayStoreTests checks that both give the same rows and marks.

    static func replayUpsertSignals(_ signals: [SourcedSignal], codes: [String: Int], _ db: Database) throws -> WriteCount {
        var count = WriteCount()
        let now = Self.timestamp()
        // The source's code for a new strategy (unless taken), then the import's assignment.
        let names = Set(signals.map(\.signal.strategy))
        for name in names.sorted() {
            if let code = codes[name] {
                try db.execute(sql: "INSERT OR IGNORE INTO strategy_codes (strategy, code) VALUES (?, ?)", arguments: [name, code])
            }
        }
        try assignStrategyCodes(names, db)
        let statement = try db.makeStatement(sql: """
            INSERT INTO signals (signal_id, symbol, strategy, signal_type, entry_date, entry_price,
                target_price, stop_loss, confidence, created_at, metadata, source, imported_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (signal_id) DO UPDATE SET symbol = excluded.symbol, strategy = excluded.strategy,
                signal_type = excluded.signal_type, entry_date = excluded.entry_date,
                entry_price = excluded.entry_price, target_price = excluded.target_price,
                stop_loss = excluded.stop_loss, confidence = excluded.confidence,
                created_at = excluded.created_at, metadata = excluded.metadata
            WHERE symbol IS NOT excluded.symbol OR strategy IS NOT excluded.strategy
                OR signal_type IS NOT excluded.signal_type OR entry_date IS NOT excluded.entry_date
                OR entry_price IS NOT excluded.entry_price OR target_price IS NOT excluded.target_price
                OR stop_loss IS NOT excluded.stop_loss OR confidence IS NOT excluded.confidence
                OR created_at IS NOT excluded.created_at OR metadata IS NOT excluded.metadata
            """)
        for sourced in signals {
            let s = sourced.signal
            try statement.execute(arguments: [
                s.id, s.symbol, s.strategy, s.type.rawValue, s.entryDate.iso, s.entryPrice,
                s.targetPrice, s.stopLoss, s.confidence, s.createdAt, sourced.metadataJSON, sourced.source, now,
            ])
            if db.changesCount > 0 { count.written += 1 } else { count.unchanged += 1 }
        }
        return count
    }

    static func replayUpsertSymbols(_ symbols: [SymbolInfo], _ db: Database) throws -> WriteCount {
        var count = WriteCount()
        let now = Self.timestamp()
        let statement = try db.makeStatement(sql: """
            INSERT INTO symbols (symbol, name, sector, market_cap_category, is_index, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, sector = excluded.sector,
                market_cap_category = excluded.market_cap_category, updated_at = excluded.updated_at
            WHERE name IS NOT excluded.name OR sector IS NOT excluded.sector
                OR market_cap_category IS NOT excluded.market_cap_category
            """)
        for s in symbols {
            try statement.execute(arguments: [s.symbol, s.name, s.sector, s.marketCapCategory, s.symbol.hasPrefix("^") ? 1 : 0, now])
            if db.changesCount > 0 { count.written += 1 } else { count.unchanged += 1 }
        }
        if count.written > 0 { try markAllDirty([.features], db) }
        return count
    }

    static func replayUpsertEvents(_ events: [SymbolEvent], _ db: Database) throws -> WriteCount {
        var count = WriteCount()
        let statement = try db.makeStatement(sql: "INSERT INTO events (symbol, date, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        for e in events {
            try statement.execute(arguments: [e.symbol, e.day.iso, e.kind])
            if db.changesCount > 0 { count.written += 1 } else { count.unchanged += 1 }
        }
        if count.written > 0 { try markAllDirty([.features], db) }
        return count
    }

    static func replayUpsertExternal(_ values: [ExternalValue], _ db: Database) throws -> WriteCount {
        var count = WriteCount()
        let statement = try db.makeStatement(sql: """
            INSERT INTO external_features (symbol, date, name, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (symbol, date, name) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value
            """)
        for v in values {
            try statement.execute(arguments: [v.symbol, v.day.iso, v.name, v.value])
            if db.changesCount > 0 { count.written += 1 } else { count.unchanged += 1 }
        }
        if count.written > 0 { try markAllDirty([.features], db) }
        return count
    }
}
