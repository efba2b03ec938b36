import Foundation
import ModelMetrics

/// The measures of one set of probabilities on labeled signals, the table the replay summary
/// prints for the daemon, for each calendar year and for each baseline: n, base rate, AUC,
/// Brier and its skill, log loss, a calibration table and the success rate of the top signals.
///
/// Every figure carries its 95 % sampling error (the AUCs here differ from 0.5 by a few
/// standard errors at most): the base rate and success rates by Wilson, the AUC by DeLong,
/// the Brier score by a seeded bootstrap (`resamples` resamples). The Brier skill score is
/// 1 − Brier / Brier_ref, where Brier_ref = r(1 − r) is the Brier score of always predicting
/// r, the pooled base rate of these very signals (in sample: a slightly flattering reference).
public struct ReplayScores: Codable, Sendable, Equatable {
    /// Labeled signals measured.
    public var n: Int
    public var successes: Int
    /// The success rate of the signals, with its Wilson interval.
    public var baseRate: Interval
    /// The AUC with its DeLong interval.
    public var auc: Interval
    /// The Brier score with its bootstrap percentile interval.
    public var brier: Interval
    /// The Brier score of predicting the pooled base rate: r(1 − r).
    public var brierReference: Double
    /// 1 − brier / brierReference; nil when the reference is 0 (one class only).
    public var brierSkill: Double?
    public var logLoss: Double
    /// Ten equal-width bins of probability.
    public var calibration: [CalibrationBin]
    /// The top 10 %, 30 % and 50 % of the signals by probability, then all of them.
    public var top: [TopGroup]

    /// One calibration bin: lower ≤ p < upper (the last bin includes 1).
    public struct CalibrationBin: Codable, Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var count: Int
        /// Mean probability of the bin's signals; nil when empty.
        public var meanPredicted: Double?
        /// Observed success rate with its Wilson interval ([0, 1] when empty).
        public var observed: Interval
    }

    /// The signals with the highest probabilities (ties: lower signal id first).
    public struct TopGroup: Codable, Sendable, Equatable {
        /// 10, 30, 50, or 100 for all signals.
        public var percent: Int
        /// ⌈n × percent / 100⌉ signals.
        public var n: Int
        public var successRate: Interval
        /// Mean `return_pct` of those with one; nil when none has.
        public var meanReturnPct: Double?
    }

    /// The shares of the top groups (all signals last).
    public static let topPercents = [10, 30, 50, 100]
    public static let resamples = 1000

    /// Measures `probabilities` against `labels` (1 success) of signals `ids` with their
    /// `returns`; the four arrays are aligned. `seed` draws the Brier bootstrap.
    public init(ids: [String], labels: [Int], probabilities: [Double], returns: [Double?], seed: UInt64) {
        precondition(ids.count == labels.count && labels.count == probabilities.count && probabilities.count == returns.count,
                     "one id, label, probability and return per signal")
        n = labels.count
        successes = labels.filter { $0 == 1 }.count
        baseRate = Wilson.interval(successes: successes, n: n)
        auc = DeLong.interval(labels: labels, scores: probabilities)
        brier = Bootstrap.brierInterval(labels: labels, probabilities: probabilities, resamples: Self.resamples, seed: seed)
        let r = baseRate.estimate
        brierReference = r * (1 - r)
        brierSkill = brierReference > 0 ? 1 - brier.estimate / brierReference : nil
        // The arrays are aligned by the precondition above, so this cannot throw.
        logLoss = (try? Metrics(labels: labels, probabilities: probabilities).logLoss) ?? .nan

        var counts = [Int](repeating: 0, count: 10), wins = [Int](repeating: 0, count: 10)
        var sums = [Double](repeating: 0, count: 10)
        for (y, p) in zip(labels, probabilities) {
            let b = Self.bin(p)
            counts[b] += 1
            wins[b] += y == 1 ? 1 : 0
            sums[b] += p
        }
        calibration = (0..<10).map { b in
            CalibrationBin(lower: Double(b) / 10, upper: Double(b + 1) / 10, count: counts[b],
                           meanPredicted: counts[b] > 0 ? sums[b] / Double(counts[b]) : nil,
                           observed: Wilson.interval(successes: wins[b], n: counts[b]))
        }

        let order = Self.ranking(ids: ids, probabilities: probabilities)
        top = Self.topPercents.map { percent in
            let k = Self.topCount(n: order.count, percent: percent)
            let chosen = order.prefix(k)
            let won = chosen.filter { labels[$0] == 1 }.count
            let known = chosen.compactMap { returns[$0] }
            return TopGroup(percent: percent, n: k, successRate: Wilson.interval(successes: won, n: k),
                            meanReturnPct: known.isEmpty ? nil : known.reduce(0, +) / Double(known.count))
        }
    }

    /// The calibration bin of a probability: ⌊10 p⌋, 1 in the last bin.
    static func bin(_ p: Double) -> Int { min(9, max(0, Int((p * 10).rounded(.down)))) }

    /// ⌈n × percent / 100⌉ in integers (no rounding surprise: 30 % of 10 is 3).
    static func topCount(n: Int, percent: Int) -> Int { (n * percent + 99) / 100 }

    /// Row indices by decreasing probability, ties by increasing signal id.
    static func ranking(ids: [String], probabilities: [Double]) -> [Int] {
        ids.indices.sorted { a, b in
            probabilities[a] != probabilities[b] ? probabilities[a] > probabilities[b] : ids[a] < ids[b]
        }
    }
}
