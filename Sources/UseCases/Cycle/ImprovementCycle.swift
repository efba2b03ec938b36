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
    public var job: DecisionJob
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
    /// What the fired triggers caused (README.md, "The daemon"): a refit of the aggregate's
    /// candidates, a single-model retrain, or nothing, and what that changes.
    public var caused: String = ""
    /// The strategies' own success rate over the last 365 days of exits (Wilson 95 %), shown beside
    /// the success_rate trigger: a threshold above it fires every week by construction.
    public var strategiesSuccessRate: Interval?
}

/// What the daily job did before its evaluation.
public struct DailyReport: Codable, Sendable {
    public var imports: [ImportReport] = []
    public var importErrors: [String] = []
    public var labels = LabelReport()
    public var scoring = ScoringReport()
    public var online: OnlineReport?
    public var evaluation: EvaluationReport?
    /// The daily copy of the store, when `backup.dir` is set.
    public var backup: BackupReport?
}

/// The improvement cycle: the daily job (imports, labels, online update, scoring, evaluation)
/// and the trigger check that retrains when the policy says so. `run`, `--once` and the
/// scheduler's jobs all go through it.
public struct ImprovementCycle: Sendable {
    public let app: App

    public init(app: App) {
        self.app = app
    }

    /// The daily job: import the inbox and the trading database, label, update the online model,
    /// score, evaluate. Returns the job's context too, so a trigger check right after reuses it.
    public func daily(now: Date) throws -> (DailyReport, JobContext) {
        let (config, logger) = (app.config, app.logger)
        var report = DailyReport()
        (report.imports, report.importErrors) = app.inbox.run()
        if !config.tradingDB.isEmpty {
            do {
                report.imports.append(try TradingDatabaseImporter(store: app.store, timezone: config.exchangeTimezone).run(path: config.tradingDB, skipInvalid: true))
            } catch {
                report.importErrors.append("\(error)")
                logger.error("trading database import failed", metadata: ["event": "error", "path": "\(config.tradingDB)", "error": "\(error)"])
            }
        }
        report.labels = try app.labeling.label()
        // Once: nothing below changes bars or signals.
        let context = try JobContext.prepare(app, job: .scheduled(.daily), now: now)
        report.online = try app.online.update(context)
        do {
            report.scoring = try app.scoring.score(context, now: now)
        } catch let mismatch as SchemaMismatch {
            // New external columns: production cannot score until the next check retrains it.
            report.scoring.note = mismatch.description
            logger.error("scoring skipped: \(mismatch.description)", metadata: ["event": "error"])
        }
        report.evaluation = try app.evaluation.evaluate(context, now: now)
        report.backup = try app.backups.daily(now: now)
        return (report, context)
    }

