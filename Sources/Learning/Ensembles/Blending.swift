import Foundation

/// Blending: non-negative member weights summing to 1 that minimise the log loss of the
/// weighted mean on validation predictions (the pooled out-of-fold predictions, a time-ordered
/// tail of each fold's past). Fitted by exponentiated gradient with a step that grows while the
/// loss falls and halves when it would rise: deterministic, and the weights stay on the simplex.
enum Blending {
    static let iterations = 200

    static func fit(predictions: [[Double]], labels: [Int], names: [String]) -> Combiner {
        let w = weights(predictions: predictions, labels: labels)
        return Combiner(rule: .average, weights: w, notes: ["blending weights: " + Combiner.format(w, names)])
    }

    static func weights(predictions: [[Double]], labels: [Int]) -> [Double] {
        let m = predictions.count, n = labels.count
        var w = [Double](repeating: 1 / Double(m), count: m)
        func mix(_ w: [Double]) -> [Double] {
            var p = [Double](repeating: 0, count: n)
            for j in 0..<m where w[j] != 0 { for i in 0..<n { p[i] += w[j] * predictions[j][i] } }
            return p
        }
        var p = mix(w)
        var loss = LogLoss.mean(p, labels)
        var eta = 1.0
        for _ in 0..<iterations {
            var g = [Double](repeating: 0, count: m)
            for i in 0..<n {
                let q = LogLoss.clamp(p[i])
                let dq = labels[i] == 1 ? -1 / q : 1 / (1 - q)
                for j in 0..<m { g[j] += dq * predictions[j][i] }
            }
            for j in 0..<m { g[j] /= Double(n) }
            let gMin = g.min() ?? 0
            var improved = false
            while eta > 1e-8 {
                var next = (0..<m).map { w[$0] * exp(-eta * (g[$0] - gMin)) }
                let total = next.reduce(0, +)
                next = next.map { $0 / total }
                let pNext = mix(next)
                let lossNext = LogLoss.mean(pNext, labels)
                if lossNext < loss {
                    (w, p, loss) = (next, pNext, lossNext)
                    eta = min(eta * 1.5, 1e4)
                    improved = true
                    break
                }
                eta /= 2
            }
            if !improved { break }
        }
        return w
    }
}
