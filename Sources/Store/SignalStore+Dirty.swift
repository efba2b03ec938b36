import Foundation
import GRDB
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
    var barRows: [(symbol: String, fromDate: String, version: Int)] = []
    var signalRows: [(id: String, version: Int)] = []

    public var isEmpty: Bool { !all && barRows.isEmpty && signalRows.isEmpty }
}

extension SignalStore {
    /// Marks every signal dirty for every consumer (`label --full`).
    public func markAllDirty() throws(StoreError) {
        try write("marking every signal for recomputation") { db in try Self.markAllDirty(DirtyConsumer.allCases, db) }
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
            INSERT INTO dirty_bars (consumer, symbol, from_date) VALUES (?, ?, ?)
            ON CONFLICT (consumer, symbol) DO UPDATE SET from_date = MIN(from_date, excluded.from_date), version = version + 1
            """, arguments: [consumer.rawValue, symbol, from])
    }

    /// What changed for `consumer`, and the signals a change reaches, on one snapshot.
    /// - Parameters:
    ///   - fingerprint: the consumer's settings (configuration, schema); when it differs from the
    ///     one stored at the last catch-up, every signal is recomputed.
    ///   - barReach: the SQL condition on `s` (a signals row) under which the changed bars reach a
    ///     signal; it may use `d`, a `dirty_bars` row of this consumer, inside an `EXISTS`.
    func dirtySignals(
        _ consumer: DirtyConsumer, fingerprint: String, barReach: (DirtyInputs) -> String
    ) throws(StoreError) -> (DirtyInputs, [Signal]) {
        try read("reading changed inputs") { db in
            var dirty = DirtyInputs(consumer: consumer)
            for row in try Row.fetchAll(db, sql: "SELECT symbol, from_date, version FROM dirty_bars WHERE consumer = ?", arguments: [consumer.rawValue]) {
                let symbol: String = row[0], from: String = row[1]
                dirty.barRows.append((symbol, from, row[2]))
                if symbol == "*" { dirty.all = true } else if let day = Day(iso: from) { dirty.barsFrom[symbol] = day }
            }
            dirty.signalRows = try Row.fetchAll(db, sql: "SELECT signal_id, version FROM dirty_signals WHERE consumer = ?", arguments: [consumer.rawValue]).map { ($0[0], $0[1]) }
            dirty.signalCount = dirty.signalRows.count
            let stored = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [Self.fingerprintKey(consumer)])
            if stored != fingerprint { dirty.all = true }
            if dirty.all { return (dirty, try Self.signals(db)) }
            if dirty.isEmpty { return (dirty, []) }
            var conditions = ["s.signal_id IN (SELECT signal_id FROM dirty_signals WHERE consumer = :consumer)"]
            if !dirty.barRows.isEmpty {
                conditions.append("(\(barReach(dirty)))")
            }
            let signals = try Self.signals(db, where: conditions.joined(separator: " OR "), arguments: ["consumer": consumer.rawValue])
            return (dirty, signals)
        }
    }

    static func fingerprintKey(_ consumer: DirtyConsumer) -> String { "\(consumer.rawValue)_fingerprint" }

    /// Deletes the dirty rows `dirty` read, unless they changed since (a concurrent import keeps
    /// its marks), and stores the fingerprint the run used.
    static func consume(_ dirty: DirtyInputs, fingerprint: String, _ db: Database) throws {
        let c = dirty.consumer.rawValue
        let bars = try db.makeStatement(sql: "DELETE FROM dirty_bars WHERE consumer = ? AND symbol = ? AND version = ?")
        for r in dirty.barRows { try bars.execute(arguments: [c, r.symbol, r.version]) }
        let signals = try db.makeStatement(sql: "DELETE FROM dirty_signals WHERE consumer = ? AND signal_id = ? AND version = ?")
        for r in dirty.signalRows { try signals.execute(arguments: [c, r.id, r.version]) }
        try db.execute(
            sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [fingerprintKey(dirty.consumer), fingerprint]
        )
    }

    /// The labeling rule of SPEC §3 as a reach: a changed bar of the signal's symbol dated within
    /// or before its window (entry .. entry + horizon), any changed bar of its symbol while it is
    /// pending or expired, and any changed index bar while it is pending or expired (expiry).
    public func signalsToRelabel(horizonDays: Int, indexSymbol: String, fingerprint: String) throws(StoreError) -> (DirtyInputs, [Signal]) {
        let unsettled = "EXISTS (SELECT 1 FROM outcomes o WHERE o.signal_id = s.signal_id AND o.status IN ('pending', 'expired'))"
        return try dirtySignals(.labels, fingerprint: fingerprint) { dirty in
            let symbolReach = """
                EXISTS (SELECT 1 FROM dirty_bars d WHERE d.consumer = :consumer AND d.symbol = s.symbol
                    AND (s.entry_date >= date(d.from_date, '-\(max(0, horizonDays)) days') OR \(unsettled)))
                """
            return dirty.barsFrom[indexSymbol] == nil ? symbolReach : "\(symbolReach) OR (\(unsettled))"
        }
    }

    /// The point-in-time rule of SPEC §4 as a reach: features use bars up to the last trading day
    /// before entry, of the symbol, the index and the sector, so a bar changed on day D reaches
    /// exactly the signals entering after D, whatever their symbol.
    public func signalsToRecompute(fingerprint: String) throws(StoreError) -> (DirtyInputs, [Signal]) {
        try dirtySignals(.features, fingerprint: fingerprint) { dirty in
            // Day.iso of a parsed date: a plain literal, and the entry_date index applies.
            dirty.barsFrom.values.min().map { "s.entry_date > '\($0.iso)'" } ?? "0"
        }
    }

    /// Signals ordered by entry date then id, optionally filtered by a condition on `s`.
    static func signals(_ db: Database, where condition: String? = nil, arguments: StatementArguments = StatementArguments()) throws -> [Signal] {
        try Row.fetchAll(db, sql: """
            SELECT signal_id, symbol, strategy, signal_type, entry_date, entry_price, target_price,
                stop_loss, confidence, created_at, metadata FROM signals s
            \(condition.map { "WHERE \($0)" } ?? "") ORDER BY entry_date, signal_id
            """, arguments: arguments).map { row in
            let entry: String = row[4]
            guard let day = Day(iso: entry) else { throw StoreError(.integrity, "signals has an invalid entry_date '\(entry)'") }
            let metaText: String = row[10]
            let meta = (try? JSONSerialization.jsonObject(with: Data(metaText.utf8)) as? [String: Any]) ?? [:]
            return Signal(
                id: row[0], symbol: row[1], strategy: row[2],
                type: SignalType(rawValue: row[3]) ?? .buy, entryDate: day, entryPrice: row[5],
                targetPrice: row[6], stopLoss: row[7], confidence: row[8], createdAt: row[9],
                metadata: meta.mapValues { "\($0)" }
            )
        }
    }
}
