import Foundation
import GRDB
import GRDBSQLite
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

    /// The bars upsert: a bar equal to the stored one changes nothing (no row counted changed).
    static let barUpsertSQL = """
        INSERT INTO price_bars (symbol, date, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (symbol, date) DO UPDATE SET open = excluded.open, high = excluded.high,
            low = excluded.low, close = excluded.close, volume = excluded.volume
        WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR low IS NOT excluded.low
            OR close IS NOT excluded.close OR volume IS NOT excluded.volume
        """

    static func upsertBars(_ rows: [BarInput.Row], in db: Database) throws -> WriteCount {
        var count = WriteCount()
        let now = Self.timestamp()
        let statement = try db.makeStatement(sql: Self.barUpsertSQL)
        // Hundreds of thousands of rows: values are bound through SQLite's C API, the same text
        // and doubles GRDB would bind (its per-row argument arrays were most of the write), and
        // the symbol only when it changes (a file is one symbol): a binding stays across resets.
        let stmt = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var changedFrom: [String: Day] = [:]
        var symbols: [String] = [] // in order of first appearance
        var seen = Set<String>()
        var bound: String?
        var runFrom: Day? // the earliest written day of the current symbol's run
        // A re-import mostly brings bars the store already holds: those equal to the stored
        // ones are counted unchanged without a step of the upsert, which would change nothing
        // for them (its `IS NOT` compares the same doubles `==` does: no NULL or NaN is stored).
        // Only the stored bars in the dates the rows span are read: a day's delivery of one bar
        // a symbol must not read that symbol's whole history.
        var spans: [String: ClosedRange<Day>] = [:]
        for row in rows {
            let day = row.bar.day
            if let span = spans[row.symbol] {
                if day < span.lowerBound || day > span.upperBound { spans[row.symbol] = min(span.lowerBound, day)...max(span.upperBound, day) }
            } else {
                spans[row.symbol] = day...day
            }
        }
        var stored: [String: [Int32: StoredBar]] = [:]
        for (name, span) in spans { stored[name] = try storedBars(symbol: name, in: span, db) }
        var existing: [Int32: StoredBar] = [:]
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for row in rows {
            if row.symbol != bound {
                if let symbol = bound, let from = runFrom { changedFrom[symbol] = min(changedFrom[symbol] ?? from, from) }
                runFrom = nil
                bound = row.symbol
                if seen.insert(row.symbol).inserted { symbols.append(row.symbol) }
                _ = row.symbol.withCString { sqlite3_bind_text(stmt, 1, $0, -1, transient) }
                existing = stored[row.symbol] ?? [:]
            }
            let b = row.bar
            if !existing.isEmpty, let old = existing[b.day.number], old.open == b.open, old.high == b.high, old.low == b.low,
               old.close == b.close, old.volume == b.volume {
                count.unchanged += 1
                continue
            }
            _ = b.day.withISO { sqlite3_bind_text(stmt, 2, $0, 10, transient) }
            sqlite3_bind_double(stmt, 3, b.open)
            sqlite3_bind_double(stmt, 4, b.high)
            sqlite3_bind_double(stmt, 5, b.low)
            sqlite3_bind_double(stmt, 6, b.close)
            sqlite3_bind_double(stmt, 7, b.volume)
            let code = sqlite3_step(stmt)
            guard code == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                sqlite3_reset(stmt)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
            }
            sqlite3_reset(stmt)
            if sqlite3_changes(db.sqliteConnection) > 0 {
                count.written += 1
                runFrom = min(runFrom ?? b.day, b.day)
            } else {
                count.unchanged += 1
            }
        }
        if let symbol = bound, let from = runFrom { changedFrom[symbol] = min(changedFrom[symbol] ?? from, from) }
        sqlite3_clear_bindings(stmt)
        // Labels and features of the signals these bars reach are recomputed by the next run.
        for (symbol, day) in changedFrom { try markBarsDirty(symbol: symbol, from: day, db) }
        let symbol = try db.makeStatement(sql: """
            INSERT INTO symbols (symbol, is_index, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (symbol) DO NOTHING
            """)
        for name in symbols {
            try symbol.execute(arguments: [name, name.hasPrefix("^") ? 1 : 0, now])
        }
        CrashPoint.reach("import.rows-written") // a testing aid: the import's transaction is open
        return count
    }

    /// The five values of a stored bar.
    struct StoredBar { var open, high, low, close, volume: Double }

    /// The bars `symbol` has in the store dated within `span`, by day number.
    static func storedBars(symbol: String, in span: ClosedRange<Day>, _ db: Database) throws -> [Int32: StoredBar] {
        let statement = try db.makeStatement(sql: "SELECT date, open, high, low, close, volume FROM price_bars WHERE symbol = ? AND date BETWEEN ? AND ?")
        let stmt = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        _ = symbol.withCString { sqlite3_bind_text(stmt, 1, $0, -1, transient) }
        _ = span.lowerBound.withISO { sqlite3_bind_text(stmt, 2, $0, 10, transient) }
        _ = span.upperBound.withISO { sqlite3_bind_text(stmt, 3, $0, 10, transient) }
        var out: [Int32: StoredBar] = [:]
        while true {
            let code = sqlite3_step(stmt)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
            }
            // Only a row of an ISO TEXT date and five REALs can be told equal here; any other
            // (a store written by something else) is left to the upsert.
            guard sqlite3_column_type(stmt, 0) == SQLITE_TEXT, (1...5).allSatisfy({ sqlite3_column_type(stmt, $0) == SQLITE_FLOAT }),
                  sqlite3_column_bytes(stmt, 0) == 10, let text = sqlite3_column_text(stmt, 0),
                  let day = Self.isoDay(UnsafeBufferPointer(start: text, count: 10)) else { continue }
            out[day.number] = StoredBar(
                open: sqlite3_column_double(stmt, 1), high: sqlite3_column_double(stmt, 2), low: sqlite3_column_double(stmt, 3),
                close: sqlite3_column_double(stmt, 4), volume: sqlite3_column_double(stmt, 5))
        }
        return out
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

extension Day {
    /// Calls `body` with this day's `YYYY-MM-DD` (the bytes of `iso`, 10 of them, not
    /// NUL-terminated) in a stack buffer, so binding a date makes no `String`.
    fileprivate func withISO<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        let (y, m, d) = civil
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 10) { buf in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    buf[i] = CChar(48 + v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4); buf[4] = CChar(UInt8(ascii: "-")); put(m, 5, 2); buf[7] = CChar(UInt8(ascii: "-")); put(d, 8, 2)
            return body(UnsafePointer(buf.baseAddress!))
        }
    }
}
