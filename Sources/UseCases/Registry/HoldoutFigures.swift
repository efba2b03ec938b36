import Foundation
import Learning
import ModelMetrics
import Store

/// A registered version's holdout metrics with every interval its stored rows allow, for
/// `models show` and `models list`: the intervals stored with it; for a version registered
/// before they were stored, those of its compared-models row when that row is the very model
/// (same holdout metrics), else the rate intervals recomputed from its counts (no AUC or Brier
/// interval: they need the holdout's probabilities, which are not stored).
public struct HoldoutFigures: Sendable {
    /// Where the intervals come from.
    public enum Source: String, Sendable {
        /// Stored with the version (`holdout_metrics.intervals`).
        case stored
        /// The chosen model's row of `cv_metrics`, identical holdout metrics.
        case comparedModels = "compared models"
        /// Accuracy, precision, recall and base rate by Wilson from the counts the metrics imply.
        case counts
        /// None could be computed.
        case none
    }

    /// Whether the holdout shows the model ranks signals better than chance.
    public enum Skill: String, Sendable {
        /// The AUC interval lies above 0.5.
        case shown
        /// The AUC interval contains 0.5 (or lies below it): no demonstrated skill.
        case notShown = "none"
        /// No AUC interval is known.
        case unknown
    }

    public var metrics: Metrics
    public var auc: Interval?
    public var accuracy: Interval?
    public var precision: Interval?
    public var recall: Interval?
    public var baseRate: Interval?
    public var brier: Interval?
    public var source: Source
    /// Every interval, when the source holds them all (stored or compared models).
    public var intervals: MetricIntervals?

    /// nil when the version's holdout metrics do not decode.
    public init?(_ record: ModelVersionRecord) {
        guard let metrics = record.holdout else { return nil }
        self.metrics = metrics
        if let stored = record.storedHoldoutIntervals {
            source = .stored
            intervals = stored
        } else if let models = try? JSONDecoder().decode([ModelEvaluation].self, from: Data(record.cvMetrics.utf8)),
                  let same = models.first(where: { $0.algorithm.rawValue == record.algorithm && $0.holdout == metrics && $0.holdoutIntervals != nil }) {
            source = .comparedModels
            intervals = same.holdoutIntervals
        } else if let counts = Self.counts(metrics) {
            source = .counts
            accuracy = Wilson.interval(successes: counts.tp + counts.tn, n: metrics.count)
            precision = Wilson.interval(successes: counts.tp, n: counts.tp + counts.fp)
            recall = Wilson.interval(successes: counts.tp, n: counts.tp + counts.fn)
            baseRate = Wilson.interval(successes: counts.tp + counts.fn, n: metrics.count)
            return
        } else {
            source = .none
            return
        }
        if let i = intervals {
            (auc, accuracy, precision, recall, baseRate, brier) = (i.auc, i.accuracy, i.precision, i.recall, i.baseRate, i.brier)
        }
    }

    public var skill: Skill {
        guard let auc else { return .unknown }
        return auc.lower > 0.5 ? .shown : .notShown
    }

    /// The confusion counts the stored rates imply (n, base rate, recall and accuracy fix them),
    /// checked against the stored precision; nil when they are not whole numbers or disagree.
    static func counts(_ m: Metrics) -> (tp: Int, fp: Int, tn: Int, fn: Int)? {
        let n = Double(m.count)
        guard m.count > 0 else { return nil }
        func whole(_ x: Double) -> Int? { abs(x - x.rounded()) < 1e-6 ? Int(x.rounded()) : nil }
        guard let positives = whole(m.baseRate * n), let correct = whole(m.accuracy * n),
              let tp = whole(m.recall * Double(positives)) else { return nil }
        let fn = positives - tp, tn = correct - tp, fp = m.count - positives - tn
        guard tp >= 0, fn >= 0, tn >= 0, fp >= 0 else { return nil }
        let precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
        guard abs(precision - m.precision) < 1e-9 else { return nil }
        return (tp, fp, tn, fn)
    }

    /// The `models show` table: one metric a line, its value and, where known, its 95 % interval;
    /// then the grade, and "no demonstrated skill" when the AUC interval says so.
    public func lines() -> [String] {
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        func bounds(_ i: Interval?) -> String { i.map { "  [\(f($0.lower)), \(f($0.upper))]" } ?? "" }
        let m = metrics
        var lines = ["  metric            value  95 % interval"]
        let rows: [(String, String, Interval?)] = [
            ("signals", "\(m.count)", nil), ("AUC", f(m.auc), auc), ("accuracy", f(m.accuracy), accuracy),
            ("precision", f(m.precision), precision), ("recall", f(m.recall), recall), ("F1", f(m.f1), nil),
            ("Brier", f(m.brier), brier), ("log loss", f(m.logLoss), nil), ("base rate", f(m.baseRate), baseRate),
            ("lift", String(format: "%.3f", m.lift), nil), ("combined score", f(m.combinedScore), nil),
        ]
        for (name, value, interval) in rows {
            lines.append("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + value.leftPadded(7) + bounds(interval))
        }
        lines.append("  grade           " + m.grade.rawValue)
        switch source {
        case .stored: lines.append("  (AUC by DeLong, rates by Wilson, Brier by a seeded bootstrap)")
        case .comparedModels: lines.append("  (AUC by DeLong, rates by Wilson, Brier by a seeded bootstrap; read from the compared models' table)")
        case .counts: lines.append("  (rates by Wilson from the holdout counts; AUC and Brier intervals were not stored for this version)")
        case .none: lines.append("  (no interval stored for this version)")
        }
        if let auc, skill == .notShown {
            lines.append(auc.contains(0.5)
                ? "  no demonstrated skill: the holdout AUC interval contains 0.5"
                : "  no demonstrated skill: the holdout AUC interval lies below 0.5")
        }
        return lines
    }
}

extension String {
    /// Right-aligned in `n` characters (unchanged when longer).
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
