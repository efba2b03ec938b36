import Foundation
import GRDB
import GRDBSQLite
import TradingDomain

/// Outcome labels (README.md, "Outcome labels"): written only when they differ, so a relabel after a bar
/// correction is visible as a change and an unchanged run writes nothing.
extension SignalStore {
    /// Upserts outcomes; returns how many rows were new or changed. `dirty`: the changed inputs
    /// this labeling run caught up on, consumed in the same transaction with its `fingerprint`.
    public func upsertOutcomes(_ outcomes: [Outcome], consuming dirty: DirtyInputs? = nil, fingerprint: String = "") throws(StoreError) -> WriteCount {
        try write("storing outcomes") { db in
            var count = WriteCount()
            let now = Self.timestamp()
            let seq = (try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(change_seq), 0) + 1 FROM outcomes")) ?? 1
            let statement = try db.makeStatement(sql: """
                INSERT INTO outcomes (signal_id, status, outcome, exit_date, exit_price, exit_reason,
                    return_pct, days_held, hit_target, hit_stop, labeled_at, change_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (signal_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,
                    exit_date = excluded.exit_date, exit_price = excluded.exit_price, exit_reason = excluded.exit_reason,
                    return_pct = excluded.return_pct, days_held = excluded.days_held, hit_target = excluded.hit_target,
                    hit_stop = excluded.hit_stop, labeled_at = excluded.labeled_at, change_seq = excluded.change_seq
                WHERE status IS NOT excluded.status OR outcome IS NOT excluded.outcome
                    OR exit_date IS NOT excluded.exit_date OR exit_price IS NOT excluded.exit_price
                    OR exit_reason IS NOT excluded.exit_reason OR return_pct IS NOT excluded.return_pct
                    OR days_held IS NOT excluded.days_held OR hit_target IS NOT excluded.hit_target
                    OR hit_stop IS NOT excluded.hit_stop
                """)
            // Bound through SQLite's C API, as GRDB binds them (NULL for nil, 1/0 for a flag),
            // without its per-row argument arrays.
            let stmt = statement.sqliteStatement
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            func text(_ i: Int32, _ v: String?) {
                if let v { _ = v.withCString { sqlite3_bind_text(stmt, i, $0, -1, transient) } } else { sqlite3_bind_null(stmt, i) }
            }
            func int(_ i: Int32, _ v: Int?) { if let v { sqlite3_bind_int64(stmt, i, Int64(v)) } else { sqlite3_bind_null(stmt, i) } }
            func real(_ i: Int32, _ v: Double?) { if let v { sqlite3_bind_double(stmt, i, v) } else { sqlite3_bind_null(stmt, i) } }
            sqlite3_reset(stmt)
            defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
            text(11, now)
            int(12, seq)
            for o in outcomes {
                sqlite3_reset(stmt)
                text(1, o.signalId); text(2, o.status.rawValue); int(3, o.label); text(4, o.exitDate?.iso); real(5, o.exitPrice)
                text(6, o.exitReason?.rawValue); real(7, o.returnPct); int(8, o.daysHeld); int(9, o.hitTarget ? 1 : 0); int(10, o.hitStop ? 1 : 0)
                let code = sqlite3_step(stmt)
                guard code == SQLITE_DONE else { throw Self.stepError(code, db, statement) }
                if sqlite3_changes(db.sqliteConnection) > 0 { count.written += 1 } else { count.unchanged += 1 }
            }
            if let dirty { try Self.consume(dirty, fingerprint: fingerprint, db) }
            return count
        }
    }

    /// Outcome rows by status, labeled ones split by label: (status, label or nil, count).
    public func outcomeCounts() throws(StoreError) -> [(status: OutcomeStatus, label: Int?, count: Int)] {
        try read("counting outcomes") { db in
            try Row.fetchAll(db, sql: "SELECT status, outcome, COUNT(*) FROM outcomes GROUP BY status, outcome").compactMap { row in
                OutcomeStatus(rawValue: row[0]).map { ($0, row[1], row[2]) }
            }
        }
    }

    /// Per strategy: signals, labeled successes, labeled failures (any other label) and expired
    /// ones; the rest are pending or not labeled yet. Counted in SQL, not read row by row.
    public func strategyCounts() throws(StoreError) -> [(strategy: String, signals: Int, success: Int, failure: Int, expired: Int)] {
        try read("counting outcomes by strategy") { db in
            try Row.fetchAll(db, sql: """
                SELECT s.strategy, COUNT(*),
                    SUM(CASE WHEN o.status = 'labeled' AND o.outcome = 1 THEN 1 ELSE 0 END),
                    SUM(CASE WHEN o.status = 'labeled' AND (o.outcome IS NULL OR o.outcome <> 1) THEN 1 ELSE 0 END),
                    SUM(CASE WHEN o.status = 'expired' THEN 1 ELSE 0 END)
                FROM signals s LEFT JOIN outcomes o ON o.signal_id = s.signal_id GROUP BY s.strategy
                """).map { ($0[0], $0[1], $0[2], $0[3], $0[4]) }
        }
    }

    /// Every stored outcome by signal id.
    public func outcomes() throws(StoreError) -> [String: Outcome] {
        try read("reading outcomes") { db in
            var out: [String: Outcome] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT signal_id, status, outcome, exit_date, exit_price, exit_reason, return_pct, days_held,
                    hit_target, hit_stop FROM outcomes
                """) {
                let o = Outcome(
                    signalId: row[0], status: OutcomeStatus(rawValue: row[1]) ?? .pending, label: row[2],
                    exitDate: (row[3] as String?).flatMap { Day(iso: $0) }, exitPrice: row[4],
                    exitReason: (row[5] as String?).flatMap(ExitReason.init(rawValue:)), returnPct: row[6],
                    daysHeld: row[7], hitTarget: row[8], hitStop: row[9]
                )
                out[o.signalId] = o
            }
            return out
        }
    }

    /// The change sequence of the latest labeling run that changed a labeled outcome (0: none),
    /// to tell later whether anything new was labeled.
    public func lastLabelChange() throws(StoreError) -> Int {
        try read("reading label changes") { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(change_seq), 0) FROM outcomes WHERE status = 'labeled'") ?? 0
        }
    }
}
