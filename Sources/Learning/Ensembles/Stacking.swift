import Foundation

/// Stacking's meta-model: L2-penalised logistic regression of the label on the members'
/// out-of-fold logits, fitted by Newton's method (deterministic, a few iterations for ≤ 5 members).
///
/// Only out-of-fold predictions may reach it: a member's prediction on its own training rows
/// is over-confident and would earn that member a large weight (see the stacking test).
enum Stacking {
    /// The penalty λ/2 ‖w‖² on the coefficients (not the intercept): keeps them finite when a
    /// member separates the rows, negligible otherwise.
    static let l2 = 1.0

    static func logit(_ p: Double) -> Double {
        let q = min(1 - 1e-6, max(1e-6, p))
        return log(q / (1 - q))
    }

    static func fit(predictions: [[Double]], labels: [Int], names: [String]) -> Combiner {
        let (intercept, w) = metaModel(predictions: predictions, labels: labels)
        return Combiner(rule: .logistic, weights: w, intercept: intercept,
                        notes: ["stacking meta-model: intercept \(String(format: "%.3f", intercept)); coefficients " + Combiner.format(w, names)])
    }

    /// (intercept, coefficients) of the meta-model, every coefficient ≥ 0: a member whose
    /// coefficient comes out negative is dropped (coefficient 0) and the rest refitted, the most
    /// negative first, until none is. A negative weight would learn to invert a member, which
    /// on real signals ranked worse than chance once the relation reversed (README.md, "Ensembles").
    static func metaModel(predictions: [[Double]], labels: [Int]) -> (Double, [Double]) {
        var active = Array(predictions.indices)
        while true {
            let (intercept, w) = unconstrained(predictions: active.map { predictions[$0] }, labels: labels)
            guard let worst = w.indices.filter({ w[$0] < 0 }).min(by: { w[$0] < w[$1] }) else {
                var out = [Double](repeating: 0, count: predictions.count)
                for (k, j) in active.enumerated() { out[j] = w[k] }
                return (intercept, out)
            }
            active.remove(at: worst)
        }
    }

    /// The penalised logistic fit with free signs (an empty `predictions` fits the intercept).
    static func unconstrained(predictions: [[Double]], labels: [Int]) -> (Double, [Double]) {
        let m = predictions.count, n = labels.count, d = m + 1
        // Design row i: [1, logit p₁ᵢ, ..., logit pₘᵢ].
        var z = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            z[i * d] = 1
            for j in 0..<m { z[i * d + j + 1] = logit(predictions[j][i]) }
        }
        var beta = [Double](repeating: 0, count: d)
        for _ in 0..<50 {
            var gradient = [Double](repeating: 0, count: d)
            var hessian = [Double](repeating: 0, count: d * d)
            for i in 0..<n {
                var eta = 0.0
                for k in 0..<d { eta += beta[k] * z[i * d + k] }
                let p = 1 / (1 + exp(-eta)), r = p - Double(labels[i]), h = max(p * (1 - p), 1e-12)
                for k in 0..<d {
                    let zk = z[i * d + k]
                    gradient[k] += r * zk
                    for l in k..<d { hessian[k * d + l] += h * zk * z[i * d + l] }
                }
            }
            for k in 1..<d { gradient[k] += l2 * beta[k]; hessian[k * d + k] += l2 }
            hessian[0] += 1e-9
            for k in 0..<d { for l in 0..<k { hessian[k * d + l] = hessian[l * d + k] } }
            guard let step = solve(hessian, gradient, d) else { break }
            var largest = 0.0
            for k in 0..<d { beta[k] -= step[k]; largest = max(largest, abs(step[k])) }
            if largest < 1e-10 { break }
        }
        return (beta[0], Array(beta[1...]))
    }

    /// Solves a·x = b (d×d, row-major) by Gaussian elimination with partial pivoting.
    static func solve(_ a0: [Double], _ b0: [Double], _ d: Int) -> [Double]? {
        var a = a0, b = b0
        for c in 0..<d {
            var pivot = c
            for r in (c + 1)..<max(c + 1, d) where abs(a[r * d + c]) > abs(a[pivot * d + c]) { pivot = r }
            guard abs(a[pivot * d + c]) > 1e-300 else { return nil }
            if pivot != c {
                for k in 0..<d { a.swapAt(c * d + k, pivot * d + k) }
                b.swapAt(c, pivot)
            }
            for r in (c + 1)..<max(c + 1, d) {
                let f = a[r * d + c] / a[c * d + c]
                if f == 0 { continue }
                for k in c..<d { a[r * d + k] -= f * a[c * d + k] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: d)
        for r in stride(from: d - 1, through: 0, by: -1) {
            var s = b[r]
            for k in (r + 1)..<max(r + 1, d) { s -= a[r * d + k] * x[k] }
            x[r] = s / a[r * d + r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
