import Daemon
import Foundation
import ModelMetrics
import Policy
import Store

/// What `improvementd status` tells a person (and, with `--json`, a program; the schema is
/// docs/status.schema.json): is production any good, what did the last evaluation and
/// decision say, when do the jobs run next, what waits to be labeled or scored, and how the
/// store and its backups stand. Every figure comes from the store as it is.
public struct DaemonStatus: Codable, Sendable, Equatable {
    /// Bumped when a field changes meaning or goes away (adding one does not).
    public var schemaVersion = 1
    public var generatedAt: String
    public var store: StoreInfo
    public var production: ProductionInfo?
    public var lastEvaluation: EvaluationInfo?
    /// The triggers of the last decision, in its order.
    public var triggers: [TriggerInfo]
    public var lastDecision: DecisionInfo?
    public var nextRuns: [NextRun]
    public var signals: SignalCounts

    public struct StoreInfo: Codable, Sendable, Equatable {
        public var path: String
        /// The database file and its write-ahead log, in bytes.
        public var sizeBytes: Int
        /// `backup.dir`, or nil when daily backups are off.
        public var backupDir: String?
        public var lastBackup: BackupInfo?
    }

    public struct BackupInfo: Codable, Sendable, Equatable {
        public var path: String
        public var modifiedAt: String
        public var sizeBytes: Int
    }

    public struct ProductionInfo: Codable, Sendable, Equatable {
        public var version: Int
        public var algorithm: String
        public var createdAt: String
        public var ageDays: Double
        /// The holdout AUC with its 95 % interval when one is known.
        public var holdoutAUC: Double?
        public var holdoutAUCInterval: Interval?
        public var grade: String?
        /// The AUC interval contains 0.5 (or there is no interval to show otherwise).
        public var noDemonstratedSkill: Bool
        /// Set when production's artifact cannot be used: what is broken and what scores instead.
        public var brokenArtifact: String?
    }

    public struct EvaluationInfo: Codable, Sendable, Equatable {
        public var id: Int
        public var evaluatedAt: String
        public var windowStart: String
        public var windowEnd: String
        public var modelVersion: Int?
        /// Signals scored that the model never trained on (the metrics' n).
        public var n: Int
        public var labeledInWindow: Int
        public var auc: Double?
        public var aucInterval: Interval?
        public var accuracy: Double?
        public var accuracyInterval: Interval?
        public var successRate: Double?
        public var successRateInterval: Interval?
        /// Success of the signals taken against those skipped, in words, when the store has it.
        public var takenVsSkipped: String?
    }

    public struct TriggerInfo: Codable, Sendable, Equatable {
        public var name: String
        public var value: Double?
        public var threshold: Double
        public var n: Int
        public var fired: Bool
        public var trusted: Bool
    }

    public struct DecisionInfo: Codable, Sendable, Equatable {
        public var id: Int
        public var decidedAt: String
        public var job: String
        public var action: String
        public var reason: String?
        public var result: String?
        public var modelVersion: Int?
    }

    public struct NextRun: Codable, Sendable, Equatable {
        public var job: JobKind
        /// ISO 8601 in the configured time zone, with its offset.
        public var at: String
        public var timeZone: String
    }

    public struct SignalCounts: Codable, Sendable, Equatable {
        /// Outcomes still pending.
        public var pending: Int
        /// Signals without an outcome row yet (not labeled since they arrived).
        public var withoutOutcome: Int
        /// Unlabeled signals the production model has not scored (all of them without one).
        public var unscored: Int
        /// Signals with at least one prediction.
        public var scored: Int
    }
}

