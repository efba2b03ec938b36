import Foundation
import GRDB
import TradingDomain

/// One candidate's live probability for one signal, as the scoring step stores it.
public struct CandidateScore: Sendable, Hashable {
    public var signalId: String
    public var candidate: String
    public var probability: Double

    public init(signalId: String, candidate: String, probability: Double) {
        self.signalId = signalId
        self.candidate = candidate
        self.probability = probability
    }
}

/// A signal whose outcome is known, with every live probability stored for it.
public struct EvidenceRow: Sendable, Hashable {
    public var signalId: String
    public var entryDate: Day
    public var exitDate: Day
    /// 1 for success, 0 for failure.
    public var outcome: Int
    public var returnPct: Double?
    /// Candidate name → its live probability (the aggregate's raw mixture under `aggregate`).
    public var probabilities: [String: Double]
}

/// The live evidence of the production aggregate (README.md, "The production aggregate";
/// docs/SCHEMA.md, `candidate_scores`): each candidate's probability for a signal, written once
/// when the signal is first scored, read back with the outcomes known before a day. It owns its
/// table; nothing else writes it.
public struct EvidenceLog: Sendable {
    let store: SignalStore

    /// The name under which the aggregate's own mixture (before calibration) is stored beside
    /// the candidates: the calibration is fitted on it.
    public static let aggregate = "aggregate"
    /// The name under which the mixture mapped by the day's calibration is stored: production's
    /// probability is a second Hedge between it and the mixture, so calibration counts only as
    /// much as its live log loss earns.
    public static let calibrated = "calibrated"
    /// The names stored beside the candidates that are not candidates.
    public static let derived: Set<String> = [aggregate, calibrated]

    public init(store: SignalStore) {
        self.store = store
    }

    /// Stores the scores of `version`'s scoring run. A score already stored for a (signal,
    /// candidate) is kept: the first live score is the one that never saw the outcome.
    @discardableResult
    public func record(_ scores: [CandidateScore], version: Int, at date: Date = Date()) throws(StoreError) -> Int {
        guard !scores.isEmpty else { return 0 }
        return try store.write("storing candidate scores") { db in
            let at = SignalStore.timestamp(date)
            let statement = try db.makeStatement(sql: """
                INSERT INTO candidate_scores (signal_id, candidate, model_version, probability, scored_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (signal_id, candidate) DO NOTHING
                """)
            var n = 0
            for s in scores.sorted(by: { ($0.signalId, $0.candidate) < ($1.signalId, $1.candidate) }) {
                guard s.probability.isFinite, (0...1).contains(s.probability) else {
                    throw StoreError(.integrity, "candidate \(s.candidate) scored \(s.signalId) with \(s.probability), not a probability")
                }
                try statement.execute(arguments: [s.signalId, s.candidate, version, s.probability, at])
                n += db.changesCount
            }
            return n
        }
    }

    /// Every signal labeled success or failure whose exit date is before `day` (its outcome was
    /// known before that day) and that has at least one stored score, ordered by exit date, then
    /// entry date and signal id: the order the aggregate learns in. `nil` reads them all.
    public func outcomes(exitBefore day: Day? = nil) throws(StoreError) -> [EvidenceRow] {
        try store.read("reading the live evidence") { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.signal_id, s.entry_date, o.exit_date, o.outcome, o.return_pct, c.candidate, c.probability
                FROM candidate_scores c
                JOIN outcomes o ON o.signal_id = c.signal_id
                JOIN signals s ON s.signal_id = c.signal_id
                WHERE o.status = 'labeled' AND o.outcome IN (0, 1) AND o.exit_date IS NOT NULL
                  AND (? IS NULL OR o.exit_date < ?)
                ORDER BY o.exit_date, s.entry_date, c.signal_id
                """, arguments: [day?.iso, day?.iso])
            var out: [EvidenceRow] = []
            while let row = try rows.next() {
                let id: String = row[0]
                let candidate: String = row[5]
                let p: Double = row[6]
                if let last = out.last, last.signalId == id {
                    out[out.count - 1].probabilities[candidate] = p
                    continue
                }
                let entryText: String = row[1], exitText: String = row[2]
                guard let entry = Day(iso: entryText), let exit = Day(iso: exitText) else {
                    throw StoreError(.integrity, "signal \(id): entry_date \(entryText) or exit_date \(exitText) is not a date")
                }
                out.append(EvidenceRow(signalId: id, entryDate: entry, exitDate: exit, outcome: row[3], returnPct: row[4],
                                       probabilities: [candidate: p]))
            }
            return out
        }
    }

    /// The stored scores of `signalIds` (signal → candidate → probability), for the signals
    /// already scored once.
    public func scores(of signalIds: [String]) throws(StoreError) -> [String: [String: Double]] {
        guard !signalIds.isEmpty else { return [:] }
        return try store.read("reading candidate scores") { db in
            var out: [String: [String: Double]] = [:]
            let statement = try db.makeStatement(sql: "SELECT candidate, probability FROM candidate_scores WHERE signal_id = ?")
            for id in signalIds {
                let rows = try Row.fetchCursor(statement, arguments: [id])
                while let row = try rows.next() { out[id, default: [:]][row[0]] = row[1] }
            }
            return out
        }
    }

    /// The success rate of the signals labeled success or failure with an exit date in
    /// [from, before): the constant base-rate candidate's prediction. Nil with none.
    public func successRate(exitFrom from: Day, before: Day) throws(StoreError) -> Double? {
        let c = try store.successCount(exitFrom: from, before: before)
        return c.n == 0 ? nil : Double(c.successes) / Double(c.n)
    }

    /// Production's first live probability of each signal (`predictions`, the earliest row):
    /// what the trading system was told, paired with the candidates' evidence.
    public func firstPredictions() throws(StoreError) -> [String: Double] {
        try store.read("reading production's live predictions") { db in
            var out: [String: Double] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT signal_id, probability, MIN(id) FROM predictions GROUP BY signal_id")
            while let row = try rows.next() { out[row[0]] = row[1] }
            return out
        }
    }

    /// How many scores are stored (for status and tests).
    public func count() throws(StoreError) -> Int {
        try store.read("counting candidate scores") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM candidate_scores") ?? 0 }
    }
}

/// How many of `n` labeled outcomes were successes.
public struct SuccessCount: Sendable, Hashable {
    public var successes: Int
    public var n: Int
}

extension SignalStore {
    /// Successes and signals labeled success or failure with an exit date in [from, before).
    public func successCount(exitFrom from: Day, before: Day) throws(StoreError) -> SuccessCount {
        try read("reading the recent success rate") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COALESCE(SUM(outcome), 0) FROM outcomes
                WHERE status = 'labeled' AND outcome IN (0, 1) AND exit_date >= ? AND exit_date < ?
                """, arguments: [from.iso, before.iso])
            return SuccessCount(successes: row?[1] ?? 0, n: row?[0] ?? 0)
        }
    }
}
