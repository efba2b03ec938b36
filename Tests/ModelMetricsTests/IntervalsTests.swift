import Foundation
import Testing
@testable import ModelMetrics

// Reference values: Tests/ModelMetricsTests/Fixtures/intervals_reference.py (numpy O(n²) DeLong,
// cross-checked by the two-sample jackknife; scipy 1.17 for Wilson and the normal distribution).
// Rerun the script to regenerate them; the tests themselves need no Python.

private func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}

@Suite struct NormalTests {
    @Test func quantileMatchesKnownValues() {
        // scipy.stats.norm.ppf.
        let known: [(Double, Double)] = [
            (0.975, 1.959963984540054), (0.995, 2.5758293035489004), (0.9, 1.2815515655446004),
            (0.5, 0), (0.025, -1.9599639845400545), (1e-10, -6.361340902404056),
            (0.02425, -1.972961051311885), (0.97575, 1.972961051311885), (1 - 1e-12, 7.0344869100478356),
        ]
        for (p, x) in known { #expect(close(Normal.quantile(p), x, 1e-9), "quantile(\(p))") }
        #expect(close(Normal.critical(level: 0.95), 1.959963984540054, 1e-9))
        #expect(Normal.quantile(0) == -.infinity && Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(1.5).isNaN && Normal.quantile(-0.1).isNaN)
    }

    @Test func cdfMatchesKnownValuesAndInvertsTheQuantile() {
        // scipy.stats.norm.cdf.
        let known: [(Double, Double)] = [
            (0, 0.5), (1, 0.8413447460685429), (-1.959963984540054, 0.025), (3, 0.9986501019683699),
            (0.5, 0.6914624612740131),
        ]
        for (x, p) in known { #expect(close(Normal.cdf(x), p, 1e-9), "cdf(\(x))") }
        // The far tail keeps its relative precision: Φ(−8) = 6.22096057427174e-16.
        #expect(abs(Normal.cdf(-8) / 6.22096057427174e-16 - 1) < 1e-9)
        #expect(abs(Normal.survival(8) / 6.22096057427174e-16 - 1) < 1e-9)
        for p in stride(from: 0.001, through: 0.999, by: 0.007) {
            #expect(abs(Normal.cdf(Normal.quantile(p)) - p) < 1e-14)
        }
    }
}

@Suite struct IntervalValueTests {
    @Test func rendersContainsAndRoundTrips() throws {
        let i = Interval(estimate: 0.5342, lower: 0.51249, upper: 0.5561)
        #expect(i.description == "0.534 [0.512, 0.556]")
        #expect("\(i)" == "0.534 [0.512, 0.556]")
        #expect(i.formatted(decimals: 2) == "0.53 [0.51, 0.56]")
        #expect(i.formatted(decimals: 0) == "1 [1, 1]")
        #expect(i.level == 0.95)
        #expect(i.contains(0.52) && i.contains(0.51249) && i.contains(0.5561))
        #expect(!i.contains(0.5) && !i.contains(0.6))
        #expect(abs(i.width - 0.04361) < 1e-12)
        #expect(Interval(estimate: -0.0001, lower: -0.01, upper: 0.0004, level: 0.9).description == "0.000 [-0.010, 0.000]")
        let decoded = try JSONDecoder().decode(Interval.self, from: JSONEncoder().encode(i))
        #expect(decoded == i)
    }
}

@Suite struct DeLongTests {
    // Fixture 1 of the reference script: 20 rows, ties within and across classes.
    let labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1]
    let a = [0.90, 0.80, 0.55, 0.55, 0.55, 0.10, 0.70, 0.40, 0.65, 0.30,
             0.65, 0.20, 0.85, 0.35, 0.45, 0.50, 0.05, 0.75, 0.60, 0.40]
    let b = [0.70, 0.75, 0.45, 0.45, 0.50, 0.20, 0.65, 0.45, 0.55, 0.40,
             0.60, 0.35, 0.60, 0.30, 0.40, 0.60, 0.25, 0.55, 0.50, 0.50]

    @Test func varianceAndIntervalMatchTheNumpyReference() {
        let (auc, variance) = DeLong.auc(labels: labels, scores: a)
        #expect(close(auc, 0.71))
        #expect(auc == Metrics.auc(labels: labels, scores: a))
        #expect(close(variance, 0.014255555555555553))
        let i = DeLong.interval(labels: labels, scores: a)
        #expect(close(i.estimate, 0.71))
        #expect(close(i.lower, 0.4759869028605791, 1e-9))
        #expect(close(i.upper, 0.94401309713942083, 1e-9))
        #expect(i.level == 0.95)
        #expect(i.description == "0.710 [0.476, 0.944]")
    }

    @Test func publishedHanleyMcNeilExample() {
        // Hanley & McNeil (1982), Radiology 143:29-36, Table 1: CT ratings 1-5 of 58 normal and
        // 51 abnormal patients. Published AUC 0.893 (the data are reproduced exactly here).
        let normal = [33, 6, 6, 11, 2], abnormal = [3, 2, 2, 11, 33]
        var labels: [Int] = [], scores: [Double] = []
        for (rating, count) in normal.enumerated() { for _ in 0..<count { labels.append(0); scores.append(Double(rating + 1)) } }
        for (rating, count) in abnormal.enumerated() { for _ in 0..<count { labels.append(1); scores.append(Double(rating + 1)) } }
        let (auc, variance) = DeLong.auc(labels: labels, scores: scores)
        #expect(abs(auc - 0.893) < 5e-4)
        #expect(close(auc, 0.89317106152805947))
        // DeLong variance from the numpy script (equal to the jackknife there).
        #expect(close(variance, 0.00094398927026298485))
        // Their published SE, 0.032, is their exponential approximation (a different estimator;
        // 0.0325 unrounded); DeLong's 0.0307 agrees with it to within 0.002.
        #expect(abs(variance!.squareRoot() - 0.032) < 0.002)
    }

    @Test func pairedTestMatchesTheNumpyReference() {
        let t = DeLong.compare(labels: labels, a: a, b: b)
        #expect(close(t.aucA, 0.71) && close(t.aucB, 0.615))
        #expect(close(t.difference, 0.095))
        #expect(close(t.varianceA, 0.014255555555555553))
        #expect(close(t.varianceB, 0.017727777777777776))
        #expect(close(t.covariance, 0.013827777777777776))
        #expect(close(t.variance, 0.0043277777777777776))
        #expect(close(t.z, 1.4440795870236984, 1e-10))
        #expect(close(t.pGreater, 0.074358294687246737, 1e-10))
        #expect(close(t.pTwoSided, 0.14871658937449347, 1e-10))
        #expect(close(t.interval.lower, -0.033937892484903254, 1e-9))
        #expect(close(t.interval.upper, 0.2239378924849032, 1e-9))
        // The covariance is what makes the test paired: ignoring it, the variance is 7x larger.
        #expect(t.varianceA! + t.varianceB! > 7 * t.variance!)
        // Swapping the models mirrors everything.
        let s = DeLong.compare(labels: labels, a: b, b: a)
        #expect(close(s.difference, -0.095) && close(s.variance, t.variance!))
        #expect(close(s.pGreater, 1 - t.pGreater) && close(s.pTwoSided, t.pTwoSided))
    }

    @Test func identicalModelsGiveZeroDifferenceAndNoNaN() throws {
        let t = DeLong.compare(labels: labels, a: a, b: a)
        #expect(t.difference == 0 && t.variance == 0 && t.z == nil)
        #expect(t.pGreater == 0.5 && t.pTwoSided == 1)
        #expect(t.interval == Interval(estimate: 0, lower: 0, upper: 0))
        #expect(t.covariance == t.varianceA)
        let decoded = try JSONDecoder().decode(PairedAUCTest.self, from: JSONEncoder().encode(t))
        #expect(decoded == t)
    }

    @Test func degenerateSamples() {
        // One class only: AUC 0.5 by convention, the variance cannot be estimated.
        let one = DeLong.auc(labels: [1, 1, 1], scores: [0.1, 0.2, 0.3])
        #expect(one.auc == 0.5 && one.variance == nil)
        #expect(DeLong.interval(labels: [0, 0], scores: [0.1, 0.2]) == Interval(estimate: 0.5, lower: 0, upper: 1))
        // A single positive: the AUC exists, its variance does not.
        let single = DeLong.auc(labels: [1, 0, 0, 0], scores: [0.9, 0.1, 0.95, 0.3])
        #expect(close(single.auc, 2.0 / 3) && single.variance == nil)
        #expect(DeLong.interval(labels: [1, 0, 0, 0], scores: [0.9, 0.1, 0.95, 0.3]).width == 1)
        // Empty.
        #expect(DeLong.auc(labels: [], scores: []).variance == nil)
        // Unknown variance: no evidence either way, no NaN.
        let t = DeLong.compare(labels: [1, 0, 0], a: [0.9, 0.1, 0.2], b: [0.1, 0.9, 0.2])
        #expect(t.variance == nil && t.z == nil && t.pGreater == 0.5 && t.pTwoSided == 1)
        #expect(t.interval.lower == -1 && t.interval.upper == 1 && t.difference == 1)
        // Perfect separation: DeLong's variance is 0 and the interval collapses.
        let perfect = DeLong.auc(labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.3, 0.4])
        #expect(perfect.auc == 1 && perfect.variance == 0)
        #expect(DeLong.interval(labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.3, 0.4]) == Interval(estimate: 1, lower: 1, upper: 1))
        // Zero variance of a non-zero difference (perfect vs all tied): the limits 0 and 0.
        let limit = DeLong.compare(labels: [0, 0, 1, 1], a: [0.1, 0.2, 0.3, 0.4], b: [0.5, 0.5, 0.5, 0.5])
        #expect(limit.difference == 0.5 && limit.variance == 0 && limit.z == nil)
        #expect(limit.pGreater == 0 && limit.pTwoSided == 0)
    }

