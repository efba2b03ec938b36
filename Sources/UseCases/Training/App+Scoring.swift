import Foundation
import Learning
import Store
import TradingDomain

/// What `predict` did (SPEC §5.6).
public struct ScoringReport: Codable, Sendable {
    public var modelVersion: Int?
    public var unlabeled = 0
    public var scored = 0
    public var alreadyScored = 0
    public var note: String?
}

/// A model that cannot score the current features.
public struct SchemaMismatch: Error, CustomStringConvertible {
    public var description: String
}

extension App {
    /// The production model, loaded from checksum-verified bytes, or nil when there is none.
    public func productionClassifier() throws -> (ModelVersionRecord, any Classifier)? {
        guard let record = try store.productionModel() else { return nil }
        return (record, try Classifiers.load(try store.artifact(record.version)))
    }

    /// Scores every unlabeled (pending or not yet labeled) signal that has no prediction from the
    /// production model, and stores probability, version and time.
    /// `features`: this run's `computeFeatures()` result when the caller already has it.
    public func predict(now: Date = Date(), features given: FeatureReport? = nil) throws -> ScoringReport {
        guard let (record, model) = try productionClassifier() else {
            return ScoringReport(note: "no production model yet: nothing scored (improvementd train)")
        }
        let features = try given ?? computeFeatures()
        guard features.schemaHash == record.featureSchemaHash else {
            throw SchemaMismatch(description: "production model v\(record.version) was trained on feature schema \(record.featureSchemaHash), but the current features are schema \(features.schemaHash); it refuses to score them — retrain (improvementd train)")
        }
        let todo = try store.unscoredSignals(version: record.version, schemaHash: features.schemaHash)
        var report = ScoringReport(modelVersion: record.version, unlabeled: todo.unlabeled, alreadyScored: todo.unlabeled - todo.signalIds.count)
        guard !todo.signalIds.isEmpty else { return report }
        guard todo.missingFeatures == 0 else { throw StoreError(.integrity, "features missing for \(todo.missingFeatures) unlabeled signals") }
        let names = try store.featureNames(schemaHash: features.schemaHash)
        let x = try FeatureMatrix(rows: todo.signalIds.count, cols: todo.width, values: todo.values, columnNames: names)
        // Scoring runs alone: a large batch uses two threads (same bits as one thread).
        let threads = min(2, ProcessInfo.processInfo.activeProcessorCount)
        let probabilities: [Double]
        if let parallel = model as? any ParallelScoring, x.rows >= 50_000, threads > 1 {
            probabilities = try parallel.predictProbabilities(x, threads: threads)
        } else {
            probabilities = try model.predictProbabilities(x)
        }
        let blended = try blended(batch: probabilities, x: x, schemaHash: features.schemaHash)
        report.scored = try store.insertPredictions(
            Array(zip(todo.signalIds, probabilities)).map { ($0.0, $0.1) }, version: record.version, scoredAt: now, blended: blended
        )
        return report
    }
}
