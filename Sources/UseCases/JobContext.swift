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
    public var production: ProductionModel?

    public init(features: FeatureReport, production: ProductionModel?) {
        self.features = features
        self.production = production
    }

    /// Brings the features up to date and loads the production model. Labels are the caller's
    /// to bring up to date first (jobs report their counts).
    public static func prepare(_ app: App) throws -> JobContext {
        JobContext(features: try app.features.compute(), production: try ProductionModel.load(from: app.store))
    }

    /// The same features with the production model loaded again (after a training run may have
    /// promoted another version).
    public func reloadingProduction(from store: SignalStore) throws -> JobContext {
        JobContext(features: features, production: try ProductionModel.load(from: store))
    }
}

extension App {
    /// A job's context: features brought up to date, the production model loaded once.
    public func prepareJob() throws -> JobContext { try JobContext.prepare(self) }
}
