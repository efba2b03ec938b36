import Foundation

/// DeLong, DeLong & Clarke-Pearson (1988): the variance of an AUC and the paired test of two AUCs
/// measured on the same rows, from the structural components (placements) of the Mann-Whitney
/// statistic, computed in O(n log n) by ranks as in Sun & Xu (2014).
///
/// Why DeLong: the AUCs of two models scored on the same holdout are strongly correlated (the
/// same easy and hard rows), so the paired test, which subtracts their covariance, detects a
/// difference that two independent intervals, each 0.01-0.03 wide, never separate.
///
/// Ties count one half, as `Metrics.auc`, and the AUC is `Metrics.auc` to the last bit. Labels are
/// positive when equal to 1. As `Metrics.auc`, only the common prefix of the arrays is used.
///
/// Degenerate samples: with fewer than two rows in either class the variance is `nil`. With one
/// class only there is no AUC at all (0.5 by convention) and with a single row of a class the
/// sample variance of its placements divides by zero: the uncertainty cannot be estimated, which
/// is not the same as infinite, and `nil` keeps a caller from ever forming an interval or a z
/// from it. `interval` then returns the whole [0, 1] (nothing is known), which contains 0.5.
/// A perfect (or perfectly reversed) ranking has variance 0: DeLong's estimate is degenerate
/// there and its interval collapses to the point.
public enum DeLong {
    /// The AUC and its DeLong variance (`nil` when either class has fewer than two rows).
    public static func auc(labels: [Int], scores: [Double]) -> (auc: Double, variance: Double?) {
        let n = min(labels.count, scores.count)
        let labels = Array(labels.prefix(n))
        guard let c = components(labels: labels, scores: Array(scores.prefix(n))) else {
            return (Metrics.auc(labels: labels, scores: Array(scores.prefix(n))), nil)
        }
        let m = Double(c.v10.count), k = Double(c.v01.count)
        let variance = sampleCovariance(c.v10, c.v10, c.auc) / m + sampleCovariance(c.v01, c.v01, c.auc) / k
        return (c.auc, max(0, variance))
    }

    /// The normal-approximation interval auc ± z·√variance, clamped to [0, 1]; the whole [0, 1]
    /// around 0.5 (or the AUC) when the variance cannot be estimated.
    public static func interval(labels: [Int], scores: [Double], level: Double = 0.95) -> Interval {
        let (auc, variance) = auc(labels: labels, scores: scores)
        guard let variance else { return Interval(estimate: auc, lower: 0, upper: 1, level: level) }
        let half = Normal.critical(level: level) * variance.squareRoot()
        return Interval(estimate: auc, lower: max(0, auc - half), upper: min(1, auc + half), level: level)
    }

    /// The paired test of AUC(a) − AUC(b) for two models scored on the same rows.
    public static func compare(labels: [Int], a: [Double], b: [Double], level: Double = 0.95) -> PairedAUCTest {
        let n = min(labels.count, a.count, b.count)
        let labels = Array(labels.prefix(n)), a = Array(a.prefix(n)), b = Array(b.prefix(n))
        guard let ca = components(labels: labels, scores: a), let cb = components(labels: labels, scores: b) else {
            return PairedAUCTest(aucA: Metrics.auc(labels: labels, scores: a), aucB: Metrics.auc(labels: labels, scores: b),
                                 varianceA: nil, varianceB: nil, covariance: nil, level: level)
        }
        let m = Double(ca.v10.count), k = Double(ca.v01.count)
        func variance(_ x: Components, _ y: Components) -> Double {
            sampleCovariance(x.v10, y.v10, x.auc, y.auc) / m + sampleCovariance(x.v01, y.v01, x.auc, y.auc) / k
        }
        return PairedAUCTest(aucA: ca.auc, aucB: cb.auc, varianceA: max(0, variance(ca, ca)),
                             varianceB: max(0, variance(cb, cb)), covariance: variance(ca, cb), level: level)
    }

    /// The placements: for each positive, the fraction of negatives it outranks (ties ½), and for
    /// each negative, the fraction of positives that outrank it. Their means are both the AUC.
    struct Components {
        var v10: [Double]
        var v01: [Double]
        var auc: Double
    }

