import Foundation

/// The sampling error of a scored sample's metrics (the same labels and probabilities as
/// `Metrics`, at the same threshold): AUC by DeLong, accuracy, precision, recall and the success
/// rate by Wilson, Brier by a seeded bootstrap. Each estimate equals the matching `Metrics` value.
///
/// A separate value, so that the stored JSON of `Metrics` (`model_versions.holdout_metrics`)
/// keeps its format and stores written by older versions still decode. Stored as JSON under these
/// property names.
public struct MetricIntervals: Codable, Hashable, Sendable {
    public var count: Int
    public var level: Double
    public var auc: Interval
    public var accuracy: Interval
    public var precision: Interval
    public var recall: Interval
    /// The fraction of successful (label 1) rows: the window's success rate.
    public var baseRate: Interval
    public var brier: Interval

    /// Computes every interval; throws `shapeMismatch` when the arrays differ in length.
    /// The Brier interval uses `resamples` bootstrap resamples drawn from `seed`.
    public init(
        labels: [Int], probabilities: [Double], threshold: Double = 0.5, level: Double = 0.95,
        resamples: Int = 1000, seed: UInt64 = 0x5EED
    ) throws {
        guard labels.count == probabilities.count else {
            throw MetricsError.shapeMismatch(labels: labels.count, probabilities: probabilities.count)
        }
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (y, p) in zip(labels, probabilities) {
            switch (p >= threshold, y == 1) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
        }
        count = labels.count
        self.level = level
        auc = DeLong.interval(labels: labels, scores: probabilities, level: level)
        accuracy = Wilson.interval(successes: tp + tn, n: count, level: level)
        precision = Wilson.interval(successes: tp, n: tp + fp, level: level)
        recall = Wilson.interval(successes: tp, n: tp + fn, level: level)
        baseRate = Wilson.interval(successes: tp + fn, n: count, level: level)
        brier = Bootstrap.brierInterval(labels: labels, probabilities: probabilities,
                                        resamples: resamples, seed: seed, level: level)
    }

    /// "No demonstrated skill": the AUC interval contains 0.5, so the sample cannot tell the
    /// model from a coin (also true when the AUC's variance cannot be estimated).
    public var noDemonstratedSkill: Bool { auc.contains(0.5) }
}
