import Foundation

/// Log-likelihood arithmetic shared by the combiners, with probabilities clamped away from 0
/// and 1 so a confident wrong member costs a large but finite amount.
enum LogLoss {
    static let epsilon = 1e-12

    static func clamp(_ p: Double) -> Double { min(1 - epsilon, max(epsilon, p)) }

    /// Σ y log p + (1 − y) log(1 − p) over the rows (≤ 0).
    static func logLikelihood(_ p: [Double], _ y: [Int]) -> Double {
        var s = 0.0
        for (pi, yi) in zip(p, y) { let q = clamp(pi); s += yi == 1 ? log(q) : log(1 - q) }
        return s
    }

    /// The mean log loss (−log-likelihood / n); 0 for no rows.
    static func mean(_ p: [Double], _ y: [Int]) -> Double {
        y.isEmpty ? 0 : -logLikelihood(p, y) / Double(y.count)
    }
}