    /// `nil` when either class has fewer than two rows. O(n log n): with midranks T over all rows
    /// and T₁, T₀ within each class, V10ᵢ = (Tᵢ − T₁ᵢ) / n₀ and V01ⱼ = 1 − (Tⱼ − T₀ⱼ) / n₁.
    static func components(labels: [Int], scores: [Double]) -> Components? {
        var positive: [Double] = [], negative: [Double] = []
        var positiveIndex: [Int] = [], negativeIndex: [Int] = []
        for (i, (y, s)) in zip(labels, scores).enumerated() {
            if y == 1 { positive.append(s); positiveIndex.append(i) } else { negative.append(s); negativeIndex.append(i) }
        }
        guard positive.count >= 2, negative.count >= 2 else { return nil }
        let all = Metrics.averageRanks(scores)
        let withinPositive = Metrics.averageRanks(positive), withinNegative = Metrics.averageRanks(negative)
        let m = Double(positive.count), k = Double(negative.count)
        var v10 = [Double](repeating: 0, count: positive.count)
        for (r, i) in positiveIndex.enumerated() { v10[r] = (all[i] - withinPositive[r]) / k }
        var v01 = [Double](repeating: 0, count: negative.count)
        for (r, j) in negativeIndex.enumerated() { v01[r] = 1 - (all[j] - withinNegative[r]) / m }
        // The AUC as `Metrics.auc` computes it (the same rank sum in the same order), so that the
        // two agree to the last bit; the placements' means equal it up to rounding.
        var rankSum = 0.0
        for i in positiveIndex { rankSum += all[i] }
        let auc = (rankSum - m * (m + 1) / 2) / (m * k)
        return Components(v10: v10, v01: v01, auc: auc)
    }

    /// Σ (xᵢ − mx)(yᵢ − my) / (count − 1).
    private static func sampleCovariance(_ x: [Double], _ y: [Double], _ mx: Double, _ my: Double? = nil) -> Double {
        let my = my ?? mx
        var sum = 0.0
        for i in x.indices { sum += (x[i] - mx) * (y[i] - my) }
        return sum / Double(x.count - 1)
    }
}

/// The paired DeLong test of two AUCs on the same rows: the difference a − b, its variance
/// var(a) + var(b) − 2 cov(a, b), its interval, z and p-values. A promotion or a selection
/// between models is this test, never a raw difference of AUCs.
///
/// Degenerate cases, so that no NaN escapes: when a variance cannot be estimated (fewer than two
/// rows in a class) every variance, `z` and `standardError` are `nil`, the interval is the whole
/// [−1, 1] and the p-values say "no evidence" (one-sided 0.5, two-sided 1). When the variance of
/// the difference is exactly 0 (identical models; or both degenerate, e.g. perfect rankings), `z`
/// is `nil` and the p-values are their limits: a zero difference gives one-sided 0.5 and
/// two-sided 1 (identical models are no evidence either way); a non-zero difference gives 0 or 1.
public struct PairedAUCTest: Codable, Hashable, Sendable {
    public var aucA: Double
    public var aucB: Double
    /// AUC(a) − AUC(b).
    public var difference: Double
    public var varianceA: Double?
    public var varianceB: Double?
    /// The DeLong covariance of the two AUCs.
    public var covariance: Double?
    /// var(a) + var(b) − 2 cov(a, b), never below 0.
    public var variance: Double?
    /// A two-sided interval of the difference, clamped to [−1, 1].
    public var interval: Interval
    /// difference / √variance; `nil` when the variance is 0 or unknown.
    public var z: Double?
    /// The one-sided p-value of "a > b": P(Z ≥ z) under equal AUCs.
    public var pGreater: Double
    /// The two-sided p-value of "a ≠ b".
    public var pTwoSided: Double

    public var standardError: Double? { variance.map { $0.squareRoot() } }

    init(aucA: Double, aucB: Double, varianceA: Double?, varianceB: Double?, covariance: Double?, level: Double) {
        self.aucA = aucA
        self.aucB = aucB
        difference = aucA - aucB
        self.varianceA = varianceA
        self.varianceB = varianceB
        self.covariance = covariance
        if let varianceA, let varianceB, let covariance {
            variance = max(0, varianceA + varianceB - 2 * covariance)
        } else {
            variance = nil
        }
        switch variance {
        case nil:
            z = nil
            pGreater = 0.5
            pTwoSided = 1
            interval = Interval(estimate: difference, lower: -1, upper: 1, level: level)
        case let v? where v == 0:
            z = nil
            pGreater = difference > 0 ? 0 : difference < 0 ? 1 : 0.5
            pTwoSided = difference == 0 ? 1 : 0
            interval = Interval(estimate: difference, lower: difference, upper: difference, level: level)
        case let v?:
            let se = v.squareRoot()
            let z = difference / se
            self.z = z
            pGreater = Normal.survival(z)
            pTwoSided = min(1, 2 * Normal.survival(abs(z)))
            let half = Normal.critical(level: level) * se
            interval = Interval(estimate: difference, lower: max(-1, difference - half),
                                upper: min(1, difference + half), level: level)
        }
    }
}
