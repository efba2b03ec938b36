import Foundation
import ModelMetrics

/// Thresholds of the retrain triggers (README.md, "The daemon"): a plain value the
/// configuration builds, so the policy needs no decoding.
///
/// Comparisons treat values within ``epsilon`` (1e-9) of a threshold as equal to it, so a
/// ratio that is mathematically on the threshold behaves as documented whatever floating
/// point does to it: accuracy 0.600 does not fire (`< 0.60`), a 10 % relative drop fires
/// (`>= 10 %`) even when computed as 0.0999999999.
public struct TriggerThresholds: Sendable, Hashable {
    /// `accuracy` fires when the window accuracy is below this. Default 0.60.
    public var accuracy: Double
    /// `success_rate` fires when the fraction of successful signals is below this. Default 0.50.
    public var successRate: Double
    /// `degradation` fires when the combined score fell by at least this fraction of the
    /// production model's holdout combined score. Default 0.10 (10 % relative).
    public var degradation: Double
    /// `schedule` fires when the last full retrain is at least this many days old. Default 30.
    public var scheduleDays: Double
    /// `insufficient_data` fires below this many labeled signals in the window; accuracy,
    /// success_rate and degradation are then untrusted. Default 50.
    public var minSignals: Int

    public static let epsilon = 1e-9

    public init(
        accuracy: Double = 0.60, successRate: Double = 0.50, degradation: Double = 0.10,
        scheduleDays: Double = 30, minSignals: Int = 50
    ) {
        self.accuracy = accuracy
        self.successRate = successRate
        self.degradation = degradation
        self.scheduleDays = scheduleDays
        self.minSignals = minSignals
    }

    /// Evaluates every trigger over `inputs`. Pure.
    public func evaluate(_ inputs: TriggerInputs) -> TriggerReport {
        let metrics = Metrics(window: inputs.predictions)
        let intervals = MetricIntervals(window: inputs.predictions)
        let n = inputs.predictions.count
        let enough = n >= minSignals
        let eps = Self.epsilon
        var results: [TriggerResult] = []

        // accuracy < threshold
        let acc = metrics?.accuracy
        results.append(TriggerResult(
            name: .accuracy, value: acc, threshold: accuracy, n: n,
            fired: enough && acc.map { $0 < accuracy - eps } == true, trusted: enough && acc != nil,
            interval: intervals?.accuracy
        ))
        // success_rate < threshold: the window's base rate
        let sr = metrics?.baseRate
        results.append(TriggerResult(
            name: .successRate, value: sr, threshold: successRate, n: n,
            fired: enough && sr.map { $0 < successRate - eps } == true, trusted: enough && sr != nil,
            interval: intervals?.baseRate
        ))
        // degradation: relative drop of the combined score >= threshold
        var drop: Double?
        if let score = metrics?.combinedScore, let holdout = inputs.holdoutCombinedScore, holdout > 0 {
            drop = (holdout - score) / holdout
        }
        results.append(TriggerResult(
            name: .degradation, value: drop, threshold: degradation, n: n,
            fired: enough && drop.map { $0 >= degradation - eps } == true, trusted: enough && drop != nil
        ))
        // schedule: never retrained, or >= scheduleDays
        let days = inputs.daysSinceFullRetrain
        results.append(TriggerResult(
            name: .schedule, value: days, threshold: scheduleDays, n: n,
            fired: days.map { $0 >= scheduleDays - eps } ?? true, trusted: true
        ))
        // insufficient_data: n < minSignals (a trigger of its own: it fires)
        results.append(TriggerResult(
            name: .insufficientData, value: Double(n), threshold: Double(minSignals), n: n,
            fired: !enough, trusted: true
        ))

        let fired = results.filter { $0.fired && $0.trusted }.map(\.name)
        return TriggerReport(triggers: results, metrics: metrics, firedTriggers: fired, intervals: intervals)
    }
}

/// One prediction of the production model on a signal labeled in the evaluation window.
public struct WindowPrediction: Hashable, Sendable, Codable {
    /// Predicted probability that the signal succeeds, in [0, 1].
    public var probability: Double
    /// The outcome label: true when the signal succeeded.
    public var label: Bool

    public init(probability: Double, label: Bool) {
        self.probability = probability
        self.label = label
    }
}