    /// Checks the triggers and retrains when the policy says so (always, for the monthly `full`
    /// job, unless nothing was labeled since the last training run). Writes the decision row and
    /// its log record. `evaluation` and `context`: the daily job's, when it just ran.
    public func checkAndRetrain(
        job: DecisionJob, full: Bool, now: Date, evaluation given: EvaluationReport? = nil,
        context prepared: JobContext? = nil, shouldStop: StopCheck? = nil
    ) throws -> CycleDecision {
        let store = app.store
        let context = try prepared ?? JobContext.prepare(app, job: job, now: now, allowingNoProduction: true)
        let evaluation = try given ?? app.evaluation.evaluate(context, now: now)
        let production = context.production?.record
        let lastTraining = try store.setting("last_training_at").flatMap { ISO8601DateFormatter().date(from: $0) }
        let currentSchema = context.features.schemaHash
        var decided = RetrainPolicy(thresholds: app.config.triggers.thresholds).decide(
            window: evaluation.predictions,
            productionHoldoutScore: production.flatMap { $0.holdout?.combinedScore },
            schemaChange: production.flatMap { p in
                p.featureSchemaHash == currentSchema ? nil : SchemaChange(from: p.featureSchemaHash, to: currentSchema, productionVersion: p.version)
            },
            full: full, labeledSinceLastTraining: try app.training.labeledSinceLastTraining(),
            daysSinceLastRetrain: lastTraining.map { now.timeIntervalSince($0) / 86400 }
        )
        var result: String?
        var training: TrainingDecision?
        var version = production?.version
        if decided.retrains {
            app.logger.info("retrain started", metadata: ["event": "retrain", "job": "\(job)", "reason": "\(decided.reason)"])
            do {
                // The monthly full retrain is promoted by `training.monthly_promotion`; every other
                // retrain by the paired test.
                let mode = full ? app.config.training.monthlyPromotion : .pairedTest
                let decision = try app.config.training.production == .aggregate
                    // The aggregate refits its candidates; their weights are earned live.
                    ? app.training.refitCandidates(shouldStop: shouldStop, now: now, context: context)
                    : app.training.train(promotion: mode, shouldStop: shouldStop, now: now, context: context).0
                training = decision
                version = decision.promoted ? decision.version : production?.version
                result = Self.result(decision, production: production?.version)
                // A promoted version scores what the old one had not.
                _ = try app.scoring.score(try context.reloadingProduction(from: store), now: now)
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
        let today = app.config.exchangeDay(of: now)
        let recent = try store.successCount(exitFrom: today.adding(days: -365), before: today)
        let strategies = recent.n > 0 ? Wilson.interval(successes: recent.successes, n: recent.n) : nil
        let caused = Self.caused(decided, training: training, aggregate: app.config.training.production == .aggregate,
                                 successThreshold: app.config.triggers.thresholds.successRate, strategies: strategies)
        let triggersJSON = String(decoding: try JSONEncoder.sortedKeys().encode(DecisionTriggers(
            report: decided.report, policy: evaluation.policy, caused: caused, strategiesSuccessRate: strategies)), as: UTF8.self)
        let id = try store.insertDecision(
            job: job.name, triggers: triggersJSON, action: decided.action.rawValue, reason: decided.reason.description,
            result: result, modelVersion: version, at: now
        )
        let decision = CycleDecision(
            id: id, job: job, decidedAt: SignalStoreTime.iso(now), evaluation: evaluation, triggers: decided.report,
            action: decided.action, reason: decided.reason, result: result, modelVersion: version, training: training,
            caused: caused, strategiesSuccessRate: strategies
        )
        DecisionLog(logger: app.logger).record(decision)
        return decision
    }

    /// What the decision caused, in words: the refit (and that the weights move only with outcomes),
    /// a single-model retrain, or nothing; and, when the success_rate trigger fired while the
    /// strategies' own recent success rate lies below its threshold, that it is out of reach.
    static func caused(_ d: RetrainDecision, training: TrainingDecision?, aggregate: Bool, successThreshold: Double, strategies: Interval?) -> String {
        var text: String
        if let training, aggregate, training.algorithm == ProductionModel.aggregateAlgorithm {
            text = "refit: the aggregate's candidates refitted as v\(training.version); their weights change only with live outcomes"
        } else if let training {
            text = training.promoted ? "retrain: v\(training.version) replaced production" : "retrain: v\(training.version) rejected, production unchanged"
        } else if d.report.firedTriggers.isEmpty {
            text = "nothing: no trigger fired"
        } else {
            text = "nothing: the retrain was skipped"
        }
        if d.report.firedTriggers.contains(.successRate), let s = strategies, s.upper < successThreshold {
            text += String(format: "; success_rate threshold %g is above the strategies' own success rate %@ over the last 365 days of exits, so it fires by construction",
                           successThreshold, s.formatted(decimals: 3))
        }
        return text
    }

    /// The decision's `result` after a training run, with the candidate's holdout AUC and its
    /// 95 % DeLong interval: `promoted v3 (holdout AUC 0.5613 [0.5021, 0.6205])`, with
    /// `, no demonstrated skill` when the interval contains 0.5; or `kept v2: candidate v3
    /// (holdout AUC ...) rejected, <reason>` (the reason says "no demonstrated skill" itself).
    static func result(_ decision: TrainingDecision, production: Int?) -> String {
        if let a = decision.aggregateAUC {
            let skill = a.contains(0.5) ? ", no demonstrated skill" : ""
            return "promoted v\(decision.version) (aggregate refit; \(decision.aggregateAUCSource ?? "AUC") \(a.formatted(decimals: 4))\(skill))"
        }
        let auc = decision.promotion.map { "holdout AUC \($0.candidateAUC.formatted(decimals: 4))" }
            ?? String(format: "holdout AUC %.4f", decision.candidateAUC)
        let skill = decision.promotion?.noDemonstratedSkill == true ? ", no demonstrated skill" : ""
        return decision.promoted
            ? "promoted v\(decision.version) (\(auc)\(skill))"
            : "kept v\(production ?? 0): candidate v\(decision.version) (\(auc)) rejected, \(decision.reason)"
    }

    /// `improvementd --once`: the daily job, then the trigger check with a retrain if one fires.
    public func runOnce(now: Date = Date(), shouldStop: StopCheck? = nil) throws -> (DailyReport, CycleDecision) {
        let (daily, context) = try daily(now: now)
        let decision = try checkAndRetrain(job: .once, full: false, now: now, evaluation: daily.evaluation, context: context, shouldStop: shouldStop)
        return (daily, decision)
    }
}
