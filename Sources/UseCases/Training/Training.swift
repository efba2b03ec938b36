import Foundation
import Learning
import Logging
import ModelMetrics
import Policy
import Store
import TradingDomain

/// What a training run decided: the version registered and whether it became production.
public struct TrainingDecision: Encodable, Sendable {
    public var version: Int
    public var algorithm: String
    public var promoted: Bool
    /// Why it was promoted or kept as a rejected candidate.
    public var reason: String
    public var candidateAUC: Double
    /// The aggregate's AUC with its 95 % DeLong interval and where it was measured ("live" or
    /// "equal-weight holdout"); nil for a single model, whose interval is its promotion's.
    public var aggregateAUC: Interval?
    public var aggregateAUCSource: String?
    /// Production's AUC on the same holdout rows, when there was a production model.
    public var productionAUC: Double?
    public var productionVersion: Int?
    public var grade: String
    public var reportPath: String?
    /// Every compared model's CV and holdout figures.
    public var models: [ModelEvaluation] = []
    /// The promotion decision with the candidate's AUC interval and the paired test.
    public var promotion: PromotionDecision?
    /// What the artifact is (`training.ship`): "refitted on all N rows; figures are of the fit on
    /// the first M", or the measured fit.
    public var shipped: String?
    /// Whether tuning was adopted and why; nil when tuning did not run.
    public var tuning: TuningDecision?
    /// The version's take policy and its holdout economics.
    public var policy: VersionPolicy?
}

/// Trains and compares the classifiers, decides the candidate's promotion against production on
/// the same holdout, and registers the version (README.md, "Training, the registry and scoring").
public struct Training: Sendable {
    public let config: Configuration
    public let store: SignalStore
    public let logger: Logger

    public init(config: Configuration, store: SignalStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    /// The learning configuration from the daemon's configuration.
    public func configuration(algorithms: [Algorithm]? = nil, tune: Bool = true) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.algorithms = algorithms ?? config.training.algorithms.compactMap(Algorithm.init(rawValue:))
        c.seed = UInt64(config.training.seed)
        c.holdoutFraction = config.training.holdoutFraction
        c.tune = tune && config.training.tuningTrials > 0
        c.tuningTrials = config.training.tuningTrials
        c.tuningSeconds = config.training.tuningSeconds
        c.selection = SelectionRule(config.training.selection) ?? .oneSE
        c.regimeMinRows = config.training.regimeMinRows
        c.tuningBudgetFactor = config.training.tuningBudgetFactor
        return c
    }

