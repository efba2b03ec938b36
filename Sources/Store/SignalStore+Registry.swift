import Crypto
import Foundation
import GRDB
import GRDBSQLite

/// A registered model version (a `model_versions` row, docs/SCHEMA.md) without its artifact bytes.
public struct ModelVersionRecord: Codable, Sendable, Equatable {
    public var version: Int
    public var algorithm: String
    /// JSON text.
    public var hyperparameters: String
    public var featureSchemaHash: String
    public var dataStart: String?
    public var dataEnd: String?
    public var nTrain: Int
    public var nHoldout: Int
    public var seed: Int
    /// JSON text.
    public var libraryVersions: String
    /// JSON text.
    public var cvMetrics: String
    /// JSON text.
    public var holdoutMetrics: String
    public var artifactSHA256: String
    /// candidate, production, rejected or retired.
    public var status: String
    public var decisionReason: String?
    public var reportPath: String?
    public var createdAt: String
    /// The take threshold and the JSON of the version's take policy with its holdout economics
    /// (migration v7-take-policy; nil for versions registered before it).
    public var takeThreshold: Double? = nil
    public var takePolicy: String? = nil
}

/// What a training run hands the registry.
public struct NewModelVersion: Sendable {
    public var algorithm: String
    public var hyperparameters: String
    public var featureSchemaHash: String
    public var dataStart: String?
    public var dataEnd: String?
    public var nTrain: Int
    public var nHoldout: Int
    public var seed: Int
    public var libraryVersions: String
    public var cvMetrics: String
    public var holdoutMetrics: String
    public var artifact: [UInt8]
    public var reportPath: String?
    /// JSON text of the feature importance, or nil.
    public var importance: String?
    /// The holdout labels and probabilities (table `holdout_scores`), or nil.
    public var holdoutScores: HoldoutScores?
    /// The take threshold and the JSON of the take policy (nil: none).
    public var takeThreshold: Double? = nil
    public var takePolicy: String? = nil

    public init(
        algorithm: String, hyperparameters: String, featureSchemaHash: String, dataStart: String?, dataEnd: String?,
        nTrain: Int, nHoldout: Int, seed: Int, libraryVersions: String, cvMetrics: String, holdoutMetrics: String,
        artifact: [UInt8], reportPath: String? = nil, importance: String? = nil, holdoutScores: HoldoutScores? = nil,
        takeThreshold: Double? = nil, takePolicy: String? = nil
    ) {
        self.importance = importance
        self.holdoutScores = holdoutScores
        self.takeThreshold = takeThreshold
        self.takePolicy = takePolicy
        self.algorithm = algorithm
        self.hyperparameters = hyperparameters
        self.featureSchemaHash = featureSchemaHash
        self.dataStart = dataStart
        self.dataEnd = dataEnd
        self.nTrain = nTrain
        self.nHoldout = nHoldout
        self.seed = seed
        self.libraryVersions = libraryVersions
        self.cvMetrics = cvMetrics
        self.holdoutMetrics = holdoutMetrics
        self.artifact = artifact
        self.reportPath = reportPath
    }
}

/// One period of a version being production.
public struct PromotionRecord: Codable, Sendable, Equatable {
    public var version: Int
    public var promotedAt: String
    public var demotedAt: String?
    public var reason: String
}

/// What a training run decided about the version it registers, with the reason recorded.
public enum ModelDecision: Sendable, Equatable {
    /// The version becomes production; the current production is retired.
    case promote(reason: String)
    /// The version is kept as a rejected candidate; production is unchanged.
    case reject(reason: String)
}

/// The model registry: every trained version, its artifact and SHA-256, and promotion history.
/// Registration with its decision, promotion and rollback are each one transaction, so a version
/// is never half-registered and production is never half-set; a partial unique index
/// (`model_versions_one_production`, docs/SCHEMA.md) makes two production versions impossible.
extension SignalStore {
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores a new version as a candidate, without a decision; returns its version number.
    /// A training run registers through `registerTrainedModel` instead.
    public func registerModel(_ m: NewModelVersion) throws(StoreError) -> Int {
        try write("registering a model version") { db in try Self.insertVersion(m, db) }
    }

