import Foundation

/// The grade of a model's combined score (README.md, "Training, the registry and scoring"):
/// EXCELLENT > 0.80, GOOD 0.70-0.80, FAIR 0.60-0.70, NEEDS_IMPROVEMENT < 0.60. A score exactly
/// on an edge gets the lower grade (0.80 is GOOD, 0.70 is FAIR) except that 0.60 itself is FAIR
/// ("< 0.60" needs improvement).
public enum Grade: String, Codable, Sendable, CaseIterable, Comparable {
    case needsImprovement = "NEEDS_IMPROVEMENT"
    case fair = "FAIR"
    case good = "GOOD"
    case excellent = "EXCELLENT"

    /// The grade of a combined score.
    public init(score: Double) {
        if score > 0.80 { self = .excellent }
        else if score > 0.70 { self = .good }
        else if score >= 0.60 { self = .fair }
        else { self = .needsImprovement }
    }

    public static func < (a: Grade, b: Grade) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Metrics of a scored sample of a binary classifier: the holdout, a CV fold or the daemon's
/// evaluation window, all computed from labels and probabilities at the 0.5 threshold (a
/// probability of exactly 0.5 predicts success).
///
/// Undefined ratios are 0, as sklearn's `zero_division=0` (precision with no predicted
/// positives, recall with no positives, F1 when precision + recall is 0, lift with a zero base
/// rate); AUC is 0.5 when only one class is present (no ranking can be measured).
///
/// Stored as JSON in `model_versions.holdout_metrics` and `cv_metrics` under these property
/// names: renaming one changes the stored format.
public struct Metrics: Codable, Sendable, Hashable {
    public var count: Int
    public var accuracy: Double
    public var auc: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var brier: Double
    public var logLoss: Double
    /// Fraction of successful (label 1) rows: the window's success rate.
    public var baseRate: Double
    /// precision / base rate.
    public var lift: Double
    /// mean(accuracy, AUC, precision, recall, F1).
    public var combinedScore: Double
    public var grade: Grade

    /// Decodes metrics stored as JSON (`model_versions.holdout_metrics`).
    public init(json: String) throws {
        self = try JSONDecoder().decode(Metrics.self, from: Data(json.utf8))
    }

    /// Computes every metric; throws `shapeMismatch` when the arrays differ in length.
    public init(labels: [Int], probabilities: [Double], threshold: Double = 0.5) throws {
        guard labels.count == probabilities.count else {
            throw MetricsError.shapeMismatch(labels: labels.count, probabilities: probabilities.count)
        }
        let n = labels.count
        var tp = 0, fp = 0, tn = 0, fn = 0
        var brier = 0.0, logLoss = 0.0
        for (y, p) in zip(labels, probabilities) {
            let predicted = p >= threshold
            switch (predicted, y == 1) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
            brier += (p - Double(y)) * (p - Double(y))
            let q = min(max(p, 1e-15), 1 - 1e-15)
            logLoss -= y == 1 ? log(q) : log(1 - q)
        }
        let dn = Double(max(n, 1))
        count = n
        accuracy = Double(tp + tn) / dn
        precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
        recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
        f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        self.brier = brier / dn
        self.logLoss = logLoss / dn
        baseRate = Double(tp + fn) / dn
        lift = baseRate > 0 ? precision / baseRate : 0
        auc = Metrics.auc(labels: labels, scores: probabilities)
        combinedScore = (accuracy + auc + precision + recall + f1) / 5
        grade = Grade(score: combinedScore)
    }

    /// ROC AUC by the Mann-Whitney U statistic with average ranks for tied scores;
    /// 0.5 when either class is absent.
    public static func auc(labels: [Int], scores: [Double]) -> Double {
        let n = min(labels.count, scores.count)
        let positives = labels.prefix(n).reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
        let negatives = n - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        let ranks = averageRanks(Array(scores.prefix(n)))
        var rankSum = 0.0
        for i in 0..<n where labels[i] == 1 { rankSum += ranks[i] }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// 1-based ranks, ties sharing their average rank.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = average }
            i = j + 1
        }
        return ranks
    }
}

/// Why metrics could not be computed.
public enum MetricsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The label and probability arrays differ in length.
    case shapeMismatch(labels: Int, probabilities: Int)

    public var description: String {
        switch self {
        case .shapeMismatch(let labels, let probabilities): "\(labels) labels but \(probabilities) probabilities"
        }
    }
}
