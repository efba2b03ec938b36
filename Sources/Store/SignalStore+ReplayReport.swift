import Foundation
import GRDB
import TradingDomain

/// A stored prediction with its signal's columns and its outcome, as `improvementd replay`'s
/// report reads them (a signal's earliest prediction).
public struct ScoredSignalRow: Sendable, Equatable {
    public var signalId: String
    public var symbol: String
    public var strategy: String
    /// `BUY` or `SELL`.
    public var signalType: String
    public var entryDate: Day
    /// `signals.created_at` as stored.
    public var createdAt: String
    public var modelVersion: Int
    public var probability: Double
    public var blendedProbability: Double?
    /// `predictions.scored_at` as stored (an ISO time stamp).
    public var scoredAt: String
    /// `labeled`, `pending`, `expired`, or nil without an outcome row.
    public var outcomeStatus: String?
    /// 1 success, 0 failure; nil unless labeled.
    public var outcome: Int?
    public var exitDate: Day?
    public var returnPct: Double?
    /// `predictions.take` (nil for a row scored before the take policy existed).
    public var take: Bool? = nil
}

/// A `decisions` row as stored (docs/SCHEMA.md).
public struct DecisionRecord: Sendable, Equatable {
    public var id: Int
    public var decidedAt: String
    public var job: String
    /// The JSON of the check's `TriggerReport` (Policy module).
    public var triggers: String
    public var action: String
    public var reason: String?
    public var result: String?
    public var modelVersion: Int?
}

/// Reads for the replay report: each signal's earliest prediction with its signal and outcome,
/// every decision.
extension SignalStore {
    /// The earliest stored prediction of each scored signal (smallest `scored_at`, ties by the
    /// lower model version) joined with its signal and (when there is one) its outcome, ordered
    /// by signal id: one row per signal however many versions scored it, each signal's rows
    /// found through the unique (signal_id, model_version) index.
    public func earliestPredictions() throws(StoreError) -> [ScoredSignalRow] {
        try read("reading the earliest prediction of each signal") { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT s.signal_id, s.symbol, s.strategy, s.signal_type, s.entry_date, s.created_at,
                    p.model_version, p.probability, p.blended_probability, p.scored_at,
                    o.status, o.outcome, o.exit_date, o.return_pct, p.take
                FROM signals s
                JOIN predictions p ON p.id = (
                    SELECT q.id FROM predictions q WHERE q.signal_id = s.signal_id
                    ORDER BY q.scored_at, q.model_version LIMIT 1)
                LEFT JOIN outcomes o ON o.signal_id = s.signal_id
                ORDER BY s.signal_id
                """)
            var out: [ScoredSignalRow] = []
            while let row = try cursor.next() {
                let entryText: String = row[4]
                guard let entry = Day(iso: entryText) else {
                    throw StoreError(.integrity, "signal \(row[0] as String) has an invalid entry_date '\(entryText)'")
                }
                let status: String? = row[10]
                let labeled = status == OutcomeStatus.labeled.rawValue
                out.append(ScoredSignalRow(
                    signalId: row[0], symbol: row[1], strategy: row[2], signalType: row[3], entryDate: entry,
                    createdAt: row[5], modelVersion: row[6], probability: row[7], blendedProbability: row[8],
                    scoredAt: row[9], outcomeStatus: status, outcome: labeled ? row[11] : nil,
                    exitDate: (row[12] as String?).flatMap { Day(iso: $0) }, returnPct: labeled ? row[13] : nil,
                    take: (row[14] as Int?).map { $0 == 1 }
                ))
            }
            return out
        }
    }

    /// Every decision, in the order they were made (by id).
    public func decisionRecords() throws(StoreError) -> [DecisionRecord] {
        try read("reading decisions") { db in
            try Row.fetchAll(db, sql: """
                SELECT id, decided_at, job, triggers, action, reason, result, model_version FROM decisions ORDER BY id
                """).map {
                DecisionRecord(id: $0[0], decidedAt: $0[1], job: $0[2], triggers: $0[3], action: $0[4],
                               reason: $0[5], result: $0[6], modelVersion: $0[7])
            }
        }
    }
}
