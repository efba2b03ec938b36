import Foundation
import ModelMetrics

extension ModelVersionRecord {
    /// The holdout metrics stored with the version (the JSON of `Metrics`); nil when unreadable.
    public var holdout: Metrics? { try? Metrics(json: holdoutMetrics) }

    /// The holdout intervals stored with the version (the `intervals` key of `holdout_metrics`);
    /// nil for versions registered before intervals were stored, or when unreadable.
    public var storedHoldoutIntervals: MetricIntervals? {
        (try? JSONDecoder().decode(StoredHoldout.self, from: Data(holdoutMetrics.utf8)))?.intervals
    }
}

/// The `model_versions.holdout_metrics` JSON: every field of `Metrics` at the top level (so the
/// column still decodes as `Metrics`, as older versions of improvementd read it) plus
/// `intervals`, the holdout's `MetricIntervals`, absent in rows stored before intervals existed.
public struct StoredHoldout: Codable, Sendable, Hashable {
    public var metrics: Metrics
    public var intervals: MetricIntervals?

    public init(metrics: Metrics, intervals: MetricIntervals?) {
        self.metrics = metrics
        self.intervals = intervals
    }

    enum CodingKeys: String, CodingKey { case intervals }

    public init(from decoder: any Decoder) throws {
        metrics = try Metrics(from: decoder)
        intervals = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(MetricIntervals.self, forKey: .intervals)
    }

    public func encode(to encoder: any Encoder) throws {
        try metrics.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(intervals, forKey: .intervals)
    }

    /// The column's text (keys sorted).
    public func json() throws -> String {
        String(decoding: try JSONEncoder.sortedKeys().encode(self), as: UTF8.self)
    }
}
