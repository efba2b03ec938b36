import Foundation

/// The Wilson score interval of a binomial proportion (Wilson 1927), for accuracy, precision,
/// recall and the success rate. Chosen over the textbook Wald interval p ± z√(p(1−p)/n), which
/// collapses to a point at 0 or n successes and undercovers for small n (Newcombe 1998).
public enum Wilson {
    /// The interval of `successes` out of `n` at `level`, estimate successes / n, within [0, 1].
    /// With n = 0 the sample says nothing: the whole [0, 1] with estimate 0 (0, as the
    /// `zero_division=0` convention of `Metrics`, so the estimates match its values).
    public static func interval(successes: Int, n: Int, level: Double = 0.95) -> Interval {
        precondition(successes >= 0 && successes <= max(n, 0), "successes lie in 0...n")
        guard n > 0 else { return Interval(estimate: 0, lower: 0, upper: 1, level: level) }
        let z = Normal.critical(level: level)
        let nn = Double(n), p = Double(successes) / nn, z2 = z * z
        let denominator = 1 + z2 / nn
        let center = (p + z2 / (2 * nn)) / denominator
        let half = z / denominator * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        // Exact at the ends (0 successes → lower 0, n → upper 1) despite rounding.
        let lower = successes <= 0 ? 0 : max(0, min(p, center - half))
        let upper = successes >= n ? 1 : min(1, max(p, center + half))
        return Interval(estimate: p, lower: lower, upper: upper, level: level)
    }
}
