import Foundation
import GRDB
import GRDBSQLite
import TradingDomain

/// A stored feature row: the values in the order of its schema's names (NaN = missing).
public struct StoredFeatures: Sendable {
    public var signalId: String
    public var schemaHash: String
    public var featureDate: String?
    public var values: [Double]
}

/// Labeled signals with their feature rows in one row-major buffer, in time order.
public struct LabeledRows: Sendable {
    public var signalIds: [String] = []
    public var entryDays: [Int] = []
    public var exitDays: [Int] = []
    public var labels: [Int] = []
    /// Directional `return_pct` of each (nil when not stored): the take policy's economics.
    public var returns: [Double?] = []
    /// Row-major, `width` values a signal.
    public var values: [Double] = []
    public var width = 0
}

/// Feature rows (README.md, "Features") with the schema (version, names, hash) they were computed under.
extension SignalStore {
    /// Records the schema (once) and upserts each signal's feature vector. `dirty`: the changed
    /// inputs this run caught up on, consumed in the same transaction with its `fingerprint`.
    public func upsertFeatures(
        schemaHash: String, version: Int, names: [String], rows: [(signalId: String, featureDate: Day?, values: [Double])],
        consuming dirty: DirtyInputs? = nil, fingerprint: String = ""
    ) throws(StoreError) -> WriteCount {
        try write("storing features") { db in
            let now = Self.timestamp()
            let namesJSON = String(decoding: try JSONSerialization.data(withJSONObject: names), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO feature_schemas (schema_hash, version, names, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (schema_hash) DO NOTHING
                """, arguments: [schemaHash, version, namesJSON, now])
            var count = WriteCount()
            let statement = try db.makeStatement(sql: """
                INSERT INTO features (signal_id, schema_hash, feature_date, vector, computed_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (signal_id) DO UPDATE SET schema_hash = excluded.schema_hash,
                    feature_date = excluded.feature_date, vector = excluded.vector, computed_at = excluded.computed_at
                WHERE schema_hash IS NOT excluded.schema_hash OR feature_date IS NOT excluded.feature_date
                    OR vector IS NOT excluded.vector
                """)
            // Values are bound through SQLite's C API (GRDB's per-row argument arrays and the
            // blob's Data were a third of writing the rows); the blob is `encode(values)`.
            let stmt = statement.sqliteStatement
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            sqlite3_reset(stmt)
            defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
            _ = schemaHash.withCString { sqlite3_bind_text(stmt, 2, $0, -1, transient) }
            _ = now.withCString { sqlite3_bind_text(stmt, 5, $0, -1, transient) }
            for row in rows {
                precondition(row.values.count == names.count, "feature row width differs from its schema")
                sqlite3_reset(stmt)
                _ = row.signalId.withCString { sqlite3_bind_text(stmt, 1, $0, -1, transient) }
                if let day = row.featureDate {
                    _ = day.iso.withCString { sqlite3_bind_text(stmt, 3, $0, -1, transient) }
                } else {
                    sqlite3_bind_null(stmt, 3)
                }
                Self.bindVector(row.values, stmt, 4, transient)
                let code = sqlite3_step(stmt)
                guard code == SQLITE_DONE else { throw Self.stepError(code, db, statement) }
                if sqlite3_changes(db.sqliteConnection) > 0 { count.written += 1 } else { count.unchanged += 1 }
            }
            if let dirty { try Self.consume(dirty, fingerprint: fingerprint, db) }
            return count
        }
    }

    /// One symbol's bars sorted by date (nil when it has none), read on its own snapshot:
    /// labels and features go symbol by symbol, holding one series at a time. Columns are read
    /// through SQLite's C API (GRDB's per-row decoding was most of reading a million bars).
    /// - Parameter from: when given, only the bars dated on or after it (labels look at nothing
    ///   before a signal's entry date, so a daily run need not read each symbol's history).
    public func barSeries(of symbol: String, from: Day? = nil) throws(StoreError) -> BarSeries? {
        try read("reading bars") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT date, open, high, low, close, volume FROM price_bars WHERE symbol = ? AND date >= ? ORDER BY date")
            let stmt = statement.sqliteStatement
            sqlite3_reset(stmt)
            defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            _ = symbol.withCString { sqlite3_bind_text(stmt, 1, $0, -1, transient) }
            // '' sorts before every date: no lower bound.
            _ = (from?.iso ?? "").withCString { sqlite3_bind_text(stmt, 2, $0, -1, transient) }
            var bars: [Bar] = []
            while true {
                let code = sqlite3_step(stmt)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw Self.stepError(code, db, statement) }
                let length = Int(sqlite3_column_bytes(stmt, 0))
                let text = UnsafeBufferPointer(start: sqlite3_column_text(stmt, 0), count: length)
                guard let day = Self.isoDay(text) else {
                    throw StoreError(.integrity, "price_bars has an invalid date '\(String(decoding: text, as: UTF8.self))' for \(symbol)")
                }
                bars.append(Bar(
                    day: day, open: sqlite3_column_double(stmt, 1), high: sqlite3_column_double(stmt, 2),
                    low: sqlite3_column_double(stmt, 3), close: sqlite3_column_double(stmt, 4), volume: sqlite3_column_double(stmt, 5)
                ))
            }
            return bars.isEmpty ? nil : BarSeries(symbol: symbol, bars: bars)
        }
    }

    /// The symbols that have bars, sorted as SQLite sorts text: one index seek per symbol
    /// (a skip scan), not a pass over every bar.
    public func barSymbols() throws(StoreError) -> [String] {
        try read("reading bar symbols") { db in
            try String.fetchAll(db, sql: """
                WITH RECURSIVE s(symbol) AS (
                    SELECT MIN(symbol) FROM price_bars
                    UNION ALL SELECT (SELECT MIN(symbol) FROM price_bars WHERE symbol > s.symbol) FROM s WHERE s.symbol IS NOT NULL
                ) SELECT symbol FROM s WHERE symbol IS NOT NULL
                """)
        }
    }

    /// `Day(iso:)` of a stored date string, read from its UTF-8 bytes when contiguous.
    static func isoDay(_ text: String) -> Day? {
        var text = text
        return text.withUTF8 { isoDay($0) }
    }

    /// `Day(iso:)` of stored date text, read from its bytes.
    static func isoDay(_ text: UnsafeBufferPointer<UInt8>) -> Day? {
        Day(isoBytes: text)
    }

    /// Labeled signals (not pending, not expired) with a feature row of `schemaHash`, sorted by
    /// entry date then id: what a model learns from, read in one pass into flat arrays (a million
    /// rows cost their 8 bytes a value, not a dictionary of signals, outcomes and rows).
    public func labeledRows(schemaHash: String) throws(StoreError) -> LabeledRows {
        try read("reading labeled signals") { db in
            var ids: [String] = [], entries: [Int] = [], exits: [Int] = [], labels: [Int] = [], values: [Double] = []
            var returns: [Double?] = []
            var width = 0
            // The labeled count (from the status index) bounds the rows read: reserving for it
            // once keeps the values buffer from growing by doubling, which left up to twice the
            // matrix allocated (measured with heaptrack: 35 MB for a 24 MB matrix at 100k rows).
            let bound = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outcomes WHERE status = 'labeled'") ?? 0
            ids.reserveCapacity(bound); entries.reserveCapacity(bound); exits.reserveCapacity(bound)
            labels.reserveCapacity(bound); returns.reserveCapacity(bound)
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT s.signal_id, s.entry_date, o.exit_date, o.outcome, f.vector, o.return_pct
                FROM outcomes o JOIN signals s ON s.signal_id = o.signal_id
                JOIN features f ON f.signal_id = o.signal_id AND f.schema_hash = ?
                WHERE o.status = 'labeled' AND o.outcome IS NOT NULL AND o.exit_date >= s.entry_date
                """, arguments: [schemaHash])
            while let row = try cursor.next() {
                let entryText: String = row[1], exitText: String = row[2]
                guard let entry = Day(iso: entryText), let exit = Day(iso: exitText) else {
                    throw StoreError(.integrity, "signal \(row[0] as String) has an invalid entry or exit date")
                }
                guard let blob = row.dataNoCopy(atIndex: 4) else { continue }
                if width == 0 {
                    width = blob.count / 8
                    values.reserveCapacity(bound * width)
                }
                guard blob.count == width * 8 else { throw StoreError(.integrity, "feature rows of schema \(schemaHash) differ in width") }
                ids.append(row[0]); entries.append(Int(entry.number)); exits.append(Int(exit.number)); labels.append(row[3])
                returns.append(row[5])
                Self.decode(blob, into: &values)
            }
            // Sorting here, not in SQL: SQLite would sort every feature blob with its row.
            let order = ids.indices.sorted { (entries[$0], ids[$0]) < (entries[$1], ids[$1]) }
            var out = LabeledRows(width: width)
            for i in order {
                out.signalIds.append(ids[i]); out.entryDays.append(entries[i]); out.exitDays.append(exits[i]); out.labels.append(labels[i])
                out.returns.append(returns[i])
            }
            // The feature rows are put in that order in place (a second buffer of every value
            // doubled the read's peak: 200 MB at a million rows).
            Self.permuteRows(&values, width: width, order: order)
            out.values = values
            return out
        }
    }

    /// Reorders the rows of a row-major buffer in place so that row `i` becomes the old row
    /// `order[i]` (`order` a permutation), following each cycle with one row of scratch space.
    static func permuteRows(_ values: inout [Double], width: Int, order: [Int]) {
        guard width > 0, order.count > 1 else { return }
        var done = [Bool](repeating: false, count: order.count)
        var scratch = [Double](repeating: 0, count: width)
        values.withUnsafeMutableBufferPointer { v in
            scratch.withUnsafeMutableBufferPointer { t in
                let base = v.baseAddress!, tmp = t.baseAddress!
                for start in order.indices where !done[start] {
                    done[start] = true
                    guard order[start] != start else { continue }
                    tmp.update(from: base + start * width, count: width)
                    var j = start
                    while order[j] != start {
                        let k = order[j]
                        (base + j * width).update(from: base + k * width, count: width)
                        done[k] = true
                        j = k
                    }
                    (base + j * width).update(from: tmp, count: width)
                }
            }
        }
    }

    /// The entry date and feature row of `schemaHash` of each of `signalIds` that has one: a
    /// lookup per id, for callers that need a few rows of a large store.
    public func featureRows(_ signalIds: [String], schemaHash: String) throws(StoreError) -> [String: (entry: Day, values: [Double])] {
        try read("reading feature rows") { db in
            let statement = try db.makeStatement(sql: """
                SELECT s.entry_date, f.vector FROM features f JOIN signals s ON s.signal_id = f.signal_id
                WHERE f.signal_id = ? AND f.schema_hash = ?
                """)
            var out: [String: (entry: Day, values: [Double])] = [:]
            for id in signalIds {
                guard let row = try Row.fetchOne(statement, arguments: [id, schemaHash]), let entry = Day(iso: row[0] as String),
                      let blob = row.dataNoCopy(atIndex: 1) else { continue }
                out[id] = (entry, Self.decode(blob))
            }
            return out
        }
    }

    /// How many signals have a feature row of `schemaHash`.
    public func featureRowCount(schemaHash: String) throws(StoreError) -> Int {
        try read("counting features") { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM features WHERE schema_hash = ?", arguments: [schemaHash]) ?? 0 }
    }

    /// The names of every external series, sorted: with the schema version they fix the schema.
    public func externalNames() throws(StoreError) -> [String] {
        try read("reading external names") { try String.fetchAll($0, sql: "SELECT DISTINCT name FROM external_features ORDER BY name") }
    }

    /// The names of a stored schema.
    public func featureNames(schemaHash: String) throws(StoreError) -> [String]? {
        try read("reading a feature schema") { db in
            guard let text = try String.fetchOne(db, sql: "SELECT names FROM feature_schemas WHERE schema_hash = ?", arguments: [schemaHash]) else { return nil }
            return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        }
    }

    /// Feature rows computed under `schemaHash`, by signal id.
    public func features(schemaHash: String) throws(StoreError) -> [String: StoredFeatures] {
        try read("reading features") { db in
            var out: [String: StoredFeatures] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT signal_id, feature_date, vector FROM features WHERE schema_hash = ?", arguments: [schemaHash])
            while let row = try cursor.next() {
                let f = StoredFeatures(signalId: row[0], schemaHash: schemaHash, featureDate: row[1], values: Self.decode(row[2]))
                out[f.signalId] = f
            }
            return out
        }
    }

    /// The error GRDB throws for a failed step of `statement` (its code, SQLite's message and
    /// the SQL), so the store's error messages name the cause as for any other write (a full
    /// disk, a read-only store, an I/O error).
    static func stepError(_ code: Int32, _ db: Database, _ statement: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }

    /// Binds `encode(values)` as a blob: on a little-endian machine the array's own bytes.
    static func bindVector(_ values: [Double], _ stmt: OpaquePointer?, _ index: Int32, _ transient: sqlite3_destructor_type) {
        #if _endian(little)
        values.withUnsafeBytes { raw in _ = sqlite3_bind_blob(stmt, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), transient) }
        #else
        let data = encode(values)
        data.withUnsafeBytes { raw in _ = sqlite3_bind_blob(stmt, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), transient) }
        #endif
    }

    /// Little-endian float64s: exact, compact, and readable from any language.
    static func encode(_ values: [Double]) -> Data {
        var data = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Appends the values of `data` to `out`.
    static func decode(_ data: Data, into out: inout [Double]) {
        data.withUnsafeBytes { raw in
            for i in 0..<(data.count / 8) {
                out.append(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
            }
        }
    }

    static func decode(_ data: Data) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(data.count / 8)
        decode(data, into: &out)
        return out
    }
}
