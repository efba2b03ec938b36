import Foundation
import Learning
import Logging
import Store
import TradingDomain

/// What a job scores with when production's artifact fails its checksum or cannot be loaded:
/// the most recent earlier production version that verifies, loads and scores the current
/// features (README.md, "Operations"), so one bad artifact does not stop scoring.
public struct ProductionFallback: Sendable, CustomStringConvertible {
    /// The production version that could not be loaded.
    public var broken: ModelVersionRecord
    /// Why it could not be loaded (the checksum refusal or the loader's error).
    public var brokenReason: String
    /// The earlier version scoring in its place; nil when none is usable.
    public var used: ProductionModel?
    /// The earlier versions looked at before `used` (or all of them), most recent first, with why
    /// each was passed over.
    public var passedOver: [(version: Int, reason: String)]

    public var description: String {
        let head = "production model v\(broken.version) could not be loaded (\(brokenReason))"
        let tried = passedOver.map { "v\($0.version): \($0.reason)" }
        if let used {
            return "\(head); scoring with v\(used.record.version), the most recent earlier production version that verifies and scores the current features"
                + (tried.isEmpty ? "" : " (passed over \(tried.joined(separator: "; ")))")
        }
        let versions = ([broken.version] + passedOver.map(\.version)).map { "v\($0)" }.joined(separator: ", ")
        return "\(head), and no earlier production version can score the current features"
            + (tried.isEmpty ? " (none was ever production before it)" : " (\(tried.joined(separator: "; ")))")
            + "; versions tried: \(versions); retrain (improvementd train) or restore a backup"
    }

    /// Loads `version` from checksum-verified bytes, or says why it cannot be.
    static func loading(_ record: ModelVersionRecord, from store: SignalStore) -> Result<ProductionModel, ProductionUnavailable> {
        let bytes: [UInt8]
        do { bytes = try store.artifact(record.version) } catch { return .failure(ProductionUnavailable(description: error.message)) }
        do {
            return .success(ProductionModel(record: record, classifier: try Classifiers.load(bytes)))
        } catch {
            return .failure(ProductionUnavailable(description: "its artifact cannot be loaded: \(error)"))
        }
    }

    /// The store's production model, or, when its artifact cannot be used, a fallback: nil
    /// fallback and the model when production loads; nil for both when there is no production.
    /// `schemaHash`: the current features, which a fallback version must score.
    public static func resolve(store: SignalStore, schemaHash: String) throws -> (production: ProductionModel?, fallback: ProductionFallback?) {
        guard let record = try store.productionModel() else { return (nil, nil) }
        let why: String
        switch loading(record, from: store) {
        case .success(let model): return (model, nil)
        case .failure(let error): why = error.description
        }
        var fallback = ProductionFallback(broken: record, brokenReason: why, used: nil, passedOver: [])
        var seen: Set<Int> = [record.version]
        for period in try store.promotionHistory().reversed() where seen.insert(period.version).inserted {
            let candidate = try store.modelVersion(period.version)
            guard candidate.featureSchemaHash == schemaHash else {
                fallback.passedOver.append((candidate.version, "trained on feature schema \(candidate.featureSchemaHash), the current features are schema \(schemaHash)"))
                continue
            }
            switch loading(candidate, from: store) {
            case .success(let model):
                fallback.used = model
                return (model, fallback)
            case .failure(let error):
                fallback.passedOver.append((candidate.version, error.description))
            }
        }
        return (nil, fallback)
    }

    /// The fallback a job would use now, for `status`: resolved against the feature schema of
    /// what the store holds, without computing or writing anything. Nil when production loads
    /// (or there is none).
    public static func current(store: SignalStore) throws -> ProductionFallback? {
        try resolve(store: store, schemaHash: FeatureSchema(externalNames: try store.externalNames()).hash).fallback
    }

    /// Records the fallback once for a job: a `decisions` row (action `fallback`, naming both
    /// versions; docs/SCHEMA.md) and an error record in the journal.
    public func record(job: String, store: SignalStore, logger: Logger, at now: Date = Date()) throws {
        let result = used.map { "scoring with v\($0.record.version)" } ?? "no usable version"
        _ = try store.insertDecision(
            job: job, triggers: "{}", action: "fallback", reason: description, result: result,
            modelVersion: used?.record.version, at: now
        )
        var metadata: Logger.Metadata = ["event": "error", "job": "\(job)", "broken_version": "\(broken.version)", "reason": "\(description)"]
        if let used { metadata["model_version"] = "\(used.record.version)" }
        logger.error("\(description)", metadata: metadata)
    }
}

/// Production cannot be loaded and no earlier version can take its place; the message names
/// every version tried and why.
public struct ProductionUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String
}