extension DaemonStatus {
    /// Reads the status of `app`'s store at `now`.
    public static func read(app: App, now: Date = Date()) throws -> DaemonStatus {
        let store = app.store
        let fm = FileManager.default
        func size(_ path: String) -> Int { ((try? fm.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        let dir = app.config.backup.dir
        var lastBackup: BackupInfo?
        if !dir.isEmpty, let names = try? fm.contentsOfDirectory(atPath: dir) {
            if let newest = names.filter({ $0.hasPrefix(Backups.prefix) && $0.hasSuffix(Backups.suffix) }).sorted().last {
                let path = (dir as NSString).appendingPathComponent(newest)
                let modified = ((try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? now
                lastBackup = BackupInfo(path: path, modifiedAt: SignalStoreTime.iso(modified), sizeBytes: size(path))
            }
        }
        let storeInfo = StoreInfo(path: store.path, sizeBytes: size(store.path) + size(store.path + "-wal"),
                                  backupDir: dir.isEmpty ? nil : dir, lastBackup: lastBackup)

        var production: ProductionInfo?
        if let p = try store.productionModel() {
            let interval = try HTMLReports.productionAUC(store: store, record: p)
            let known = interval.flatMap { $0.lower.isFinite && $0.upper.isFinite ? $0 : nil }
            let created = SignalStoreTime.date(p.createdAt) ?? now
            production = ProductionInfo(
                version: p.version, algorithm: p.algorithm, createdAt: p.createdAt, ageDays: max(0, now.timeIntervalSince(created) / 86_400),
                holdoutAUC: p.holdout?.auc, holdoutAUCInterval: known, grade: p.holdout?.grade.rawValue,
                noDemonstratedSkill: known?.contains(0.5) ?? true,
                brokenArtifact: try ProductionFallback.current(store: store)?.description
            )
        }

        var evaluation: EvaluationInfo?
        if let e = try store.evaluationRecords(last: 1).last {
            let row = HTMLReports.evaluationRow(e, calendar: ReplayCalendar(timeZoneIdentifier: app.config.schedule.timezone))
            let details = (try? JSONSerialization.jsonObject(with: Data(e.details.utf8)) as? [String: Any]) ?? [:]
            func finite(_ i: Interval?) -> Interval? { i.flatMap { $0.lower.isFinite && $0.upper.isFinite ? $0 : nil } }
            evaluation = EvaluationInfo(
                id: e.id, evaluatedAt: e.evaluatedAt, windowStart: e.windowStart, windowEnd: e.windowEnd, modelVersion: e.modelVersion,
                n: e.n, labeledInWindow: details["labeled_in_window"] as? Int ?? e.n,
                auc: e.auc, aucInterval: finite(row.auc), accuracy: e.accuracy, accuracyInterval: finite(row.accuracy),
                successRate: e.successRate, successRateInterval: finite(row.successRate), takenVsSkipped: row.takenVsSkipped
            )
        }

        let decision = try store.decisionRecords().last
        let report = decision.flatMap { try? JSONDecoder().decode(TriggerReport.self, from: Data($0.triggers.utf8)) }
        let schedule = app.config.schedule.scheduleConfig
        let zone = TimeZone(identifier: app.config.schedule.timezone) ?? TimeZone(identifier: "UTC")!
        let local = ISO8601DateFormatter()
        local.timeZone = zone
        local.formatOptions = [.withInternetDateTime]
        let unlabeled = try store.unlabeledCounts()
        let predicted = try store.predictionCounts()
        let unscored = try store.unscoredCount(version: production?.version)
        return DaemonStatus(
            generatedAt: SignalStoreTime.iso(now), store: storeInfo, production: production, lastEvaluation: evaluation,
            triggers: report?.triggers.map {
                TriggerInfo(name: $0.name.rawValue, value: $0.value.flatMap { $0.isFinite ? $0 : nil }, threshold: $0.threshold, n: $0.n, fired: $0.fired, trusted: $0.trusted)
            } ?? [],
            lastDecision: decision.map {
                DecisionInfo(id: $0.id, decidedAt: $0.decidedAt, job: $0.job, action: $0.action, reason: $0.reason, result: $0.result, modelVersion: $0.modelVersion)
            },
            nextRuns: JobKind.allCases.map { job in
                NextRun(job: job, at: local.string(from: schedule.nextFire(of: job, after: now).scheduledAt), timeZone: zone.identifier)
            },
            signals: SignalCounts(pending: unlabeled.pending, withoutOutcome: unlabeled.withoutOutcome, unscored: unscored, scored: predicted.signals)
        )
    }

    /// The page `status` prints.
    public var text: String {
        func f(_ x: Double?, _ d: Int = 3) -> String { x.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "n/a" } ?? "n/a" }
        func withInterval(_ x: Double?, _ i: Interval?) -> String { i.map { $0.formatted(decimals: 3) } ?? f(x) }
        var t: [String] = []
        if let p = production {
            t.append("production:      v\(p.version) \(HTMLReports.displayName(p.algorithm)), trained \(p.createdAt) (\(String(format: "%.1f", p.ageDays)) days ago)")
            t.append("holdout AUC:     \(withInterval(p.holdoutAUC, p.holdoutAUCInterval))\(p.noDemonstratedSkill ? " — no demonstrated skill" : ""), grade \(p.grade ?? "n/a")")
            if let broken = p.brokenArtifact { t.append("production artifact: BROKEN: \(broken)") }
        } else {
            t.append("production:      none yet (improvementd train)")
        }
        if let e = lastEvaluation {
            t.append("last evaluation: #\(e.id) \(e.evaluatedAt), window \(e.windowStart) .. \(e.windowEnd), v\(e.modelVersion.map(String.init) ?? "-"), n \(e.n) of \(e.labeledInWindow) labeled")
            t.append("  AUC \(withInterval(e.auc, e.aucInterval)), accuracy \(withInterval(e.accuracy, e.accuracyInterval)), success rate \(withInterval(e.successRate, e.successRateInterval))")
            if let tv = e.takenVsSkipped { t.append("  taken vs skipped: \(tv)") }
        } else {
            t.append("last evaluation: none yet (the daily job evaluates)")
        }
        if triggers.isEmpty {
            t.append("triggers:        not checked yet")
        } else {
            t.append("triggers (at decision #\(lastDecision?.id ?? 0)):")
            for r in triggers {
                let state = r.fired ? "FIRED" : "not fired"
                t.append("  \(r.name.padding(toLength: 18, withPad: " ", startingAt: 0)) value \(f(r.value, 4).padding(toLength: 8, withPad: " ", startingAt: 0)) threshold \(Self.short(r.threshold).padding(toLength: 6, withPad: " ", startingAt: 0)) n \(String(r.n).padding(toLength: 5, withPad: " ", startingAt: 0)) \(state)\(r.trusted ? "" : " (not trusted)")")
            }
        }
        if let d = lastDecision {
            t.append("last decision:   #\(d.id) \(d.decidedAt) \(d.job): \(d.action.uppercased()) — \(d.reason ?? "")\(d.result.map { "; \($0)" } ?? "")")
        } else {
            t.append("last decision:   none yet")
        }
        t.append("next runs (\(nextRuns.first?.timeZone ?? "")):")
        for r in nextRuns { t.append("  \(r.job.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(r.at)") }
        t.append("signals:         \(signals.pending) pending, \(signals.withoutOutcome) without an outcome yet, \(signals.unscored) unscored by production, \(signals.scored) scored")
        let mb = String(format: "%.1f MB", Double(store.sizeBytes) / 1_000_000)
        let backup = store.lastBackup.map { "last backup \($0.path) at \($0.modifiedAt)" } ?? (store.backupDir == nil ? "no daily backups (backup.dir is empty)" : "no backup yet in \(store.backupDir!)")
        t.append("store:           \(store.path), \(mb); \(backup)")
        t.append("(row counts: improvementd status --tables)")
        return t.joined(separator: "\n")
    }

    /// 0.6, 30, 50: a threshold without trailing zeros.
    static func short(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
