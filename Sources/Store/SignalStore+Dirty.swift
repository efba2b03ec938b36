import Foundation
import GRDB
import GRDBSQLite
import TradingDomain

/// Who catches up on changed inputs: labels depend on bars and signals, features on bars,
/// signals, symbols, events and external series.
public enum DirtyConsumer: String, Sendable, CaseIterable {
    case labels, features
}

/// The inputs that changed since a consumer last caught up, read on one snapshot.
///
/// Labels and features are pure functions of the stored inputs, so a run recomputes only the
/// signals a change can reach. Signals are marked by SQLite triggers (the trading system may
/// insert rows itself); bars, symbols, events and external series by the store's writers.
public struct DirtyInputs: Sendable {
    public var consumer: DirtyConsumer
    /// Recompute every signal: a new store, a `--full` run, or symbols, events or external
    /// series changed (features only).
    public var all = false
    /// Per symbol, the earliest bar date that was inserted or changed.
    public var barsFrom: [String: Day] = [:]
    /// How many signals were inserted or changed.
    public var signalCount = 0
    /// The mark number when read: marks up to it are consumed, later ones kept.
    var seq = 0

    public var isEmpty: Bool { !all && barsFrom.isEmpty && signalCount == 0 }
}

extension SignalStore {
    /// Marks every signal dirty for `consumers` (`label --full`: all of them).
    public func markAllDirty(_ consumers: [DirtyConsumer] = DirtyConsumer.allCases) throws(StoreError) {
        try write("marking every signal for recomputation") { db in try Self.markAllDirty(consumers, db) }
    }

    static func markAllDirty(_ consumers: [DirtyConsumer], _ db: Database) throws {
        for c in consumers { try markBarsDirty(c, symbol: "*", from: "", db) }
    }

    /// Records that `symbol`'s bars changed from `from` on, for every consumer.
    static func markBarsDirty(symbol: String, from: Day, _ db: Database) throws {
        for c in DirtyConsumer.allCases { try markBarsDirty(c, symbol: symbol, from: from.iso, db) }
    }

