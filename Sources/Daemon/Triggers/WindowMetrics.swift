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

/// The production model's metrics over the evaluation window (SPEC §5.3 definitions).
///
/// Computed here, not in `Learning`, so the Daemon target stays free of the ML libraries.
/// Conventions for degenerate windows (sklearn's `zero_division=0`): precision is 0 when
/// nothing is predicted positive, recall is 0 when there is no positive label, F1 is 0 when
/// precision + recall is 0, and AUC is 0.5 when the window holds only one class (no ranking
/// can be measured). An empty window has no metrics (``compute(_:threshold:)`` returns nil).
public struct WindowMetrics: Hashable, Sendable, Codable {
    public var n: Int
    public var accuracy: Double
    public var auc: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Fraction of signals whose label is success (the base success rate).
    public var successRate: Double

    /// Mean of accuracy, AUC, precision, recall and F1 (SPEC §5.3).
    public var combinedScore: Double { (accuracy + auc + precision + recall + f1) / 5 }

    /// Metrics at decision threshold `threshold` (predicted success when probability ≥ threshold).
    public static func compute(_ predictions: [WindowPrediction], threshold: Double = 0.5) -> WindowMetrics? {
        guard !predictions.isEmpty else { return nil }
        var tp = 0, fp = 0, tn = 0, fn = 0
        for p in predictions {
            let predicted = p.probability >= threshold
            switch (predicted, p.label) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
        }
        let n = predictions.count
        let accuracy = Double(tp + tn) / Double(n)
        let precision = tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp)
        let recall = tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return WindowMetrics(
            n: n, accuracy: accuracy, auc: auc(predictions), precision: precision,
            recall: recall, f1: f1, successRate: Double(tp + fn) / Double(n)
        )
    }

    /// ROC AUC by the rank-sum (Mann-Whitney) formula, ties given their average rank, which
    /// equals counting a tied positive/negative pair as one half. 0.5 with a single class.
    public static func auc(_ predictions: [WindowPrediction]) -> Double {
        let positives = predictions.reduce(0) { $0 + ($1.label ? 1 : 0) }
        let negatives = predictions.count - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        let sorted = predictions.sorted { $0.probability < $1.probability }
        var rankSumPositives = 0.0
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1].probability == sorted[i].probability { j += 1 }
            let averageRank = Double(i + j + 2) / 2  // ranks are 1-based
            for k in i...j where sorted[k].label { rankSumPositives += averageRank }
            i = j + 1
        }
        let p = Double(positives), q = Double(negatives)
        return (rankSumPositives - p * (p + 1) / 2) / (p * q)
    }
}