    /// The O(n²) definition: ψ over every (positive, negative) pair.
    static func quadraticComponents(labels: [Int], scores: [Double]) -> (v10: [Double], v01: [Double]) {
        let positives = zip(labels, scores).filter { $0.0 == 1 }.map(\.1)
        let negatives = zip(labels, scores).filter { $0.0 != 1 }.map(\.1)
        func psi(_ x: Double, _ y: Double) -> Double { x > y ? 1 : x == y ? 0.5 : 0 }
        let v10 = positives.map { x in negatives.reduce(0) { $0 + psi(x, $1) } / Double(negatives.count) }
        let v01 = negatives.map { y in positives.reduce(0) { $0 + psi($1, y) } / Double(positives.count) }
        return (v10, v01)
    }

    static func covariance(_ x: [Double], _ y: [Double]) -> Double {
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        return zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / Double(x.count - 1)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func rankComputationEqualsTheQuadraticDefinition(seed: UInt64) {
        var g = BootstrapGenerator(seed: seed)
        let n = 150 + Int(seed) * 37
        // Scores on a coarse grid (many ties, within and across classes), label tied to the score.
        let a = (0..<n).map { _ in Double(g.nextInt(below: 20)) / 20 }
        let b = a.map { min(1, max(0, $0 + Double(g.nextInt(below: 7)) / 20 - 0.15)) }
        let labels = a.map { g.nextUniform() < 0.3 + 0.4 * $0 ? 1 : 0 }
        let fast = DeLong.components(labels: labels, scores: a)!
        let slow = Self.quadraticComponents(labels: labels, scores: a)
        #expect(fast.v10.count == slow.v10.count && fast.v01.count == slow.v01.count)
        #expect(zip(fast.v10, slow.v10).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(fast.v01, slow.v01).allSatisfy { abs($0 - $1) < 1e-12 })
        let slowB = Self.quadraticComponents(labels: labels, scores: b)
        let m = Double(slow.v10.count), k = Double(slow.v01.count)
        let varA = Self.covariance(slow.v10, slow.v10) / m + Self.covariance(slow.v01, slow.v01) / k
        let varB = Self.covariance(slowB.v10, slowB.v10) / m + Self.covariance(slowB.v01, slowB.v01) / k
        let cov = Self.covariance(slow.v10, slowB.v10) / m + Self.covariance(slow.v01, slowB.v01) / k
        #expect(close(DeLong.auc(labels: labels, scores: a).variance, varA))
        let t = DeLong.compare(labels: labels, a: a, b: b)
        #expect(close(t.varianceB, varB) && close(t.covariance, cov) && close(t.variance, varA + varB - 2 * cov))
        #expect(close(t.aucA, Metrics.auc(labels: labels, scores: a)) && close(t.aucB, Metrics.auc(labels: labels, scores: b)))
    }
}

@Suite struct WilsonTests {
    @Test func knownValues() {
        // scipy.stats.binomtest(k, n).proportion_ci(method="wilson"); the last four are also
        // Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3, to 4 decimals.
        let known: [(Int, Int, Double, Double)] = [
            (8, 10, 0.4901624715366418, 0.9433178485456248),
            (0, 10, 0, 0.27753279986288926),
            (10, 10, 0.7224672001371109, 1),
            (81, 263, 0.2552885198782742, 0.36620957698280004),   // Newcombe 0.2553-0.3662
            (15, 148, 0.06238639953073629, 0.16048724172330803),  // Newcombe 0.0624-0.1605
            (0, 20, 0, 0.16112515805281935),                      // Newcombe 0.0000-0.1611
            (1, 29, 0.006113214292762667, 0.17175521879320282),   // Newcombe 0.0061-0.1718
        ]
        for (k, n, lower, upper) in known {
            let i = Wilson.interval(successes: k, n: n)
            #expect(close(i.lower, lower, 1e-12) && close(i.upper, upper, 1e-12), "\(k)/\(n): \(i)")
            #expect(i.estimate == Double(k) / Double(n))
        }
        #expect(Wilson.interval(successes: 8, n: 10).formatted(decimals: 4) == "0.8000 [0.4902, 0.9433]")
        let ninety = Wilson.interval(successes: 8, n: 10, level: 0.90)
        #expect(close(ninety.lower, 0.5407928056874879) && close(ninety.upper, 0.9314420122624679) && ninety.level == 0.9)
        // No trials: nothing is known.
        #expect(Wilson.interval(successes: 0, n: 0) == Interval(estimate: 0, lower: 0, upper: 1))
    }
}

@Suite struct BootstrapTests {
    /// Calibrated Bernoulli data: p ~ U(0.2, 0.8), y ~ Bernoulli(p). Expected Brier
    /// E[p(1 − p)] = 0.5 − E[p²] = 0.5 − (0.6²/12 + 0.25) = 0.22.
    static func sample(_ n: Int, _ g: inout BootstrapGenerator) -> (labels: [Int], probabilities: [Double]) {
        let p = (0..<n).map { _ in 0.2 + 0.6 * g.nextUniform() }
        return (p.map { g.nextUniform() < $0 ? 1 : 0 }, p)
    }

