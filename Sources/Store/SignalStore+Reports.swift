import Foundation
import GRDB
import ModelMetrics

/// A version's holdout rows as its training run scored them (table `holdout_scores`): the
/// labels, the registered model's probabilities first, then any other candidate of the run,
/// and production's on the very same rows when there was a production model that could score
/// them. Stored as JSON under these names.
public struct HoldoutScores: Codable, Sendable, Equatable {
    /// One model's probabilities, aligned with `labels`.
    public struct Scored: Codable, Sendable, Equatable {
        /// `gb`, `lr`, … (the algorithm), or `production`.
        public var name: String
        /// The model version, when it is a registered one.
        public var version: Int?
        public var probabilities: [Double]

        public init(name: String, version: Int?, probabilities: [Double]) {
            self.name = name
            self.version = version
            self.probabilities = probabilities
        }
    }

    /// 1 success, 0 failure, in holdout (time) order.
    public var labels: [Int]
    /// The registered version's model first.
    public var models: [Scored]
    public var production: Scored?

    public init(labels: [Int], models: [Scored], production: Scored?) {
        self.labels = labels
        self.models = models
        self.production = production
    }

    public func json() throws -> String {
        String(decoding: try JSONEncoder.sortedKeys().encode(self), as: UTF8.self)
    }
}

/// A stored evaluation (an `evaluations` row, docs/SCHEMA.md).
public struct EvaluationRecord: Sendable, Equatable {
    public var id: Int
    public var evaluatedAt: String
    public var modelVersion: Int?
    public var windowStart: String
    public var windowEnd: String
    public var n: Int
    public var accuracy: Double?
    public var auc: Double?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var combinedScore: Double?
    public var successRate: Double?
    /// JSON text.
    public var details: String
}

/// What the reports, `status` and the metrics textfile read.
extension SignalStore {
    /// The holdout scores stored with `version`; nil for a version trained before they were kept.
    public func holdoutScores(_ version: Int) throws(StoreError) -> HoldoutScores? {
        let text = try read("reading the holdout scores of model version \(version)") { db in
            try String.fetchOne(db, sql: "SELECT scores FROM holdout_scores WHERE version = ?", arguments: [version])
        }
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(HoldoutScores.self, from: Data(text.utf8))
        } catch {
            throw StoreError(.integrity, "the holdout scores of model version \(version) are unreadable: \(error)")
        }
    }

    /// Every evaluation, oldest first (or only the `last` most recent ones, still oldest first).
    public func evaluationRecords(last: Int? = nil) throws(StoreError) -> [EvaluationRecord] {
        try read("reading evaluations") { db in
            let limit = last.map { "LIMIT \(max(0, $0))" } ?? ""
            return try Row.fetchAll(db, sql: """
                SELECT * FROM (SELECT id, evaluated_at, model_version, window_start, window_end, n, accuracy, auc, precision, recall,
                    f1, combined_score, success_rate, details FROM evaluations ORDER BY id DESC \(limit)) ORDER BY id
                """).map {
                EvaluationRecord(id: $0[0], evaluatedAt: $0[1], modelVersion: $0[2], windowStart: $0[3], windowEnd: $0[4], n: $0[5],
                                 accuracy: $0[6], auc: $0[7], precision: $0[8], recall: $0[9], f1: $0[10], combinedScore: $0[11],
                                 successRate: $0[12], details: $0[13])
            }
        }
    }

    /// Job runs by job and status: (job, status, count).
    public func jobRunCounts() throws(StoreError) -> [(job: String, status: String, count: Int)] {
        try read("counting job runs") { db in
            try Row.fetchAll(db, sql: "SELECT job, status, COUNT(*) FROM job_runs GROUP BY job, status ORDER BY job, status").map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The latest finished run of each job: (job, period, started, finished, status, detail).
    public func lastFinishedJobRuns() throws(StoreError) -> [(job: String, period: String, startedAt: String, finishedAt: String, status: String, detail: String?)] {
        try read("reading the last job runs") { db in
            try Row.fetchAll(db, sql: """
                SELECT job, period, started_at, finished_at, status, detail FROM job_runs j
                WHERE finished_at IS NOT NULL AND finished_at = (SELECT MAX(finished_at) FROM job_runs k WHERE k.job = j.job AND k.finished_at IS NOT NULL)
                GROUP BY job ORDER BY job
                """).map { ($0[0], $0[1], $0[2], $0[3], $0[4], $0[5]) }
        }
    }

    /// Signals with a prediction, and predictions in all.
    public func predictionCounts() throws(StoreError) -> (signals: Int, predictions: Int) {
        try read("counting predictions") { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(DISTINCT signal_id), COUNT(*) FROM predictions")
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Pending outcomes, and signals without an outcome row yet.
    public func unlabeledCounts() throws(StoreError) -> (pending: Int, withoutOutcome: Int) {
        try read("counting unlabeled signals") { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outcomes WHERE status = 'pending'") ?? 0
            let without = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signals s WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.signal_id = s.signal_id)") ?? 0
            return (pending, without)
        }
    }

    /// Unlabeled signals (pending, or without an outcome) that `version` has not scored; all
    /// of them when there is no version.
    public func unscoredCount(version: Int?) throws(StoreError) -> Int {
        try read("counting unscored signals") { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM signals s
                WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.signal_id = s.signal_id AND o.status <> 'pending')
                  AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.signal_id = s.signal_id AND p.model_version = ?)
                """, arguments: [version ?? -1]) ?? 0
        }
    }

    /// Decisions by action: (action, count).
    public func decisionCounts() throws(StoreError) -> [(action: String, count: Int)] {
        try read("counting decisions") { db in
            try Row.fetchAll(db, sql: "SELECT action, COUNT(*) FROM decisions GROUP BY action ORDER BY action").map { ($0[0], $0[1]) }
        }
    }
}
