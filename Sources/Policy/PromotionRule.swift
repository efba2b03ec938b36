import Foundation
import ModelMetrics

/// Whether a trained candidate replaces production: a pure decision from the holdout scores.
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
    public var margin: Double

    public init(alpha: Double = 0.05, margin: Double = 0) {
        self.alpha = alpha
        self.margin = margin
    }

    /// What production is, for the candidate.
    public enum Production: Sendable {
        /// No production model yet.
        case none
        /// Production was trained on another feature schema and cannot score the current one.
        case cannotScore(version: Int, schema: String, current: String)
        /// Production's artifact fails its checksum or cannot be loaded.
        case unusable(version: Int, why: String)
        /// Production's probabilities on the candidate's holdout rows, in the same order.
        case scored(version: Int, probabilities: [Double])
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
        case let .scored(version, probabilities):
            let test = DeLong.compare(labels: labels, a: candidate, b: probabilities)
            let significant = test.pGreater < alpha
            let promoted = significant && test.difference > margin
            let reason: PromotionReason = promoted
                ? .beatsProduction(version: version, test: test, n: labels.count, alpha: alpha)
                : significant
                    ? .belowMargin(version: version, test: test, n: labels.count, margin: margin)
                    : .notBetter(version: version, test: test, n: labels.count, alpha: alpha)
            return PromotionDecision(promoted: promoted, reason: reason, candidateAUC: interval, test: test)
        }
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

    /// The candidate's holdout AUC interval contains 0.5: it has not shown it ranks signals at all.
    public var noDemonstratedSkill: Bool { candidateAUC.contains(0.5) }

    /// The reason as stored and shown, with "no demonstrated skill" when so.
    public var text: String {
        reason.description + (noDemonstratedSkill ? "; no demonstrated skill: the holdout AUC interval contains 0.5" : "")
    }

    enum CodingKeys: String, CodingKey { case promoted, reason, candidateAUC, test, noDemonstratedSkill }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promoted, forKey: .promoted)
        try c.encode(text, forKey: .reason)
        try c.encode(candidateAUC, forKey: .candidateAUC)
        try c.encodeIfPresent(test, forKey: .test)
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

    public var description: String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        func comparison(_ t: PairedAUCTest, _ version: Int, _ n: Int) -> String {
            "holdout AUC \(f(t.aucA)) against production v\(version)'s \(f(t.aucB)) on the same \(n) holdout signals: "
                + "difference \(String(format: "%+.4f", t.difference)) \(Self.bounds(t.interval)), one-sided paired DeLong p = \(String(format: "%.4f", t.pGreater))"
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
        }
    }

    /// `[lower, upper]` of a difference, signed.
    static func bounds(_ i: Interval) -> String {
        "[\(String(format: "%+.4f", i.lower)), \(String(format: "%+.4f", i.upper))]"
    }
}
