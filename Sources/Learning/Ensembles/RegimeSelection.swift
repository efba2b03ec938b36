import Foundation

/// Dynamic selection by market regime: for bull, bear and neutral rows (`Regime`) the member
/// with the lowest validation log loss on that regime's rows; a regime with fewer than
/// `minRows` validation rows uses the member best over all rows.
enum RegimeSelection {
    static func fit(
        predictions: [[Double]], labels: [Int], regimes: [Regime], columns: (bull: Int?, bear: Int?), minRows: Int, names: [String]
    ) -> Combiner {
        let m = predictions.count
        func best(_ rows: [Int]) -> Int {
            let y = rows.map { labels[$0] }
            let losses = (0..<m).map { j in LogLoss.mean(rows.map { predictions[j][$0] }, y) }
            return losses.indices.min { (losses[$0], $0) < (losses[$1], $1) }!
        }
        let overall = best(Array(labels.indices))
        var chosen = [Int](), parts = [String]()
        for regime in Regime.allCases {
            let rows = regimes.indices.filter { regimes[$0] == regime }
            if rows.count >= minRows {
                let b = best(rows)
                chosen.append(b)
                parts.append("\(regime.name) → \(names[b]) (\(rows.count) rows)")
            } else {
                chosen.append(overall)
                parts.append("\(regime.name) → \(names[overall]), the overall best (\(rows.count) rows < \(minRows))")
            }
        }
        return Combiner(rule: .select, weights: [], regimeMembers: chosen, bullColumn: columns.bull, bearColumn: columns.bear,
                        notes: ["regime selection: " + parts.joined(separator: "; ")])
    }
}
