import Foundation

/// Bayesian model averaging: member weights ∝ exp(validation log-likelihood), i.e. the
/// posterior of each member under equal priors with its out-of-fold predictions as likelihood.
/// With thousands of rows small log-loss differences become large likelihood ratios and the
/// weights collapse onto one member; the notes say so when the largest weight exceeds
/// `collapseWeight`.
enum BayesianAveraging {
    static let collapseWeight = 0.99

    static func fit(predictions: [[Double]], labels: [Int], names: [String]) -> Combiner {
        let ll = predictions.map { LogLoss.logLikelihood($0, labels) }
        let w = weights(logLikelihoods: ll)
        var notes = ["Bayesian averaging weights: " + Combiner.format(w, names)
                     + "; log-likelihoods " + zip(names, ll).map { "\($0) \(String(format: "%.1f", $1))" }.joined(separator: ", ")]
        if let top = w.indices.max(by: { w[$0] < w[$1] }), w[top] > collapseWeight {
            notes.append("Bayesian averaging collapsed onto \(names[top]) (weight \(String(format: "%.4f", w[top])) on \(labels.count) validation rows): it is that member alone")
        }
        return Combiner(rule: .average, weights: w, notes: notes)
    }

    /// exp(llₘ − max ll), normalised.
    static func weights(logLikelihoods ll: [Double]) -> [Double] {
        let top = ll.max() ?? 0
        let raw = ll.map { exp($0 - top) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }
}