extension Metrics {
    /// The metrics of the production model over the evaluation window; nil for an empty window
    /// (no metric is defined on no signal).
    public init?(window predictions: [WindowPrediction]) {
        guard !predictions.isEmpty else { return nil }
        // Both arrays come from the same predictions: their lengths always match.
        guard let m = try? Metrics(labels: predictions.map { $0.label ? 1 : 0 }, probabilities: predictions.map(\.probability)) else {
            return nil
        }
        self = m
    }
}

extension MetricIntervals {
    /// The 95 % intervals of the window's metrics (seeded, so a check is reproducible); nil for
    /// an empty window, as `Metrics(window:)`.
    public init?(window predictions: [WindowPrediction]) {
        guard !predictions.isEmpty else { return nil }
        // Both arrays come from the same predictions: their lengths always match.
        guard let i = try? MetricIntervals(labels: predictions.map { $0.label ? 1 : 0 }, probabilities: predictions.map(\.probability)) else {
            return nil
        }
        self = i
    }
}

/// What the trigger check knows about the production model.
public struct TriggerInputs: Hashable, Sendable {
    /// The production model's predictions on the signals labeled in the evaluation window.
    public var predictions: [WindowPrediction]
    /// The production model's combined score on its holdout; nil when there is no production
    /// model (degradation is then not computed and does not fire).
    public var holdoutCombinedScore: Double?
    /// Days since the last full retrain; nil = never (the schedule trigger then fires).
    /// Fractional days are allowed: 29.99 does not fire at 30.
    public var daysSinceFullRetrain: Double?

    public init(predictions: [WindowPrediction], holdoutCombinedScore: Double?, daysSinceFullRetrain: Double?) {
        self.predictions = predictions
        self.holdoutCombinedScore = holdoutCombinedScore
        self.daysSinceFullRetrain = daysSinceFullRetrain
    }
}

/// The triggers' names as stored in `decisions` and logged (`TRIGGER=accuracy`).
public enum TriggerName: String, Codable, Sendable, CaseIterable, Hashable {
    case accuracy
    case successRate = "success_rate"
    case degradation
    case schedule
    case insufficientData = "insufficient_data"
}

/// One trigger's outcome: the measured value against its threshold over `n` labeled signals.
///
/// `trusted` is false for accuracy, success_rate and degradation when `n` is below
/// ``TriggerThresholds/minSignals`` (or the value could not be computed); such a trigger is
/// reported but never fires. `value` is nil when it could not be computed (empty window, no
/// production model, never retrained).
///
/// `interval`: the value's 95 % Wilson interval when the value is a rate of the window
/// (accuracy, success_rate); nil for the others, and in rows stored before intervals existed
/// (the key is then absent from the JSON and decodes as nil).
public struct TriggerResult: Hashable, Sendable, Codable {
    public var name: TriggerName
    public var value: Double?
    public var threshold: Double
    public var n: Int
    public var fired: Bool
    public var trusted: Bool
    public var interval: Interval?

    public init(name: TriggerName, value: Double?, threshold: Double, n: Int, fired: Bool, trusted: Bool, interval: Interval? = nil) {
        self.name = name
        self.value = value
        self.threshold = threshold
        self.n = n
        self.fired = fired
        self.trusted = trusted
        self.interval = interval
    }
}

/// Every trigger of one check and the window metrics: the `triggers` JSON of a `decisions` row.
public struct TriggerReport: Hashable, Sendable, Codable {
    public var triggers: [TriggerResult]
    /// Window metrics of the production model; nil for an empty window.
    public var metrics: Metrics?
    /// Names of the triggers that fired and are trusted, in table order.
    public var firedTriggers: [TriggerName]
    /// The 95 % intervals of the window metrics (AUC DeLong, rates Wilson, Brier bootstrap); nil
    /// for an empty window and in rows stored before intervals existed.
    public var intervals: MetricIntervals?

    public init(triggers: [TriggerResult], metrics: Metrics?, firedTriggers: [TriggerName], intervals: MetricIntervals? = nil) {
        self.triggers = triggers
        self.metrics = metrics
        self.firedTriggers = firedTriggers
        self.intervals = intervals
    }

    /// The result of trigger `name`.
    public subscript(name: TriggerName) -> TriggerResult? { triggers.first { $0.name == name } }
}
