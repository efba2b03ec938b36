import Foundation
import ModelMetrics

/// What the take threshold maximizes (`policy.objective`).
public enum TakeObjective: String, Codable, Sendable, CaseIterable {
    /// The success rate (share of label 1) of the taken signals.
    case successRate = "success_rate"
    /// The mean directional `return_pct` of the taken signals.
    case meanReturn = "mean_return"
}

/// A model version's take/skip rule for each scored signal (README.md, "For trading-system
/// authors"): the strategies decide the side, the model decides whether to take the trade
/// (meta-labeling). A signal is taken when its probability is at least `threshold`.
///
/// The threshold is chosen on the out-of-fold walk-forward predictions of the version's training
/// part only (never the holdout, which stays an honest measure of the rule): among the distinct
/// out-of-fold probabilities, the one whose "probability ≥ t" set maximizes `objective`, subject
/// to taking at least `minTakeFraction` of the signals; ties go to the lower threshold (the rule
/// that takes more). A version whose skill is not demonstrated (its holdout AUC interval contains
/// 0.5, README.md "Promotion") takes every signal, and says so in `reason`.
///
/// Optional bet size (`policy.size`), López de Prado's sizing from a predicted probability
/// (Advances in Financial Machine Learning, 2018, §10.3), for two outcomes:
///
///     z = (p − 1/2) / √(p (1 − p)),   m = 2 Φ(z) − 1,   size = max(0, m)
///
/// where Φ is the standard normal distribution function: 0 at p ≤ 1/2, rising to 1 as p → 1.
/// A skipped signal has size 0. Stored as JSON under these property names.
public struct TakePolicy: Codable, Sendable, Equatable {
    /// Take when probability ≥ threshold; 0 when the policy takes every signal.
    public var threshold: Double
    /// The version takes every signal (no demonstrated skill, or no out-of-fold evidence).
    public var takesEverySignal: Bool
    public var objective: TakeObjective
    public var minTakeFraction: Double
    /// Whether predictions carry a bet size.
    public var sizing: Bool
    /// Why this threshold, in one sentence.
    public var reason: String
    /// The out-of-fold predictions the threshold was chosen on, and the rule's figures there
    /// (in sample for the choice: the holdout's economics are the honest measure).
    public var outOfFold: Int
    public var outOfFoldTakenFraction: Double
    /// The objective on the taken and on all out-of-fold signals (nil when not measurable).
    public var outOfFoldObjectiveTaken: Double?
    public var outOfFoldObjectiveAll: Double?

    /// Whether a signal of probability `p` is taken.
    public func take(_ p: Double) -> Bool { takesEverySignal || p >= threshold }

    /// The bet size of a signal of probability `p` when sizing is on (nil when off); 0 when skipped.
    public func size(_ p: Double) -> Double? {
        guard sizing else { return nil }
        return take(p) ? Self.betSize(p) : 0
    }

    /// López de Prado's bet size for two outcomes, max(0, 2Φ(z) − 1) with
    /// z = (p − 1/2) / √(p(1 − p)); 1 at p = 1, 0 at p ≤ 1/2.
    public static func betSize(_ p: Double) -> Double {
        guard p.isFinite, p > 0.5 else { return 0 }
        guard p < 1 else { return 1 }
        let z = (p - 0.5) / (p * (1 - p)).squareRoot()
        return max(0, min(1, 2 * Normal.cdf(z) - 1))
    }

    /// The policy that takes every signal, with `reason`.
    public static func takeAll(
        objective: TakeObjective = .successRate, minTakeFraction: Double = 0.3, sizing: Bool = false, reason: String
    ) -> TakePolicy {
        TakePolicy(threshold: 0, takesEverySignal: true, objective: objective, minTakeFraction: minTakeFraction,
                   sizing: sizing, reason: reason, outOfFold: 0, outOfFoldTakenFraction: 1,
                   outOfFoldObjectiveTaken: nil, outOfFoldObjectiveAll: nil)
    }

    /// Chooses the threshold on out-of-fold predictions: `probabilities`, `labels` (1 success)
    /// and `returns` (directional `return_pct`, nil when unknown), aligned. `skillDemonstrated`
    /// false gives the take-every-signal policy. Deterministic: the same inputs give the same
    /// bits.
    public static func choose(
        probabilities: [Double], labels: [Int], returns: [Double?], objective: TakeObjective = .successRate,
        minTakeFraction: Double = 0.3, sizing: Bool = false, skillDemonstrated: Bool
    ) -> TakePolicy {
        precondition(probabilities.count == labels.count && labels.count == returns.count, "one probability, label and return per signal")
        guard skillDemonstrated else {
            return takeAll(objective: objective, minTakeFraction: minTakeFraction, sizing: sizing,
                           reason: "no demonstrated skill (the holdout AUC interval contains 0.5): takes every signal")
        }
        let n = probabilities.count
        guard n > 0 else {
            return takeAll(objective: objective, minTakeFraction: minTakeFraction, sizing: sizing,
                           reason: "no out-of-fold predictions to choose a threshold on: takes every signal")
        }
        // Descending probability; the candidates are the distinct probabilities, each taking
        // every signal at or above it.
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
        let minimum = max(1, Int((minTakeFraction * Double(n)).rounded(.up)))
        var wins = 0, returnSum = 0.0, returnCount = 0
        var best: (value: Double, threshold: Double, count: Int)?
        var i = 0
        while i < n {
            let t = probabilities[order[i]]
            // Every signal tied at t joins together.
            while i < n, probabilities[order[i]] == t {
                let row = order[i]
                wins += labels[row] == 1 ? 1 : 0
                if let r = returns[row], r.isFinite { returnSum += r; returnCount += 1 }
                i += 1
            }
            guard i >= minimum else { continue }
            let value: Double? = switch objective {
            case .successRate: Double(wins) / Double(i)
            case .meanReturn: returnCount > 0 ? returnSum / Double(returnCount) : nil
            }
            // `>=`: a tie goes to the lower threshold, met later in this descending walk.
            if let value, best == nil || value >= best!.value { best = (value, t, i) }
        }
        let allValue: Double? = switch objective {
        case .successRate: Double(wins) / Double(n)
        case .meanReturn: returnCount > 0 ? returnSum / Double(returnCount) : nil
        }
        guard let best else {
            return takeAll(objective: objective, minTakeFraction: minTakeFraction, sizing: sizing,
                           reason: "no out-of-fold signal has a return_pct to measure \(objective.rawValue) on: takes every signal")
        }
        let fraction = Double(best.count) / Double(n)
        let takesAll = best.count == n
        let reason = takesAll
            ? "no threshold beats taking every signal on \(objective.rawValue) in the \(n) out-of-fold predictions: takes every signal"
            : String(format: "threshold %.4f maximizes ", best.threshold) + objective.rawValue
                + String(format: " on %d out-of-fold walk-forward predictions of the training part, taking %d of them (%.1f %%, at least %.0f %%)",
                         n, best.count, fraction * 100, minTakeFraction * 100)
        return TakePolicy(
            threshold: takesAll ? 0 : best.threshold, takesEverySignal: takesAll, objective: objective,
            minTakeFraction: minTakeFraction, sizing: sizing, reason: reason, outOfFold: n,
            outOfFoldTakenFraction: fraction, outOfFoldObjectiveTaken: best.value, outOfFoldObjectiveAll: allValue
        )
    }
}