    @Test func deterministicForASeedAndDifferentAcrossSeeds() {
        var g = BootstrapGenerator(seed: 42)
        let (labels, probabilities) = Self.sample(300, &g)
        let one = Bootstrap.brierInterval(labels: labels, probabilities: probabilities, seed: 7)
        let again = Bootstrap.brierInterval(labels: labels, probabilities: probabilities, seed: 7)
        let other = Bootstrap.brierInterval(labels: labels, probabilities: probabilities, seed: 8)
        #expect(one == again)
        #expect(one != other && one.estimate == other.estimate)
        #expect(one.contains(one.estimate) && one.lower < one.upper)
        #expect(close(one.estimate, try! Metrics(labels: labels, probabilities: probabilities).brier))
        // Rough width: the Brier's SE here is about 0.1 / √300 ≈ 0.006.
        #expect(one.width > 0.01 && one.width < 0.04)
        #expect(Bootstrap.brierInterval(labels: [], probabilities: [], seed: 1) == Interval(estimate: 0, lower: 0, upper: 1))
        #expect(Bootstrap.interval(n: 0, seed: 1) { _ in 0 } == nil)
    }

    @Test func coversTheTrueBrierInRoughly95Percent() {
        var g = BootstrapGenerator(seed: 2026)
        var covered = 0
        for trial in 0..<200 {
            let (labels, probabilities) = Self.sample(150, &g)
            let i = Bootstrap.brierInterval(labels: labels, probabilities: probabilities, resamples: 400, seed: UInt64(trial))
            if i.contains(0.22) { covered += 1 }
        }
        #expect(covered >= 180 && covered <= 198, "covered \(covered) of 200")
    }

