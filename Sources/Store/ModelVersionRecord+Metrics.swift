import Foundation
import ModelMetrics

extension ModelVersionRecord {
    /// The holdout metrics stored with the version (the JSON of `Metrics`); nil when unreadable.
    public var holdout: Metrics? { try? Metrics(json: holdoutMetrics) }
}
