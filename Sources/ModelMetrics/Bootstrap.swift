import Foundation

/// Seeded bootstrap percentile intervals, for statistics with no usable closed-form variance
/// (the Brier score, and any other later). Deterministic: equal seeds give equal intervals on
/// every platform, so a stored interval can be reproduced.
public enum Bootstrap {
    /// The percentile interval of `statistic` over `resamples` resamples (with replacement) of
    /// the row indices 0..<n. The estimate is the statistic on the original rows (0..<n in order).
    ///
    /// `strata` (one value per row, e.g. the labels) resamples within each stratum, keeping its
    /// size: needed for an AUC, so that every resample keeps both classes and the class balance.
    /// Resamples whose statistic is not finite are dropped. `nil` when n is 0 or no resample gives
    /// a finite value. Percentiles interpolate linearly between order statistics (numpy's
    /// default).
    public static func interval(
        n: Int, resamples: Int = 1000, seed: UInt64, level: Double = 0.95, strata: [Int]? = nil,
        statistic: ([Int]) -> Double
    ) -> Interval? {
        precondition(level > 0 && level < 1, "a confidence level lies strictly between 0 and 1")
        guard n > 0, resamples > 0 else { return nil }
        let groups: [[Int]]
        if let strata {
            precondition(strata.count == n, "one stratum per row")
            var byKey: [Int: [Int]] = [:]
            for (i, s) in strata.enumerated() { byKey[s, default: []].append(i) }
            groups = byKey.keys.sorted().map { byKey[$0]! }
        } else {
            groups = [Array(0..<n)]
        }
        var generator = BootstrapGenerator(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var indices = [Int](repeating: 0, count: n)
        for _ in 0..<resamples {
            var k = 0
            for group in groups {
                for _ in group.indices {
                    indices[k] = group[generator.nextInt(below: group.count)]
                    k += 1
                }
            }
            let value = statistic(indices)
            if value.isFinite { values.append(value) }
        }
        guard !values.isEmpty else { return nil }
        values.sort()
        let alpha = (1 - level) / 2
        return Interval(estimate: statistic(Array(0..<n)), lower: percentile(values, alpha),
                        upper: percentile(values, 1 - alpha), level: level)
    }

    /// The Brier score, mean (p − y)², with its bootstrap percentile interval. With no rows, the
    /// whole [0, 1] with estimate 0 (as `Metrics.brier`). Labels are 1 for success, else 0.
    public static func brierInterval(
        labels: [Int], probabilities: [Double], resamples: Int = 1000, seed: UInt64, level: Double = 0.95
    ) -> Interval {
        let n = min(labels.count, probabilities.count)
        let squared = (0..<n).map { i in
            let e = probabilities[i] - (labels[i] == 1 ? 1.0 : 0.0)
            return e * e
        }
        let interval = Self.interval(n: n, resamples: resamples, seed: seed, level: level) { rows in
            var sum = 0.0
            for i in rows { sum += squared[i] }
            return sum / Double(rows.count)
        }
        return interval ?? Interval(estimate: 0, lower: 0, upper: 1, level: level)
    }

    /// Linear interpolation between the order statistics of sorted `values` at fraction q.
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        let position = q * Double(values.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, values.count - 1)
        let fraction = position - Double(below)
        return values[below] + fraction * (values[above] - values[below])
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), the generator of the bootstrap. A private copy:
/// `Learning` has the same generator, but `Learning` depends on this module, so this pure leaf
/// module cannot import it; and it stays internal so that code importing both modules sees only
/// one `SplitMix64`.
struct BootstrapGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound (bound > 0), without modulo bias (Lemire's multiply and
    /// reject, written out so that the sequence does not depend on the standard library's).
    mutating func nextInt(below bound: Int) -> Int {
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    mutating func nextUniform() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