    private static func markBarsDirty(_ consumer: DirtyConsumer, symbol: String, from: String, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE dirty_seq SET value = value + 1 WHERE id = 1;
            INSERT INTO dirty_bars (consumer, symbol, from_date, seq) VALUES (?, ?, ?, (SELECT value FROM dirty_seq WHERE id = 1))
            ON CONFLICT (consumer, symbol) DO UPDATE SET from_date = MIN(from_date, excluded.from_date), seq = excluded.seq
            """, arguments: [consumer.rawValue, symbol, from])
    }

    /// What changed for `consumer`, and the signals a change reaches (without their metadata),
    /// on one snapshot.
    /// - Parameters:
    ///   - fingerprint: the consumer's settings (configuration, schema); when it differs from the
    ///     one stored at the last catch-up, every signal is recomputed.
    ///   - barReach: a SQL `SELECT` of the `signal_id`s the changed bars reach; it may use
    ///     `:consumer`. A set, not a condition on every signal: a daily run of a large store
    ///     looks up the few signals a day reaches through the indexes instead of testing each
    ///     signal against the marks (0.29 s -> 6 ms a day on 60k signals over 300 symbols).
    func dirtySignals(
        _ consumer: DirtyConsumer, fingerprint: String, barReach: (DirtyInputs) -> String
    ) throws(StoreError) -> (DirtyInputs, [Signal]) {
        try read("reading changed inputs") { db in
            var dirty = DirtyInputs(consumer: consumer)
            dirty.seq = try Int.fetchOne(db, sql: "SELECT value FROM dirty_seq WHERE id = 1") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT symbol, from_date FROM dirty_bars WHERE consumer = ?", arguments: [consumer.rawValue]) {
                let symbol: String = row[0], from: String = row[1]
                if symbol == "*" {
                    dirty.all = true
                } else {
                    guard let day = Day(iso: from) else { throw StoreError(.integrity, "dirty_bars has an invalid date '\(from)' for \(symbol)") }
                    dirty.barsFrom[symbol] = day
                }
            }
            dirty.signalCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dirty_signals WHERE consumer = ?", arguments: [consumer.rawValue]) ?? 0
            let stored = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [Self.fingerprintKey(consumer)])
            if stored != fingerprint { dirty.all = true }
            // Labels and features do not read a signal's metadata: its JSON is left unparsed.
            if dirty.all { return (dirty, try Self.signals(db, metadata: false)) }
            if dirty.isEmpty { return (dirty, []) }
            var reached = ["SELECT signal_id FROM dirty_signals WHERE consumer = :consumer"]
            if !dirty.barsFrom.isEmpty { reached.append(barReach(dirty)) }
            let signals = try Self.signals(
                db, where: "s.signal_id IN (\(reached.joined(separator: " UNION ")))", arguments: ["consumer": consumer.rawValue], metadata: false)
            return (dirty, signals)
        }
    }

    static func fingerprintKey(_ consumer: DirtyConsumer) -> String { "\(consumer.rawValue)_fingerprint" }

    /// Deletes the marks `dirty` read (numbered up to its `seq`; a change made since has a later
    /// number and keeps its mark), and stores the fingerprint the run used.
    static func consume(_ dirty: DirtyInputs, fingerprint: String, _ db: Database) throws {
        let c = dirty.consumer.rawValue
        try db.execute(sql: "DELETE FROM dirty_bars WHERE consumer = ? AND seq <= ?", arguments: [c, dirty.seq])
        try db.execute(sql: "DELETE FROM dirty_signals WHERE consumer = ? AND seq <= ?", arguments: [c, dirty.seq])
        try db.execute(
            sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [fingerprintKey(dirty.consumer), fingerprint]
        )
    }

    /// The labeling rule (README.md, "Outcome labels") as a reach: a changed bar of the signal's symbol dated within
    /// or before its window (entry .. entry + horizon), any changed bar of its symbol while it is
    /// pending or expired, and any changed index bar while it is pending or expired (expiry).
    public func signalsToRelabel(horizonDays: Int, indexSymbol: String, fingerprint: String) throws(StoreError) -> (DirtyInputs, [Signal]) {
        try dirtySignals(.labels, fingerprint: fingerprint) { dirty in
            let window = """
                SELECT s.signal_id FROM dirty_bars d JOIN signals s ON s.symbol = d.symbol
                WHERE d.consumer = :consumer AND s.entry_date >= date(d.from_date, '-\(max(0, horizonDays)) days')
                """
            let unsettled = "SELECT o.signal_id FROM outcomes o WHERE o.status IN ('pending', 'expired')"
            let unsettledOfSymbol = """
                SELECT o.signal_id FROM outcomes o JOIN signals s ON s.signal_id = o.signal_id
                    JOIN dirty_bars d ON d.consumer = :consumer AND d.symbol = s.symbol
                WHERE o.status IN ('pending', 'expired')
                """
            return "\(window) UNION \(dirty.barsFrom[indexSymbol] == nil ? unsettledOfSymbol : unsettled)"
        }
    }

    /// The point-in-time rule (README.md, "Features") as a reach: features use bars up to the last trading day
    /// before entry, of the symbol, the index and the sector, so a bar changed on day D reaches
    /// exactly the signals entering after D, whatever their symbol.
    public func signalsToRecompute(fingerprint: String) throws(StoreError) -> (DirtyInputs, [Signal]) {
        try dirtySignals(.features, fingerprint: fingerprint) { dirty in
            // Day.iso of a parsed date: a plain literal, and the entry_date index applies.
            dirty.barsFrom.values.min().map { "SELECT signal_id FROM signals WHERE entry_date > '\($0.iso)'" } ?? "SELECT NULL WHERE 0"
        }
    }

    /// Signals ordered by entry date then id, optionally filtered by a condition on `s`;
    /// `metadata: false` leaves each signal's metadata empty (parsing its JSON is most of the read).
    /// Rows are stepped and decoded through SQLite's C API as GRDB decodes them (text as a C
    /// string, NULL as nil): a million signals are not copied as GRDB rows first.
    static func signals(
        _ db: Database, where condition: String? = nil, arguments: StatementArguments = StatementArguments(), metadata: Bool = true
    ) throws -> [Signal] {
        let statement = try db.makeStatement(sql: """
            SELECT signal_id, symbol, strategy, signal_type, entry_date, entry_price, target_price,
                stop_loss, confidence, created_at, metadata FROM signals s
            \(condition.map { "WHERE \($0)" } ?? "") ORDER BY entry_date, signal_id
            """)
        try statement.setArguments(arguments)
        let stmt = statement.sqliteStatement
        defer { sqlite3_reset(stmt) }
        func text(_ i: Int32) -> String { String(cString: sqlite3_column_text(stmt, i)!) }
        func real(_ i: Int32) -> Double? { sqlite3_column_type(stmt, i) == SQLITE_NULL ? nil : sqlite3_column_double(stmt, i) }
        var out: [Signal] = []
        while true {
            let code = sqlite3_step(stmt)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw Self.stepError(code, db, statement) }
            let entry = text(4)
            guard let day = Self.isoDay(entry) else { throw StoreError(.integrity, "signals has an invalid entry_date '\(entry)'") }
            var meta: [String: Any] = [:]
            if metadata {
                meta = (try? JSONSerialization.jsonObject(with: Data(text(10).utf8)) as? [String: Any]) ?? [:]
            }
            out.append(Signal(
                id: text(0), symbol: text(1), strategy: text(2),
                type: SignalType(rawValue: text(3)) ?? .buy, entryDate: day, entryPrice: sqlite3_column_double(stmt, 5),
                targetPrice: real(6), stopLoss: real(7), confidence: real(8), createdAt: text(9),
                metadata: meta.mapValues { "\($0)" }
            ))
        }
        return out
    }
}

extension SignalStore {
    /// `upsertSignals(_:source:)` for a bulk writer (backfill). When every consumer is due to
    /// recompute every signal anyway (a new store, a `--full` run pending: '*' marks), the
    /// insert triggers' per-signal marks add nothing but ~10 µs a signal, so in this one
    /// transaction the triggers are dropped, the rows written, the triggers recreated from
    /// their stored SQL, and the '*' marks renumbered (a run that read the old ones consumes
    /// only those, so the new rows stay marked).
    public func upsertSignalsInBulk(_ signals: [Signal], source: String) throws(StoreError) -> WriteCount {
        try write("importing signals") { db in
            let sourced = signals.map { SourcedSignal(signal: $0, source: source, metadataJSON: Self.metadataJSON($0.metadata)) }
            let consumers = DirtyConsumer.allCases.map(\.rawValue)
            let marked = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM dirty_bars WHERE symbol = '*' AND consumer IN (\(databaseQuestionMarks(count: consumers.count)))
                """, arguments: StatementArguments(consumers)) ?? 0
            guard marked == consumers.count else { return try Self.upsertSignals(sourced, in: db) }
            let triggers = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'signals' ORDER BY name")
            for t in triggers {
                let name: String = t[0]
                try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)")
            }
            let count = try Self.upsertSignals(sourced, in: db)
            for t in triggers {
                let sql: String = t[1]
                try db.execute(sql: sql)
            }
            try Self.markAllDirty(DirtyConsumer.allCases, db)
            return count
        }
    }
}
