import Foundation
import ModelMetrics

/// Whether a trained candidate replaces production: a pure decision from the holdout scores.
///
/// Two modes (``Mode``): a weekly or triggered retrain is promoted only when it is better by the
/// one-sided paired test (`paired_test`); the monthly full retrain may instead replace production
/// unless it is significantly worse by the same test at the same alpha (`unless_worse`,
/// `training.monthly_promotion`), since a retrain on a month of newer data that is not
/// measurably worse is at least as current.
///
/// Why a test, not a difference: on real signals holdout AUCs sit at 0.47-0.56 with standard
/// errors of 0.01-0.03, so "higher on this holdout" promotes on noise about half the time. The
/// candidate and production are scored on the same holdout signals (neither trained on them),
/// so their AUCs are correlated and the paired DeLong test, which removes that covariance, is the
/// one that can tell a real improvement from noise.
public struct PromotionRule: Sendable, Hashable {
    /// One-sided significance level of the paired test (`training.promotion_alpha`).
    public var alpha: Double
    /// The AUC difference must also exceed this (`training.promotion_margin`; 0: the test decides).
    /// Only `paired_test` uses it: `unless_worse` asks whether the candidate is worse, not better.
    public var margin: Double
    /// Which question the paired test answers.
    public var mode: Mode

    public init(alpha: Double = 0.05, margin: Double = 0, mode: Mode = .pairedTest) {
        self.alpha = alpha
        self.margin = margin
        self.mode = mode
    }

    /// What the paired test must show for the candidate to replace a production model that
    /// scored the same holdout signals.
    public enum Mode: String, Sendable, Hashable, CaseIterable, Codable {
        /// Promoted only when better: one-sided p of "candidate > production" below alpha.
        case pairedTest = "paired_test"
        /// Promoted unless worse: kept only when the one-sided p of "candidate < production" is
        /// below alpha.
        case unlessWorse = "unless_worse"
    }

    /// What production is, for the candidate.
    public enum Production: Sendable {
        /// No production model yet.
        case none
        /// Production was trained on another feature schema and cannot score the current one.
        case cannotScore(version: Int, schema: String, current: String)
        /// Production's artifact fails its checksum or cannot be loaded.
        case unusable(version: Int, why: String)
        /// Production's probabilities on the candidate's holdout rows, in the same order;
        /// `unseen`: the indices (into those rows) of the ones production never trained on, the
        /// only ones compared (nil: all of them).
        case scored(version: Int, probabilities: [Double], unseen: [Int]? = nil)
    }

    /// Decides. `labels` and `candidate` are the holdout's outcomes (1 success) and the
    /// candidate's probabilities, aligned.
    public func decide(labels: [Int], candidate: [Double], production: Production) -> PromotionDecision {
        let interval = DeLong.interval(labels: labels, scores: candidate)
        switch production {
        case .none:
            return PromotionDecision(promoted: true, reason: .firstModel(auc: interval), candidateAUC: interval, test: nil)
        case let .cannotScore(version, schema, current):
            return PromotionDecision(
                promoted: true, reason: .productionCannotScore(version: version, schema: schema, current: current, auc: interval),
                candidateAUC: interval, test: nil
            )
        case let .unusable(version, why):
            return PromotionDecision(
                promoted: true, reason: .productionUnusable(version: version, why: why, auc: interval), candidateAUC: interval, test: nil
            )
        case let .scored(version, probabilities, unseen):
            let common = min(labels.count, candidate.count, probabilities.count)
            let rows = (unseen ?? Array(0..<common)).filter { $0 >= 0 && $0 < common }
            let y = rows.map { labels[$0] }
            let test = DeLong.compare(labels: y, a: rows.map { candidate[$0] }, b: rows.map { probabilities[$0] })
            let n = y.count
            let promoted: Bool
            let reason: PromotionReason
            switch mode {
            case .pairedTest:
                let significant = test.pGreater < alpha
                promoted = significant && test.difference > margin
                reason = promoted
                    ? .beatsProduction(version: version, test: test, n: n, alpha: alpha)
                    : significant
                        ? .belowMargin(version: version, test: test, n: n, margin: margin)
                        : .notBetter(version: version, test: test, n: n, alpha: alpha)
            case .unlessWorse:
                promoted = !(Self.pLess(test) < alpha)
                reason = promoted
                    ? .notWorse(version: version, test: test, n: n, alpha: alpha)
                    : .significantlyWorse(version: version, test: test, n: n, alpha: alpha)
            }
            var decision = PromotionDecision(promoted: promoted, reason: reason, candidateAUC: interval, test: test)
            decision.leftOut = common - n
            return decision
        }
    }

    /// The one-sided p-value of "candidate < production", with the same conventions as
    /// `PairedAUCTest.pGreater`: 0.5 when the variance is unknown (no evidence), the limit 0 or 1
    /// when it is exactly 0 and the difference is not.
    public static func pLess(_ test: PairedAUCTest) -> Double {
        if let z = test.z { return Normal.cdf(z) }
        guard test.variance != nil else { return 0.5 }
        return test.difference < 0 ? 0 : test.difference > 0 ? 1 : 0.5
    }
}

