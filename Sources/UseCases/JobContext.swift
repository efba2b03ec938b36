import Foundation
import Learning
import Store

/// The production model: its registry record and its classifier, loaded once from
/// checksum-verified bytes.
public struct ProductionModel: Sendable {
    public let record: ModelVersionRecord
    public let classifier: any Classifier

    public init(record: ModelVersionRecord, classifier: any Classifier) {
        self.record = record
        self.classifier = classifier
    }

    /// The store's production model, or nil when there is none. An artifact whose SHA-256 does
    /// not match is refused by the store, so a loaded model is always the registered one.
    public static func load(from store: SignalStore) throws -> ProductionModel? {
        guard let record = try store.productionModel() else { return nil }
        return ProductionModel(record: record, classifier: try Classifiers.load(try store.artifact(record.version)))
    }

    /// The registry's algorithm name of a production aggregate's candidate set.
    public static let aggregateAlgorithm = "aggregate"

    /// The candidate set when this version is a production aggregate (README.md, "The
    /// production aggregate"); nil for a single model.
    public var candidateSet: EnsembleClassifier? {
        record.algorithm == Self.aggregateAlgorithm ? classifier as? EnsembleClassifier : nil
    }

    /// Whether it can score features of `schemaHash` (a model refuses features of another schema).
    public func scores(schemaHash: String) -> Bool { record.featureSchemaHash == schemaHash }
}

/// What one job works from, computed once and shared by its steps: the feature report after this
/// run's recomputation, and the production model loaded and verified once.
///
/// Why: the steps of a job (online update, scoring, evaluation, the trigger check, training)
/// need the same two things; each computing them again recomputed features three times and
/// verified the production artifact three times per daily job.
public struct JobContext: Sendable {
    public var features: FeatureReport
    /// The model the job scores with: production, or the fallback's version when production's
    /// artifact cannot be used.
    public var production: ProductionModel?
    /// Set when production's artifact could not be used (README.md, "Operations").
    public var fallback: ProductionFallback?

    public init(features: FeatureReport, production: ProductionModel?, fallback: ProductionFallback? = nil) {
        self.features = features
        self.production = production
        self.fallback = fallback
    }

    /// Brings the features up to date and loads the production model, falling back to an earlier
    /// version when production's artifact cannot be used; a fallback is recorded once, for `job`
    /// (a decision row and an error record). Labels are the caller's to bring up to date first
    /// (jobs report their counts). Throws ``ProductionUnavailable`` when production is broken
    /// and no earlier version can score, unless `allowingNoProduction` (a training run then
    /// replaces the broken version).
    public static func prepare(_ app: App, job: DecisionJob = .predict, now: Date = Date(), allowingNoProduction: Bool = false) throws -> JobContext {
        let features = try app.features.compute()
        let (production, fallback) = try ProductionFallback.resolve(store: app.store, schemaHash: features.schemaHash)
        if let fallback {
            try fallback.record(job: job.name, store: app.store, logger: app.logger, at: now)
            if production == nil && !allowingNoProduction { throw ProductionUnavailable(description: fallback.description) }
        }
        return JobContext(features: features, production: production, fallback: fallback)
    }

    /// The same features with the production model loaded again (after a training run may have
    /// promoted another version); a fallback found again is not recorded again.
    public func reloadingProduction(from store: SignalStore) throws -> JobContext {
        let (production, fallback) = try ProductionFallback.resolve(store: store, schemaHash: features.schemaHash)
        return JobContext(features: features, production: production, fallback: fallback)
    }
}

extension App {
    /// A job's context: features brought up to date, the production model loaded once.
    public func prepareJob(job: DecisionJob = .predict) throws -> JobContext { try JobContext.prepare(self, job: job) }
}
