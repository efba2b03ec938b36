import Foundation

/// What an ensemble learns on top of its members' probabilities: a weighted mean (voting,
/// blending, Bayesian averaging), a logistic meta-model (stacking) or one member per market
/// regime (regime selection). Fitted only on out-of-fold predictions; stored in the artifact.
struct Combiner: Codable, Sendable, Equatable {
    /// How member probabilities become one.
    enum Rule: String, Codable, Sendable {
        /// Σ wₘ pₘ with weights summing to 1.
        case average
        /// σ(intercept + Σ wₘ logit pₘ).
        case logistic
        /// The probability of the member `regimeMembers[regime]`.
        case select
    }

    var rule: Rule
    /// Per member: the averaging weights, or the meta-model's coefficients.
    var weights: [Double]
    /// The meta-model's intercept (stacking).
    var intercept = 0.0
    /// Regime selection: the member index used for bull, bear and neutral rows.
    var regimeMembers: [Int] = []
    /// Regime selection: the `bull_market` and `bear_market` column indices, when present.
    var bullColumn: Int?
    var bearColumn: Int?
    /// What a reader should know (weights, collapses, regime choices).
    var notes: [String] = []

    /// The mean of the members' probabilities.
    static func equalWeights(members: Int, note: String? = nil) -> Combiner {
        Combiner(rule: .average, weights: [Double](repeating: 1 / Double(members), count: members), notes: note.map { [$0] } ?? [])
    }

    /// Fits the combiner of `kind` on out-of-fold predictions: `predictions[m][i]` is member m's
    /// probability for row i, whose label is `labels[i]` and regime `regimes[i]`. `names` are the
    /// members' short names, for the notes.
    static func fit(
        _ kind: Algorithm, predictions: [[Double]], labels: [Int], regimes: [Regime], columns: (bull: Int?, bear: Int?),
        regimeMinRows: Int, names: [String]
    ) -> Combiner {
        let m = predictions.count
        guard m > 0, !labels.isEmpty, Set(labels).count == 2 else {
            return equalWeights(members: m, note: "no out-of-fold predictions with both classes to fit on: equal weights")
        }
        switch kind {
        case .stacking: return Stacking.fit(predictions: predictions, labels: labels, names: names)
        case .blending: return Blending.fit(predictions: predictions, labels: labels, names: names)
        case .bma: return BayesianAveraging.fit(predictions: predictions, labels: labels, names: names)
        case .regime:
            return RegimeSelection.fit(predictions: predictions, labels: labels, regimes: regimes, columns: columns,
                                       minRows: regimeMinRows, names: names)
        default: return equalWeights(members: m)
        }
    }

    /// The ensemble's probabilities from its members' (`predictions[m][i]`) and the rows' regimes.
    func combine(_ predictions: [[Double]], regimes: [Regime]) -> [Double] {
        let n = predictions.first?.count ?? 0
        var out = [Double](repeating: 0, count: n)
        switch rule {
        case .average:
            for (w, p) in zip(weights, predictions) where w != 0 {
                for i in 0..<n { out[i] += w * p[i] }
            }
            for i in 0..<n { out[i] = min(1, max(0, out[i])) }
        case .logistic:
            for i in 0..<n {
                var z = intercept
                for (w, p) in zip(weights, predictions) { z += w * Stacking.logit(p[i]) }
                out[i] = 1 / (1 + exp(-z))
            }
        case .select:
            for i in 0..<n { out[i] = predictions[regimeMembers[regimes[i].rawValue]][i] }
        }
        return out
    }

    /// Whether `combine` needs the rows' regimes.
    var needsRegimes: Bool { rule == .select }

    static func format(_ weights: [Double], _ names: [String]) -> String {
        zip(names, weights).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", ")
    }
}
