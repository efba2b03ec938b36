import Foundation
import Learning
import Store
import TradingDomain

/// What `predict` did (README.md, "Training, the registry and scoring").
public struct ScoringReport: Codable, Sendable {
    public var modelVersion: Int?
    public var unlabeled = 0
    public var scored = 0
    public var alreadyScored = 0
    /// Of the newly scored, how many the version's take policy takes.
    public var taken = 0
    public var note: String?
}

/// A model that cannot score the current features.
public struct SchemaMismatch: Error, CustomStringConvertible {
    public var description: String
}

/// Scores the signals that are not labeled yet with the production model and stores the
/// probabilities (and the online blend) for the trading system (README.md, "Training, the
/// registry and scoring").
public struct Scoring: Sendable {
    public let store: SignalStore
    public let online: OnlineLearning
    /// The aggregate's state and evidence, for a production version that is a candidate set.
    public let aggregate: ProductionAggregate?

    public init(store: SignalStore, online: OnlineLearning, aggregate: ProductionAggregate? = nil) {
        self.store = store
        self.online = online
        self.aggregate = aggregate
    }

    /// Scores every unlabeled (pending or not yet labeled) signal that has no prediction from the
    /// production model, and stores probability, version and time. Throws ``SchemaMismatch``
    /// when production was trained on another feature schema.
    public func score(_ context: JobContext, now: Date = Date()) throws -> ScoringReport {
        guard let production = context.production else {
            return ScoringReport(note: "no production model yet: nothing scored (improvementd train)")
        }
        let (record, model) = (production.record, production.classifier)
        let features = context.features
        guard production.scores(schemaHash: features.schemaHash) else {
            throw SchemaMismatch(description: "production model v\(record.version) was trained on feature schema \(record.featureSchemaHash), but the current features are schema \(features.schemaHash); it refuses to score them — retrain (improvementd train)")
        }
        let todo = try store.unscoredSignals(version: record.version, schemaHash: features.schemaHash)
        var report = ScoringReport(modelVersion: record.version, unlabeled: todo.unlabeled, alreadyScored: todo.unlabeled - todo.signalIds.count)
        guard !todo.signalIds.isEmpty else { return report }
        guard todo.missingFeatures == 0 else { throw StoreError(.integrity, "features missing for \(todo.missingFeatures) unlabeled signals") }
        let names = try store.featureNames(schemaHash: features.schemaHash)
        let x = try FeatureMatrix(rows: todo.signalIds.count, cols: todo.width, values: todo.values, columnNames: names)
        let onlineProbabilities = try online.probabilities(x: x, schemaHash: features.schemaHash)
        let probabilities: [Double], decisions: [PredictionDecision]
        if let aggregate, let set = production.candidateSet {
            // The aggregate: every candidate scores, the evidence is stored, and production's
            // probability is the calibrated mixture with the day's weights.
            (probabilities, decisions, _) = try aggregate.score(set: set, x: x, signalIds: todo.signalIds, version: record.version,
                                                                 day: aggregate.config.exchangeDay(of: now), now: now, online: onlineProbabilities)
        } else {
            // Scoring runs alone: a large batch uses two threads (same bits as one thread).
            let threads = min(2, ProcessInfo.processInfo.activeProcessorCount)
            if let parallel = model as? any ParallelScoring, x.rows >= 50_000, threads > 1 {
                probabilities = try parallel.predictProbabilities(x, threads: threads)
            } else {
                probabilities = try model.predictProbabilities(x)
            }
            // The version's take policy decides on the batch probability, the one its threshold was
            // chosen on (README.md, "For trading-system authors").
            let policy = VersionPolicy.of(record)
            decisions = probabilities.map { PredictionDecision(take: policy.take($0), threshold: policy.threshold, size: policy.size($0)) }
        }
        let blended = try online.blended(batch: probabilities, online: onlineProbabilities)
        report.taken = decisions.filter(\.take).count
        report.scored = try store.insertPredictions(
            Array(zip(todo.signalIds, probabilities)).map { ($0.0, $0.1) }, version: record.version, scoredAt: now, blended: blended,
            decisions: decisions
        )
        return report
    }
}
