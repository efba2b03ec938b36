import Foundation

/// A non-decreasing map from a score to a probability: p = σ(a + b·logit(s)) with b > 0
/// (README.md, "The production aggregate"). Fitted by Platt's method on earlier live scores
/// whose outcomes are known; a fit whose slope is not positive (a relation that reversed) is
/// replaced by the intercept alone with b = 1, which shifts the mean to the evidence's rate and
/// keeps the ranking. So a calibrated score never inverts the ranking it is given.
public struct MonotoneCalibration: Codable, Sendable, Hashable {
    public var intercept: Double
    public var slope: Double
    /// Outcomes it was fitted on (0 for the identity).
    public var rows: Int
    /// How it was fitted: `identity`, `platt` or `shift`.
    public var kind: String

    public static let identity = MonotoneCalibration(intercept: 0, slope: 1, rows: 0, kind: "identity")

    /// Fewer outcomes than this (or one class only) give the identity.
    public static let minimumRows = 200
    /// The smallest slope kept from a Platt fit; below it the fit is a shift.
    public static let minimumSlope = 0.05

    public init(intercept: Double, slope: Double, rows: Int, kind: String) {
        self.intercept = intercept
        self.slope = slope
        self.rows = rows
        self.kind = kind
    }

    /// logit with the probability clipped to [1e-6, 1 − 1e-6], as stacking's meta-model reads its members.
    static func logit(_ p: Double) -> Double { Stacking.logit(p) }

    /// The calibrated probability of score `s`.
    public func apply(_ s: Double) -> Double {
        if kind == "identity" { return s }
        return 1 / (1 + exp(-(intercept + slope * Self.logit(s))))
    }

    /// Platt's fit of σ(a + b·logit(s)) to the outcomes by Newton's method on the log likelihood
    /// (a tiny ridge keeps it finite on separable data); see the type's note for a slope ≤ 0.
    public static func fit(scores: [Double], labels: [Int]) -> MonotoneCalibration {
        let n = min(scores.count, labels.count)
        let positives = labels.prefix(n).filter { $0 == 1 }.count
        guard n >= minimumRows, positives > 0, positives < n else { return .identity }
        if let (a, b) = platt(scores: Array(scores.prefix(n)), labels: Array(labels.prefix(n))), b >= minimumSlope {
            return MonotoneCalibration(intercept: a, slope: b, rows: n, kind: "platt")
        }
        return shift(scores: Array(scores.prefix(n)), labels: Array(labels.prefix(n)))
    }

    /// The unconstrained Platt fit (intercept, slope) of the outcomes on logit(score): also the
    /// calibration diagnostic (a calibrated score has intercept 0 and slope 1). Nil when it does
    /// not converge to finite values or with one class.
    public static func platt(scores: [Double], labels: [Int]) -> (intercept: Double, slope: Double)? {
        let n = min(scores.count, labels.count)
        let positives = labels.prefix(n).filter { $0 == 1 }.count
        guard n > 0, positives > 0, positives < n else { return nil }
        let z = scores.prefix(n).map(logit)
        let y = labels.prefix(n).map { Double($0) }
        var a = 0.0, b = 1.0
        let ridge = 1e-6
        for _ in 0..<50 {
            var ga = 0.0, gb = 0.0, haa = ridge, hab = 0.0, hbb = ridge
            for i in 0..<n {
                let p = 1 / (1 + exp(-(a + b * z[i])))
                let e = p - y[i], w = max(p * (1 - p), 1e-12)
                ga += e; gb += e * z[i]
                haa += w; hab += w * z[i]; hbb += w * z[i] * z[i]
            }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            a -= da; b -= db
            if abs(da) + abs(db) < 1e-10 { break }
        }
        return a.isFinite && b.isFinite ? (a, b) : nil
    }

    /// The intercept that makes the mean calibrated probability the outcomes' rate, slope 1
    /// (solved by Newton's method: the mean of σ(a + z) is increasing in a).
    public static func shift(scores: [Double], labels: [Int]) -> MonotoneCalibration {
        let n = min(scores.count, labels.count)
        guard n > 0 else { return .identity }
        let z = scores.prefix(n).map(logit)
        let rate = Double(labels.prefix(n).filter { $0 == 1 }.count) / Double(n)
        guard rate > 0, rate < 1 else { return .identity }
        var a = 0.0
        for _ in 0..<50 {
            var mean = 0.0, slope = 0.0
            for v in z {
                let p = 1 / (1 + exp(-(a + v)))
                mean += p; slope += p * (1 - p)
            }
            mean /= Double(n); slope /= Double(n)
            guard slope > 1e-12 else { break }
            let step = (mean - rate) / slope
            a -= step
            if abs(step) < 1e-12 { break }
        }
        return MonotoneCalibration(intercept: a, slope: 1, rows: n, kind: "shift")
    }
}