    @Test func stratifiedResamplesKeepTheClassesAndAgreeWithDeLong() {
        var g = BootstrapGenerator(seed: 5)
        let n = 400
        let labels = (0..<n).map { _ in g.nextUniform() < 0.3 ? 1 : 0 }
        let scores = labels.map { 0.3 * Double($0) + g.nextUniform() }
        let positives = labels.reduce(0, +)
        var sizesKept = true
        let boot = Bootstrap.interval(n: n, resamples: 600, seed: 11, strata: labels) { rows in
            let y = rows.map { labels[$0] }
            if y.reduce(0, +) != positives { sizesKept = false }
            return Metrics.auc(labels: y, scores: rows.map { scores[$0] })
        }!
        #expect(sizesKept)
        let delong = DeLong.interval(labels: labels, scores: scores)
        #expect(boot.estimate == delong.estimate)
        #expect(abs(boot.lower - delong.lower) < 0.02 && abs(boot.upper - delong.upper) < 0.02, "\(boot) vs \(delong)")
        // Non-finite resample values are dropped; none finite gives nil.
        #expect(Bootstrap.interval(n: 10, resamples: 20, seed: 1) { _ in .nan } == nil)
    }

    @Test func percentileInterpolatesLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925].
        #expect(close(Bootstrap.percentile([1, 2, 3, 4], 0.025), 1.075))
        #expect(close(Bootstrap.percentile([1, 2, 3, 4], 0.975), 3.925))
        #expect(Bootstrap.percentile([5], 0.5) == 5)
    }
}