    /// Registers a trained version with its decision and the training run's `settings`, all in
    /// one transaction: afterwards the version is either absent or present with its decision
    /// (production, the previous production retired and its promotion period closed; or rejected
    /// with the reason) and the settings written. Returns the version number. `at`: the version's
    /// `created_at` and the promotion's time (a job's clock, so a replay dates them on its day).
    public func registerTrainedModel(_ m: NewModelVersion, decision: ModelDecision, settings: [String: String], at: Date = Date()) throws(StoreError) -> Int {
        try write("registering a trained model version") { db in
            let version = try Self.insertVersion(m, at: at, db)
            CrashPoint.reach("train.register.after-insert")
            switch decision {
            case .promote(let reason): try Self.makeProduction(version, reason: reason, at: at, db)
            case .reject(let reason):
                try db.execute(sql: "UPDATE model_versions SET status = 'rejected', decision_reason = ? WHERE version = ?", arguments: [reason, version])
            }
            try Self.upsertSettings(settings, db)
            CrashPoint.reach("train.register.before-commit")
            return version
        }
    }

    static func insertVersion(_ m: NewModelVersion, at: Date = Date(), _ db: Database) throws -> Int {
        try db.execute(sql: """
            INSERT INTO model_versions (algorithm, hyperparameters, feature_schema_hash, data_start, data_end,
                n_train, n_holdout, seed, library_versions, cv_metrics, holdout_metrics, artifact, artifact_sha256,
                status, report_path, created_at, importance, take_threshold, take_policy)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'candidate', ?, ?, ?, ?, ?)
            """, arguments: [
                m.algorithm, m.hyperparameters, m.featureSchemaHash, m.dataStart, m.dataEnd, m.nTrain, m.nHoldout,
                m.seed, m.libraryVersions, m.cvMetrics, m.holdoutMetrics, Data(m.artifact), Self.sha256(m.artifact),
                m.reportPath, Self.timestamp(at), m.importance, m.takeThreshold, m.takePolicy,
            ])
        let version = Int(db.lastInsertedRowID)
        if let scores = m.holdoutScores {
            try db.execute(sql: "INSERT INTO holdout_scores (version, scores) VALUES (?, ?)", arguments: [version, try scores.json()])
        }
        return version
    }

    /// Inside a write: makes `version` production, retiring the current one and closing its
    /// promotion period, and opens a new period with `reason`. The retirement comes first, so the
    /// one-production index never sees two.
    static func makeProduction(_ version: Int, reason: String, at: Date = Date(), _ db: Database) throws {
        let now = Self.timestamp(at)
        try db.execute(sql: "UPDATE promotions SET demoted_at = ? WHERE demoted_at IS NULL", arguments: [now])
        try db.execute(sql: "UPDATE model_versions SET status = 'retired' WHERE status = 'production' AND version != ?", arguments: [version])
        try db.execute(sql: "UPDATE model_versions SET status = 'production', decision_reason = ? WHERE version = ?", arguments: [reason, version])
        try db.execute(sql: "INSERT INTO promotions (version, promoted_at, reason) VALUES (?, ?, ?)", arguments: [version, now, reason])
    }

    static let versionColumns = """
        version, algorithm, hyperparameters, feature_schema_hash, data_start, data_end, n_train, n_holdout, seed,
        library_versions, cv_metrics, holdout_metrics, artifact_sha256, status, decision_reason, report_path, created_at,
        take_threshold, take_policy
        """