    /// Trains, decides promotion (champion/challenger on the same holdout), registers the version
    /// with its decision and the run's settings in one transaction, then writes the report and
    /// records its path (best effort). Nothing is registered if training fails or is stopped.
    /// `context`: the job's features and production model (prepared here when nil).
    /// `promotion`: what the paired test must show (the monthly job passes
    /// `training.monthly_promotion`; every other retrain is `paired_test`).
    public func train(
        algorithms: [Algorithm]? = nil, tune: Bool = true, promotion mode: PromotionRule.Mode = .pairedTest,
        shouldStop: StopCheck? = nil, now: Date = Date(), context given: JobContext? = nil
    ) throws -> (TrainingDecision, TrainingResult, TrainingDataset) {
        let context = try given ?? {
            let features = try FeatureComputation(config: config, store: store).compute()
            let (production, fallback) = try ProductionFallback.resolve(store: store, schemaHash: features.schemaHash)
            return JobContext(features: features, production: production, fallback: fallback)
        }()
        let data = try dataset(features: context.features)
        CrashPoint.reach("train.after-dataset")
        guard data.labels.count >= 50 else {
            throw NotEnoughData(description: "only \(data.labels.count) labeled signals have features; training needs at least 50 (import or backfill more history)")
        }
        let configuration = configuration(algorithms: algorithms, tune: tune)
        let result = try Trainer.train(
            data.x, labels: data.labels, entryDays: data.entryDays, exitDays: data.exitDays,
            configuration: configuration, shouldStop: shouldStop.map { announcingFirstSafePoint($0) }
        )
        // The artifact (`training.ship`): the measured fit, or its configuration refitted on all rows.
        let shipped = try ShippedArtifact.make(config.training.ship, result: result, data: data, shouldStop: shouldStop)
        if shouldStop?() == true { throw LearningError(.cancelled, "training stopped before registration") }

        // Champion/challenger: production scores the very same holdout rows, and the candidate
        // replaces it only when a one-sided paired DeLong test finds it better (or, for the
        // monthly job under `unless_worse`, unless it finds it worse). Only the holdout rows
        // production never trained on (entered after its `data_end`) are compared: a refitted
        // production has learned the older ones. The candidate's side is always the measured
        // fit's holdout predictions (`result.holdoutPredictions`), also when the artifact is
        // refitted: the refit has seen the holdout, so its predictions there measure nothing.
        // A production model of another feature schema cannot score the current features at all, and one
        // whose artifact cannot be used is treated as absent: any candidate replaces either
        // (a version scoring in a broken one's place is not production).
        let production = context.fallback?.broken ?? context.production?.record
        let holdY = result.holdoutRows.map { data.labels[$0] }
        let against: PromotionRule.Production
        var productionScores: HoldoutScores.Scored?
        if let broken = context.fallback {
            against = .unusable(version: broken.broken.version, why: broken.brokenReason)
        } else if let current = context.production, current.scores(schemaHash: data.schemaHash) {
            let holdX = data.x.selecting(rows: result.holdoutRows)
            let trainedUntil = current.record.dataEnd.flatMap { Day(iso: $0) }.map { Int($0.number) } ?? Int.min
            let unseen = result.holdoutRows.indices.filter { data.entryDays[result.holdoutRows[$0]] > trainedUntil }
            let probabilities = try current.classifier.predictProbabilities(holdX)
            productionScores = .init(name: "production", version: current.record.version, probabilities: probabilities)
            against = .scored(version: current.record.version, probabilities: probabilities, unseen: unseen)
        } else if let production {
            against = .cannotScore(version: production.version, schema: production.featureSchemaHash, current: data.schemaHash)
        } else {
            against = .none
        }
        let rule = PromotionRule(alpha: config.training.promotionAlpha, margin: config.training.promotionMargin, mode: mode)
        let promotion = rule.decide(labels: holdY, candidate: result.holdoutPredictions, production: against)
        let promoted = promotion.promoted
        let reason = promotion.text + (shipped.fit == .refit ? "; \(shipped.text)" : "")
        let candidateAUC = result.holdout.auc
        // The take threshold: on the training part's out-of-fold predictions only; a version
        // without demonstrated skill (the same test as the promotion's) takes every signal.
        let policy = VersionPolicy(section: config.policy, result: result, dataset: data, skillDemonstrated: !promotion.noDemonstratedSkill)
        let productionAUC = promotion.test?.aucB

        let previousImportance = try production.flatMap { try store.importance($0.version) }
            .flatMap { try? JSONDecoder().decode(FeatureImportanceReport.self, from: Data($0.utf8)) }
        let stability: Double? = {
            guard let previous = previousImportance, let current = result.importance, previous.features == current.features else { return nil }
            return FeatureImportance.rankStability(previous.primary, current.primary)
        }()

        let encoder = JSONEncoder.sortedKeys()
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try encoder.encode(v), as: UTF8.self) }
        let window = shipped.window(data)
        CrashPoint.reach("train.before-register")
        // The version, its decision and the run's settings in one transaction (all or none).
        let version = try store.registerTrainedModel(NewModelVersion(
            algorithm: result.chosen.rawValue, hyperparameters: result.hyperparameters.jsonString(),
            featureSchemaHash: data.schemaHash,
            dataStart: window.start, dataEnd: window.end,
            nTrain: shipped.rows.count, nHoldout: result.holdoutRows.count, seed: config.training.seed,
            libraryVersions: try json(result.libraryVersions), cvMetrics: try json(result.evaluations),
            holdoutMetrics: try StoredHoldout(metrics: result.holdout, intervals: result.holdoutIntervals).json(), artifact: [UInt8](shipped.bytes),
            importance: try result.importance.map(json),
            // Kept for the run's HTML page (README.md, "Reports"): its ROC, calibration and scores.
            holdoutScores: HoldoutScores(labels: holdY, models: [.init(name: result.chosen.rawValue, version: nil, probabilities: result.holdoutPredictions)],
                                         production: productionScores),
            takeThreshold: policy.policy.threshold, takePolicy: try json(policy)
        ), decision: promoted ? .promote(reason: reason) : .reject(reason: reason), settings: [
            "last_training_label_change": String(data.labelChange),
            "last_training_at": SignalStoreTime.iso(now),
        ], at: now)
        CrashPoint.reach("train.after-register")

        var decision = TrainingDecision(
            version: version, algorithm: result.chosen.rawValue, promoted: promoted, reason: reason,
            candidateAUC: candidateAUC, productionAUC: productionAUC, productionVersion: production?.version,
            grade: result.holdout.grade.rawValue, models: result.evaluations, promotion: promotion,
            shipped: shipped.text, tuning: result.tuning, policy: policy
        )
        let report = TrainingReport(
            version: version, createdAt: now, dataset: data, result: result, decision: decision,
            stability: stability, previousVersion: previousImportance == nil ? nil : production?.version
        )
        // After the commit: the model is registered whatever happens to the report.
        do {
            decision.reportPath = try report.write(to: config.reportsDir)
            CrashPoint.reach("train.after-report")
            try store.setReportPath(version, decision.reportPath!)
            CrashPoint.reach("train.after-report-path")
        } catch {
            decision.reportPath = nil // the model is registered; a report folder problem is not fatal
        }
        // The run's HTML page and the history page beside the text report (best effort too).
        do {
            try HTMLReports.afterTraining(app: App(config: config, store: store, logger: logger), version: version, now: now)
        } catch {
            logger.warning("the HTML report could not be written", metadata: ["event": "error", "error": "\(error)"])
        }
        return (decision, result, data)
    }

    /// `stop`, logging once when training first checks it: from that line on, training is under
    /// way and a stop request (SIGTERM) is honoured at the next round or trial.
    func announcingFirstSafePoint(_ stop: @escaping StopCheck) -> StopCheck {
        let announced = StopFlag()
        let logger = logger
        return {
            if announced.raise() { logger.info("training under way: stoppable at each round and trial", metadata: ["event": "training_safe_point"]) }
            return stop()
        }
    }

    /// Labeled outcomes that changed since the last training run (all of them before the first):
    /// 0 means there is nothing new to learn.
    public func labeledSinceLastTraining() throws -> Int {
        try store.labeledCount(sinceChange: Int(try store.setting("last_training_label_change") ?? "") ?? 0)
    }
}