/// The outcome of ``PromotionRule/decide(labels:candidate:production:)``.
public struct PromotionDecision: Sendable, Hashable, Encodable {
    public var promoted: Bool
    public var reason: PromotionReason
    /// The candidate's holdout AUC with its DeLong interval.
    public var candidateAUC: Interval
    /// The paired test against production, when production could score the holdout.
    public var test: PairedAUCTest?
    /// Holdout signals left out of the paired test because production had trained on them.
    public var leftOut = 0

    /// The candidate's holdout AUC interval contains 0.5: it has not shown it ranks signals at all.
    public var noDemonstratedSkill: Bool { candidateAUC.contains(0.5) }

    /// The reason as stored and shown, with "no demonstrated skill" when so.
    public var text: String {
        reason.description
            + (leftOut > 0 ? "; \(leftOut) holdout signal(s) production had trained on were left out of the comparison" : "")
            + (noDemonstratedSkill ? "; no demonstrated skill: the holdout AUC interval contains 0.5" : "")
    }

    init(promoted: Bool, reason: PromotionReason, candidateAUC: Interval, test: PairedAUCTest?) {
        self.promoted = promoted
        self.reason = reason
        self.candidateAUC = candidateAUC
        self.test = test
    }

    enum CodingKeys: String, CodingKey { case promoted, reason, candidateAUC, test, leftOut, noDemonstratedSkill }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promoted, forKey: .promoted)
        try c.encode(text, forKey: .reason)
        try c.encode(candidateAUC, forKey: .candidateAUC)
        try c.encodeIfPresent(test, forKey: .test)
        if leftOut > 0 { try c.encode(leftOut, forKey: .leftOut) }
        try c.encode(noDemonstratedSkill, forKey: .noDemonstratedSkill)
    }
}

/// Why a candidate was promoted or kept as a rejected candidate; renders the decision's text.
public enum PromotionReason: Sendable, Hashable, CustomStringConvertible {
    case firstModel(auc: Interval)
    case productionCannotScore(version: Int, schema: String, current: String, auc: Interval)
    case productionUnusable(version: Int, why: String, auc: Interval)
    case beatsProduction(version: Int, test: PairedAUCTest, n: Int, alpha: Double)
    case notBetter(version: Int, test: PairedAUCTest, n: Int, alpha: Double)
    case belowMargin(version: Int, test: PairedAUCTest, n: Int, margin: Double)
    /// `unless_worse`: not significantly worse, so the retrain replaces production.
    case notWorse(version: Int, test: PairedAUCTest, n: Int, alpha: Double)
    /// `unless_worse`: significantly worse, so production stays.
    case significantlyWorse(version: Int, test: PairedAUCTest, n: Int, alpha: Double)

    public var description: String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        func comparison(_ t: PairedAUCTest, _ version: Int, _ n: Int, worse: Bool = false) -> String {
            "holdout AUC \(f(t.aucA)) against production v\(version)'s \(f(t.aucB)) on the same \(n) holdout signals: "
                + "difference \(String(format: "%+.4f", t.difference)) \(Self.bounds(t.interval)), "
                + (worse ? "one-sided paired DeLong p(worse) = \(String(format: "%.4f", PromotionRule.pLess(t)))"
                         : "one-sided paired DeLong p = \(String(format: "%.4f", t.pGreater))")
        }
        switch self {
        case let .firstModel(auc):
            return "first model: no production model yet (holdout AUC \(auc.formatted(decimals: 4)))"
        case let .productionCannotScore(version, schema, current, auc):
            return "production v\(version) was trained on feature schema \(schema) and cannot score the current schema \(current); the candidate (holdout AUC \(auc.formatted(decimals: 4))) replaces it"
        case let .productionUnusable(version, why, auc):
            return "production v\(version) could not be loaded (\(why)); the candidate (holdout AUC \(auc.formatted(decimals: 4))) replaces it"
        case let .beatsProduction(version, test, n, alpha):
            return comparison(test, version, n) + " < alpha \(alpha): the candidate is better beyond sampling error"
        case let .notBetter(version, test, n, alpha):
            return comparison(test, version, n) + " ≥ alpha \(alpha): not better beyond sampling error; production kept"
        case let .belowMargin(version, test, n, margin):
            return comparison(test, version, n) + ", but the difference is not above the margin \(f(margin)); production kept"
        case let .notWorse(version, test, n, alpha):
            return comparison(test, version, n, worse: true) + " ≥ alpha \(alpha): not significantly worse; the retrain replaces production (unless_worse)"
        case let .significantlyWorse(version, test, n, alpha):
            return comparison(test, version, n, worse: true) + " < alpha \(alpha): significantly worse; production kept (unless_worse)"
        }
    }

    /// `[lower, upper]` of a difference, signed.
    static func bounds(_ i: Interval) -> String {
        "[\(String(format: "%+.4f", i.lower)), \(String(format: "%+.4f", i.upper))]"
    }
}