    static func record(_ row: Row) -> ModelVersionRecord {
        ModelVersionRecord(
            version: row[0], algorithm: row[1], hyperparameters: row[2], featureSchemaHash: row[3], dataStart: row[4],
            dataEnd: row[5], nTrain: row[6], nHoldout: row[7], seed: row[8], libraryVersions: row[9], cvMetrics: row[10],
            holdoutMetrics: row[11], artifactSHA256: row[12], status: row[13], decisionReason: row[14], reportPath: row[15],
            createdAt: row[16], takeThreshold: row[17], takePolicy: row[18]
        )
    }

    /// The stored feature importance JSON of `version`.
    public func importance(_ version: Int) throws(StoreError) -> String? {
        try read("reading importance") { try String.fetchOne($0, sql: "SELECT importance FROM model_versions WHERE version = ?", arguments: [version]) }
    }

    public func setReportPath(_ version: Int, _ path: String) throws(StoreError) {
        try write("recording the report path") { try $0.execute(sql: "UPDATE model_versions SET report_path = ? WHERE version = ?", arguments: [path, version]) }
    }

    public func modelVersions() throws(StoreError) -> [ModelVersionRecord] {
        try read("listing model versions") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.versionColumns) FROM model_versions ORDER BY version").map(Self.record)
        }
    }

    public func modelVersion(_ version: Int) throws(StoreError) -> ModelVersionRecord {
        let found = try read("reading model version \(version)") { db in try Self.modelVersion(version, db) }
        guard let found else { throw StoreError(.notFound, "there is no model version \(version)") }
        return found
    }

    static func modelVersion(_ version: Int, _ db: Database) throws -> ModelVersionRecord? {
        try Row.fetchOne(db, sql: "SELECT \(Self.versionColumns) FROM model_versions WHERE version = ?", arguments: [version]).map(Self.record)
    }

    /// The production version, or nil. Two production rows cannot exist (the unique index
    /// forbids them); should a store somehow hold two, this fails rather than pick one.
    public func productionModel() throws(StoreError) -> ModelVersionRecord? {
        try read("reading the production model") { db in try Self.productionModel(db) }
    }

    static func productionModel(_ db: Database) throws -> ModelVersionRecord? {
        let rows = try Row.fetchAll(db, sql: "SELECT \(Self.versionColumns) FROM model_versions WHERE status = 'production' ORDER BY version").map(Self.record)
        guard rows.count <= 1 else {
            throw StoreError(.integrity, "the store holds \(rows.count) production model versions (\(rows.map { "v\($0.version)" }.joined(separator: ", "))); there must be at most one")
        }
        return rows.first
    }

    /// The artifact bytes of `version`, refused when they do not match the stored SHA-256.
    public func artifact(_ version: Int) throws(StoreError) -> [UInt8] {
        try read("reading the artifact of model version \(version)") { db in try Self.artifact(version, db) }
    }

    static func artifact(_ version: Int, _ db: Database) throws -> [UInt8] {
        guard let row = try Row.fetchOne(db, sql: "SELECT artifact, artifact_sha256 FROM model_versions WHERE version = ?", arguments: [version]) else {
            throw StoreError(.notFound, "there is no model version \(version)")
        }
        let bytes = [UInt8](row[0] as Data)
        let expected: String = row[1]
        let actual = Self.sha256(bytes)
        guard actual == expected else {
            throw StoreError(.integrity, "the artifact of model version \(version) fails its checksum (stored sha256 \(expected.prefix(12))…, bytes hash to \(actual.prefix(12))…); refusing to load it")
        }
        return bytes
    }

    /// Makes `version` production, retiring the current one, and records why: one transaction,
    /// which checks inside it that the version exists.
    public func promote(_ version: Int, reason: String) throws(StoreError) {
        try write("promoting model version \(version)") { db in
            guard try Self.modelVersion(version, db) != nil else { throw StoreError(.notFound, "there is no model version \(version)") }
            try Self.makeProduction(version, reason: reason, db)
        }
    }

    public func promotionHistory() throws(StoreError) -> [PromotionRecord] {
        try read("reading promotion history") { db in try Self.promotionHistory(db) }
    }

    static func promotionHistory(_ db: Database) throws -> [PromotionRecord] {
        try Row.fetchAll(db, sql: "SELECT version, promoted_at, demoted_at, reason FROM promotions ORDER BY id").map {
            PromotionRecord(version: $0[0], promotedAt: $0[1], demotedAt: $0[2], reason: $0[3])
        }
    }

    /// Restores the version that was production before the current one, in one transaction that
    /// reads the current production, the history and the previous artifact's checksum. Returns
    /// (from, to).
    public func rollback() throws(StoreError) -> (from: Int, to: Int) {
        try write("rolling back the production model") { db in
            guard let current = try Self.productionModel(db) else { throw StoreError(.notFound, "there is no production model to roll back") }
            guard let previous = try Self.promotionHistory(db).reversed().first(where: { $0.version != current.version }) else {
                throw StoreError(.notFound, "model version \(current.version) is the only version ever in production; nothing to roll back to")
            }
            _ = try Self.artifact(previous.version, db) // never restore an artifact that fails its checksum
            try Self.makeProduction(previous.version, reason: "rollback from v\(current.version)", db)
            return (current.version, previous.version)
        }
    }
}

