import Foundation
import GRDB
import TradingDomain

/// A signal labeled inside an evaluation window, with the stored score of one model version.
public struct WindowOutcome: Sendable, Equatable {
    public var signalId: String
    public var entryDate: Day
    /// 1 success, 0 failure.
    public var label: Int
    /// The model version's stored probability; nil when it never scored the signal.
    public var probability: Double?
    /// The directional `return_pct` (nil when not stored): the live policy's economics.
    public var returnPct: Double? = nil

    public init(signalId: String, entryDate: Day, label: Int, probability: Double?, returnPct: Double? = nil) {
        self.signalId = signalId
        self.entryDate = entryDate
        self.label = label
        self.probability = probability
        self.returnPct = returnPct
    }
}

extension SignalStore {
    /// Labeled signals whose exit falls in `(after, through]`, in entry order, each with the
    /// stored probability of `version` (nil without a version or a prediction).
    ///
    /// Why a query of its own: the daily evaluation needs only the window's rows, not every
    /// signal and outcome of the store (a million signals would be read for a few hundred).
    public func labeledInWindow(exitAfter after: Day, through end: Day, version: Int?) throws(StoreError) -> [WindowOutcome] {
        try read("reading the evaluation window") { db in
            try Row.fetchAll(db, sql: """
                SELECT s.signal_id, s.entry_date, o.outcome, p.probability, o.return_pct
                FROM outcomes o
                JOIN signals s ON s.signal_id = o.signal_id
                LEFT JOIN predictions p ON p.signal_id = o.signal_id AND p.model_version = ?
                WHERE o.status = 'labeled' AND o.exit_date > ? AND o.exit_date <= ?
                ORDER BY s.entry_date, s.signal_id
                """, arguments: [version ?? -1, after.iso, end.iso]).map { row in
                let entry: String = row[1]
                guard let day = Day(iso: entry) else { throw StoreError(.integrity, "signals has an invalid entry_date '\(entry)'") }
                return WindowOutcome(signalId: row[0], entryDate: day, label: row[2], probability: row[3], returnPct: row[4])
            }
        }
    }
}