@Suite struct MetricIntervalsTests {
    @Test func estimatesMatchMetricsAndTheValueRoundTrips() throws {
        var g = BootstrapGenerator(seed: 9)
        let probabilities = (0..<500).map { _ in g.nextUniform() }
        let labels = probabilities.map { g.nextUniform() < 0.35 + 0.3 * $0 ? 1 : 0 }
        let metrics = try Metrics(labels: labels, probabilities: probabilities)
        let intervals = try MetricIntervals(labels: labels, probabilities: probabilities)
        #expect(intervals.count == 500 && intervals.level == 0.95)
        #expect(intervals.auc.estimate == metrics.auc)
        #expect(close(intervals.accuracy.estimate, metrics.accuracy))
        #expect(close(intervals.precision.estimate, metrics.precision))
        #expect(close(intervals.recall.estimate, metrics.recall))
        #expect(close(intervals.baseRate.estimate, metrics.baseRate))
        #expect(close(intervals.brier.estimate, metrics.brier))
        for i in [intervals.auc, intervals.accuracy, intervals.precision, intervals.recall, intervals.baseRate, intervals.brier] {
            #expect(i.contains(i.estimate) && i.lower < i.upper && i.level == 0.95)
        }
        #expect(intervals == (try MetricIntervals(labels: labels, probabilities: probabilities)))
        let decoded = try JSONDecoder().decode(MetricIntervals.self, from: JSONEncoder().encode(intervals))
        #expect(decoded == intervals)
        #expect(throws: MetricsError.shapeMismatch(labels: 1, probabilities: 0)) { try MetricIntervals(labels: [1], probabilities: []) }
    }

    @Test func noDemonstratedSkill() throws {
        var g = BootstrapGenerator(seed: 3)
        let labels = (0..<300).map { _ in g.nextInt(below: 2) }
        let noise = labels.map { _ in g.nextUniform() }
        #expect(try MetricIntervals(labels: labels, probabilities: noise).noDemonstratedSkill)
        let skilled = labels.map { 0.35 * Double($0) + 0.65 * g.nextUniform() }
        let s = try MetricIntervals(labels: labels, probabilities: skilled)
        #expect(!s.noDemonstratedSkill && s.auc.lower > 0.5)
        // One class only: nothing is known, so no skill is demonstrated.
        #expect(try MetricIntervals(labels: [1, 1, 1], probabilities: [0.9, 0.8, 0.7]).noDemonstratedSkill)
        // No rows: every interval is the whole [0, 1].
        let empty = try MetricIntervals(labels: [], probabilities: [])
        #expect(empty.noDemonstratedSkill && empty.count == 0)
        for i in [empty.auc, empty.accuracy, empty.precision, empty.recall, empty.baseRate, empty.brier] {
            #expect(i.lower == 0 && i.upper == 1)
        }
    }

    @Test func metricsStoredJSONIsUnchanged() throws {
        let m = try Metrics(labels: [1, 0, 1, 0], probabilities: [0.9, 0.2, 0.4, 0.6])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as! [String: Any]
        #expect(Set(object.keys) == ["count", "accuracy", "auc", "precision", "recall", "f1", "brier", "logLoss",
                                     "baseRate", "lift", "combinedScore", "grade"])
    }
}
