import Foundation
import GRDB
import TradingDomain

/// Upserting writes for the importers (README.md, "Importing"): re-importing the same data changes nothing.
extension SignalStore {
    public func upsertBars(_ rows: [BarInput.Row]) throws(StoreError) -> WriteCount {
        try write("importing bars") { db in try Self.upsertBars(rows, in: db) }
    }

    /// Runs `body` in one write transaction, handing it an upsert of bars into that transaction:
    /// an import can validate and write file by file (holding one file in memory) and still
    /// write nothing at all when `body` throws.
    public func importingBars<T>(_ body: (_ upsert: ([BarInput.Row]) throws -> WriteCount) throws -> T) throws(StoreError) -> T {
        try write("importing bars") { db in try body { rows in try Self.upsertBars(rows, in: db) } }
    }

    static func upsertBars(_ rows: [BarInput.Row], in db: Database) throws -> WriteCount {
        var count = WriteCount()
        let now = Self.timestamp()
        let statement = try db.makeStatement(sql: """
            INSERT INTO price_bars (symbol, date, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (symbol, date) DO UPDATE SET open = excluded.open, high = excluded.high,
                low = excluded.low, close = excluded.close, volume = excluded.volume
            WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR low IS NOT excluded.low
                OR close IS NOT excluded.close OR volume IS NOT excluded.volume
            """)
        var changedFrom: [String: Day] = [:]
        for row in rows {
            let b = row.bar
            try statement.execute(arguments: [row.symbol, b.day.iso, b.open, b.high, b.low, b.close, b.volume])
            if db.changesCount > 0 {
                count.written += 1
                changedFrom[row.symbol] = min(changedFrom[row.symbol] ?? b.day, b.day)
            } else {
                count.unchanged += 1
            }
        }
        // Labels and features of the signals these bars reach are recomputed by the next run.
        for (symbol, day) in changedFrom { try markBarsDirty(symbol: symbol, from: day, db) }
        let symbol = try db.makeStatement(sql: """
            INSERT INTO symbols (symbol, is_index, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (symbol) DO NOTHING
            """)
        for name in Set(rows.map(\.symbol)) {
            try symbol.execute(arguments: [name, name.hasPrefix("^") ? 1 : 0, now])
        }
        CrashPoint.reach("import.rows-written") // a testing aid: the import's transaction is open
        return count
    }

    public func upsertSignals(_ signals: [Signal], source: String) throws(StoreError) -> WriteCount {
        try write("importing signals") { db in
            let count = try Self.upsertSignals(
                signals.map { SourcedSignal(signal: $0, source: source, metadataJSON: Self.metadataJSON($0.metadata)) }, in: db
            )
            CrashPoint.reach("import.rows-written") // a testing aid: the import's transaction is open
            return count
        }
    }

    /// Upserts signals, each with its own `source` and stored metadata text, inside `db`'s
    /// transaction (the importers and the replay's deliveries share it).
    static func upsertSignals(_ signals: [SourcedSignal], in db: Database) throws -> WriteCount {
        var count = WriteCount()
        let now = Self.timestamp()
        try Self.assignStrategyCodes(Set(signals.map(\.signal.strategy)), db)
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

    public func upsertSymbols(_ symbols: [SymbolInfo]) throws(StoreError) -> WriteCount {
        try write("importing symbols") { db in try Self.upsertSymbols(symbols, in: db) }
    }

    /// The same, inside `db`'s transaction.
    static func upsertSymbols(_ symbols: [SymbolInfo], in db: Database) throws -> WriteCount {
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
        if count.written > 0 { try Self.markAllDirty([.features], db) }
        return count
    }

    public func upsertEvents(_ events: [SymbolEvent]) throws(StoreError) -> WriteCount {
        try write("importing events") { db in try Self.upsertEvents(events, in: db) }
    }

    /// The same, inside `db`'s transaction.
    static func upsertEvents(_ events: [SymbolEvent], in db: Database) throws -> WriteCount {
        var count = WriteCount()
        let statement = try db.makeStatement(sql: "INSERT INTO events (symbol, date, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        for e in events {
            try statement.execute(arguments: [e.symbol, e.day.iso, e.kind])
            if db.changesCount > 0 { count.written += 1 } else { count.unchanged += 1 }
        }
        if count.written > 0 { try Self.markAllDirty([.features], db) }
        return count
    }

    public func upsertExternal(_ values: [ExternalValue]) throws(StoreError) -> WriteCount {
        try write("importing external features") { db in try Self.upsertExternal(values, in: db) }
    }

    /// The same, inside `db`'s transaction.
    static func upsertExternal(_ values: [ExternalValue], in db: Database) throws -> WriteCount {
        var count = WriteCount()
        let statement = try db.makeStatement(sql: """
            INSERT INTO external_features (symbol, date, name, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (symbol, date, name) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value
            """)
        for v in values {
            try statement.execute(arguments: [v.symbol, v.day.iso, v.name, v.value])
            if db.changesCount > 0 { count.written += 1 } else { count.unchanged += 1 }
        }
        if count.written > 0 { try Self.markAllDirty([.features], db) }
        return count
    }

    /// Gives each new strategy name the next stable integer code; existing codes never change.
    static func assignStrategyCodes(_ names: Set<String>, _ db: Database) throws {
        var next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(code), -1) + 1 FROM strategy_codes") ?? 0
        for name in names.sorted() {
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM strategy_codes WHERE strategy = ?", arguments: [name]) ?? false
            if !exists {
                try db.execute(sql: "INSERT INTO strategy_codes (strategy, code) VALUES (?, ?)", arguments: [name, next])
                next += 1
            }
        }
    }

    static func metadataJSON(_ metadata: [String: String]) -> String {
        guard !metadata.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }
}