/// The unlabeled signals a model has not scored yet, with their feature rows.
public struct UnscoredSignals: Sendable {
    public var signalIds: [String] = []
    /// Row-major feature values, `width` per signal that has a feature row.
    public var values: [Double] = []
    public var width = 0
    /// Unscored signals without a feature row of the schema.
    public var missingFeatures = 0
    /// Unlabeled signals in all, scored or not.
    public var unlabeled = 0
}

/// Predictions, evaluations, decisions and job runs.
extension SignalStore {
    /// Stores probabilities of `version`; a signal already scored by it keeps its first score.
    /// `decisions`, aligned with `rows`: the take policy's decision for each (NULL columns without).
    public func insertPredictions(
        _ rows: [(signalId: String, probability: Double)], version: Int, scoredAt: Date = Date(), blended: [Double]? = nil,
        decisions: [PredictionDecision]? = nil
    ) throws(StoreError) -> Int {
        try write("storing predictions") { db in
            let at = Self.timestamp(scoredAt)
            let statement = try db.makeStatement(sql: """
                INSERT INTO predictions (signal_id, model_version, probability, scored_at, blended_probability, take, threshold, size)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (signal_id, model_version) DO NOTHING
                """)
            // A million rows: values are bound through SQLite's C API (GRDB's per-row argument
            // arrays were a third of `predict`), in key order so the b-tree inserts touch each
            // index page once, not at random.
            let stmt = statement.sqliteStatement
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            var n = 0
            for i in rows.indices.sorted(by: { rows[$0].signalId < rows[$1].signalId }) {
                sqlite3_reset(stmt)
                _ = rows[i].signalId.withCString { sqlite3_bind_text(stmt, 1, $0, -1, transient) }
                sqlite3_bind_int64(stmt, 2, Int64(version))
                sqlite3_bind_double(stmt, 3, rows[i].probability)
                _ = at.withCString { sqlite3_bind_text(stmt, 4, $0, -1, transient) }
                if let b = blended?[i] { sqlite3_bind_double(stmt, 5, b) } else { sqlite3_bind_null(stmt, 5) }
                if let d = decisions?[i] {
                    sqlite3_bind_int64(stmt, 6, d.take ? 1 : 0)
                    sqlite3_bind_double(stmt, 7, d.threshold)
                    if let size = d.size { sqlite3_bind_double(stmt, 8, size) } else { sqlite3_bind_null(stmt, 8) }
                } else {
                    sqlite3_bind_null(stmt, 6); sqlite3_bind_null(stmt, 7); sqlite3_bind_null(stmt, 8)
                }
                let code = sqlite3_step(stmt)
                guard code == SQLITE_DONE else {
                    throw StoreError(.write, "storing the prediction of \(rows[i].signalId) failed: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
                }
                n += Int(sqlite3_changes(db.sqliteConnection))
            }
            sqlite3_reset(stmt)
            return n
        }
    }

    /// Signals not labeled yet (pending, or without an outcome) that have no prediction from
    /// `version`, with their feature rows of `schemaHash` in one row-major buffer; and how many
    /// unlabeled signals there are in all. One pass over the store, in its order (each row is
    /// scored on its own, so the order does not matter; sorting 100k feature blobs did).
    public func unscoredSignals(version: Int, schemaHash: String) throws(StoreError) -> UnscoredSignals {
        try read("reading unscored signals") { db in
            // A signal has no outcome only until the next labeling run, and until then it carries
            // a labels mark (set by the insert trigger): looking among the marks, not every
            // signal, saves a scan of the whole table. A store migrated to v5 before its first
            // labeling run has only the every-signal mark, so then every signal is looked at.
            let unmarked = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM dirty_bars WHERE consumer = 'labels' AND symbol = '*')") ?? true
            let withoutOutcome = unmarked
                ? "SELECT s.signal_id FROM signals s WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.signal_id = s.signal_id)"
                : """
                  SELECT d.signal_id FROM dirty_signals d WHERE d.consumer = 'labels'
                      AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.signal_id = d.signal_id)
                      AND EXISTS (SELECT 1 FROM signals s WHERE s.signal_id = d.signal_id)
                  """
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT u.signal_id, f.vector,
                    EXISTS (SELECT 1 FROM predictions p WHERE p.signal_id = u.signal_id AND p.model_version = ?)
                FROM (
                    SELECT o.signal_id FROM outcomes o WHERE o.status = 'pending'
                    UNION ALL
                    \(withoutOutcome)
                ) u
                LEFT JOIN features f ON f.signal_id = u.signal_id AND f.schema_hash = ?
                """, arguments: [version, schemaHash])
            var out = UnscoredSignals()
            while let row = try cursor.next() {
                out.unlabeled += 1
                if row[2] as Bool { continue }
                out.signalIds.append(row[0])
                guard let blob = row.dataNoCopy(atIndex: 1) else { out.missingFeatures += 1; continue }
                let width = blob.count / 8
                if out.width == 0 { out.width = width }
                guard width == out.width else { throw StoreError(.integrity, "feature rows of schema \(schemaHash) differ in width") }
                Self.decode(blob, into: &out.values)
            }
            return out
        }
    }

    /// The latest prediction per signal: (signal id, version, probability, scored at).
    public func latestPredictions() throws(StoreError) -> [(signalId: String, version: Int, probability: Double, scoredAt: String)] {
        try read("reading predictions") { db in
            try Row.fetchAll(db, sql: """
                SELECT signal_id, model_version, probability, scored_at FROM predictions p
                WHERE id = (SELECT id FROM predictions q WHERE q.signal_id = p.signal_id ORDER BY scored_at DESC, id DESC LIMIT 1)
                ORDER BY signal_id
                """).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }

    /// The latest score per signal as the trading system reads it: the `signal_scores` view
    /// (docs/SCHEMA.md), ordered by signal id.
    public func signalScores() throws(StoreError) -> [SignalScore] {
        try read("reading signal scores") { db in
            try Row.fetchAll(db, sql: """
                SELECT signal_id, model_version, probability, blended_probability, take, threshold, size, scored_at
                FROM signal_scores ORDER BY signal_id
                """).map {
                SignalScore(signalId: $0[0], modelVersion: $0[1], probability: $0[2], blendedProbability: $0[3],
                            take: ($0[4] as Int?).map { $0 == 1 }, threshold: $0[5], size: $0[6], scoredAt: $0[7])
            }
        }
    }

    public func insertEvaluation(
        modelVersion: Int?, windowStart: String, windowEnd: String, n: Int, accuracy: Double?, auc: Double?,
        precision: Double?, recall: Double?, f1: Double?, combined: Double?, successRate: Double?, details: String,
        at: Date = Date()
    ) throws(StoreError) {
        try write("storing an evaluation") { db in
            try db.execute(sql: """
                INSERT INTO evaluations (evaluated_at, model_version, window_start, window_end, n, accuracy, auc, precision,
                    recall, f1, combined_score, success_rate, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Self.timestamp(at), modelVersion, windowStart, windowEnd, n, accuracy, auc, precision, recall, f1, combined, successRate, details])
        }
    }

    public func insertDecision(job: String, triggers: String, action: String, reason: String?, result: String?, modelVersion: Int?, at: Date = Date()) throws(StoreError) -> Int {
        try write("storing a decision") { db in
            try db.execute(sql: """
                INSERT INTO decisions (decided_at, job, triggers, action, reason, result, model_version) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Self.timestamp(at), job, triggers, action, reason, result, modelVersion])
            return Int(db.lastInsertedRowID)
        }
    }

    /// The latest successful period per job.
    public func lastJobRuns() throws(StoreError) -> [String: String] {
        try read("reading job runs") { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT job, MAX(period) FROM job_runs WHERE status = 'succeeded' GROUP BY job
                """) { out[row[0]] = row[1] }
            return out
        }
    }

    /// Claims (job, period): false when it already succeeded (a job never runs twice for a period).
    public func beginJob(_ job: String, period: String, at: Date = Date()) throws(StoreError) -> Bool {
        try write("starting job \(job)") { db in
            if try String.fetchOne(db, sql: "SELECT status FROM job_runs WHERE job = ? AND period = ?", arguments: [job, period]) == "succeeded" {
                return false
            }
            try db.execute(sql: """
                INSERT INTO job_runs (job, period, started_at, status) VALUES (?, ?, ?, 'running')
                ON CONFLICT (job, period) DO UPDATE SET started_at = excluded.started_at, status = 'running', finished_at = NULL
                """, arguments: [job, period, Self.timestamp(at)])
            return true
        }
    }

    public func finishJob(_ job: String, period: String, succeeded: Bool, detail: String?, at: Date = Date()) throws(StoreError) {
        try write("finishing job \(job)") { db in
            try db.execute(sql: "UPDATE job_runs SET status = ?, finished_at = ?, detail = ? WHERE job = ? AND period = ?",
                           arguments: [succeeded ? "succeeded" : "failed", Self.timestamp(at), detail, job, period])
        }
    }

    /// A small key-value memory (e.g. the label time at the last training run).
    public func setting(_ key: String) throws(StoreError) -> String? {
        try read("reading setting \(key)") { try String.fetchOne($0, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }

    /// Writes several settings in one transaction (all or none).
    public func setSettings(_ values: [String: String]) throws(StoreError) {
        try write("writing settings") { db in try Self.upsertSettings(values, db) }
    }

    static func upsertSettings(_ values: [String: String], _ db: Database) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", arguments: [key, value])
        }
    }

    public func setSetting(_ key: String, _ value: String) throws(StoreError) {
        try write("writing setting \(key)") {
            try $0.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", arguments: [key, value])
        }
    }
}

/// The take policy's decision for one scored signal (`predictions.take`, `threshold`, `size`).
public struct PredictionDecision: Sendable, Equatable {
    public var take: Bool
    public var threshold: Double
    /// The bet size in [0, 1], nil when sizing is off.
    public var size: Double?

    public init(take: Bool, threshold: Double, size: Double?) {
        self.take = take
        self.threshold = threshold
        self.size = size
    }
}

/// A row of the `signal_scores` view: a signal's latest score and decision (docs/SCHEMA.md).
public struct SignalScore: Sendable, Equatable {
    public var signalId: String
    public var modelVersion: Int
    public var probability: Double
    public var blendedProbability: Double?
    /// nil for a row scored before the take policy existed (migration v7-take-policy).
    public var take: Bool?
    public var threshold: Double?
    public var size: Double?
    public var scoredAt: String
}
