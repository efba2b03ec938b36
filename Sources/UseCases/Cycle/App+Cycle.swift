import Foundation
import Learning
import Logging
import ModelMetrics
import Policy
import Store
import TradingDomain

/// One trigger check and what came of it: a row of `decisions` and one log record
/// (README.md, "The daemon").
public struct CycleDecision: Encodable, Sendable {
    public var id: Int
    public var job: String
    public var decidedAt: String
    public var evaluation: EvaluationReport
    public var triggers: TriggerReport
    /// none, retrain or skipped (encoded as that word).
    public var action: RetrainAction
    /// Why (encoded as its text).
    public var reason: RetrainReason
    /// e.g. "promoted v3" or "kept v2: ...".
    public var result: String?
    public var modelVersion: Int?
    public var training: TrainingDecision?
}

/// What the daily job did before its evaluation.
public struct DailyReport: Codable, Sendable {
    public var imports: [ImportReport] = []
    public var importErrors: [String] = []
    public var labels = LabelReport()
    public var scoring = ScoringReport()
    public var online: OnlineReport?
    public var evaluation: EvaluationReport?
}

extension App {
    /// The daily job: import the inbox and the trading database, label, update the online model,
    /// score, evaluate.
    public func daily(now: Date) throws -> DailyReport {
        var report = DailyReport()
        (report.imports, report.importErrors) = importInbox()
        if !config.tradingDB.isEmpty {
            do {
                report.imports.append(try TradingDatabaseImporter(store: store, timezone: config.exchangeTimezone).run(path: config.tradingDB, skipInvalid: true))
            } catch {
                report.importErrors.append("\(error)")
                logger.error("trading database import failed", metadata: ["event": "error", "path": "\(config.tradingDB)", "error": "\(error)"])
            }
        }
        report.labels = try label()
        let features = try computeFeatures() // once: nothing below changes bars or signals
        report.online = try updateOnlineModel(features: features)
        do {
            report.scoring = try predict(now: now, features: features)
        } catch let mismatch as SchemaMismatch {
            // New external columns: production cannot score until the next check retrains it.
            report.scoring.note = mismatch.description
            logger.error("scoring skipped: \(mismatch.description)", metadata: ["event": "error"])
        }
        report.evaluation = try evaluate(now: now)
        return report
    }

    /// Checks the triggers and retrains when one fires (or always, for the monthly `full` job),
    /// unless nothing was labeled since the last training run. Writes the decision row and log.
    public func checkAndRetrain(job: String, full: Bool, now: Date, evaluation given: EvaluationReport? = nil, shouldStop: StopCheck? = nil) throws -> CycleDecision {
        let evaluation = try given ?? evaluate(now: now)
        let production = try store.productionModel()
        let lastTraining = try store.setting("last_training_at").flatMap { ISO8601DateFormatter().date(from: $0) }
        let currentSchema = try computeFeatures().schemaHash
        var decided = RetrainPolicy(thresholds: config.triggers.thresholds).decide(
            window: evaluation.predictions,
            productionHoldoutScore: production.flatMap { App.holdoutMetrics($0)?.combinedScore },
            schemaChange: production.flatMap { p in
                p.featureSchemaHash == currentSchema ? nil : SchemaChange(from: p.featureSchemaHash, to: currentSchema, productionVersion: p.version)
            },
            full: full, labeledSinceLastTraining: try labeledSinceLastTraining(),
            daysSinceLastRetrain: lastTraining.map { now.timeIntervalSince($0) / 86400 }
        )
        var result: String?
        var training: TrainingDecision?
        var version = production?.version
        if decided.retrains {
            logger.info("retrain started", metadata: ["event": "retrain", "job": "\(job)", "reason": "\(decided.reason)"])
            do {
                let (decision, _, _) = try train(shouldStop: shouldStop, now: now)
                training = decision
                version = decision.promoted ? decision.version : production?.version
                result = decision.promoted ? "promoted v\(decision.version)" : "kept v\(production?.version ?? 0): candidate v\(decision.version) rejected, \(decision.reason)"
                _ = try predict(now: now)
            } catch let error as NotEnoughData {
                decided = decided.skipped(.notEnoughData(error.description))
                result = production.map { "kept v\($0.version)" }
            } catch let error as LearningError where [.singleClass, .tooFewRows, .insufficientData].contains(error.code) {
                // The data cannot train a model yet (one outcome only, too few rows after the
                // purge): a state to report, not a failure of the job.
                decided = decided.skipped(.untrainable(error.message))
                result = production.map { "kept v\($0.version)" }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let triggersJSON = String(decoding: try encoder.encode(decided.report), as: UTF8.self)
        let id = try store.insertDecision(
            job: job, triggers: triggersJSON, action: decided.action.rawValue, reason: decided.reason.description,
            result: result, modelVersion: version, at: now
        )
        let decision = CycleDecision(
            id: id, job: job, decidedAt: SignalStoreTime.iso(now), evaluation: evaluation, triggers: decided.report,
            action: decided.action, reason: decided.reason, result: result, modelVersion: version, training: training
        )
        log(decision)
        return decision
    }

    /// `improvementd --once`: the daily job, then the trigger check with a retrain if one fires.
    public func runOnce(now: Date = Date(), shouldStop: StopCheck? = nil) throws -> (DailyReport, CycleDecision) {
        let daily = try daily(now: now)
        let decision = try checkAndRetrain(job: "once", full: false, now: now, evaluation: daily.evaluation, shouldStop: shouldStop)
        return (daily, decision)
    }

    /// Labeled outcomes that changed since the last training run (all of them before the first).
    func labeledSinceLastTraining() throws -> Int {
        try store.labeledCount(sinceChange: Int(try store.setting("last_training_label_change") ?? "") ?? 0)
    }

    /// One structured record per decision: DECISION, TRIGGER (the first that fired), MODEL_VERSION, ...
    func log(_ d: CycleDecision) {
        var metadata: Logger.Metadata = [
            "event": "decision", "job": "\(d.job)", "decision": "\(d.action)", "decision_id": "\(d.id)",
            "reason": "\(d.reason)", "n": "\(d.evaluation.predictions.count)",
        ]
        if let first = d.triggers.firedTriggers.first { metadata["trigger"] = "\(first.rawValue)" }
        metadata["triggers_fired"] = "\(d.triggers.firedTriggers.map(\.rawValue).joined(separator: ","))"
        for t in d.triggers.triggers {
            metadata["trigger_\(t.name.rawValue)"] = "\(t.value.map { String(format: "%.4f", $0) } ?? "n/a")/\(String(format: "%g", t.threshold))\(t.fired ? " fired" : "")\(t.trusted ? "" : " untrusted")"
        }
        if let v = d.modelVersion { metadata["model_version"] = "\(v)" }
        if let r = d.result { metadata["result"] = "\(r)" }
        logger.notice("\(d.job) check: \(d.action) — \(d.reason)\(d.result.map { "; \($0)" } ?? "")", metadata: metadata)
        if let t = d.training, t.promoted {
            logger.notice("model v\(t.version) promoted", metadata: ["event": "promotion", "model_version": "\(t.version)", "reason": "\(t.reason)"])
        }
    }
}
