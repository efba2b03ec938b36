import ModelMetrics

/// Per-feature importances of a fitted model, for the training report (README.md, "Training, the registry and scoring").
public struct FeatureImportanceReport: Codable, Sendable, Equatable {
    /// Column names, in column order; every array below follows it.
    public var features: [String]
    /// XGBoost's average split gain (gradient boosting and random forest only).
    public var gain: [Double]?
    /// Mean |SHAP| contribution over the evaluated rows (XGBoost models only).
    public var meanAbsoluteSHAP: [Double]?
    /// Mean AUC drop when the column is shuffled (the other models).
    public var permutation: [Double]?
    /// How many rows (the most recent of those given) SHAP or permutation was measured on.
    public var rows: Int?

    /// The importance used for ranking: SHAP when present, else permutation, else gain.
    public var primary: [Double] { meanAbsoluteSHAP ?? permutation ?? gain ?? features.map { _ in 0 } }
}

/// Feature importance: XGBoost gain and SHAP, permutation importance, and rank stability.
public enum FeatureImportance {
    /// XGBoost's average gain per column, or `nil` for models that are not XGBoost.
    public static func gain(_ model: any Classifier) throws -> [Double]? {
        switch model {
        case let m as GradientBoostingClassifier: try m.gainImportance()
        case let m as RandomForestClassifier: try m.gainImportance()
        default: nil
        }
    }

    /// Mean |SHAP| per column over `x`, or `nil` for models that are not XGBoost.
    public static func meanAbsoluteSHAP(_ model: any Classifier, _ x: FeatureMatrix) throws -> [Double]? {
        switch model {
        case let m as GradientBoostingClassifier: try m.meanAbsoluteSHAP(x)
        case let m as RandomForestClassifier: try m.meanAbsoluteSHAP(x)
        default: nil
        }
    }

    /// Permutation importance: for each column, the mean drop in AUC over `repeats` seeded
    /// shuffles of that column (positive = the model relies on it). At most `maxRows` rows are
    /// used (the last ones), to bound the cost of slow predictors such as the SVM.
    public static func permutation(
        _ model: any Classifier, _ x: FeatureMatrix, labels: [Int], seed: UInt64,
        repeats: Int = 2, maxRows: Int = 1000, shouldStop: StopCheck? = nil
    ) throws -> [Double] {
        guard x.rows == labels.count else {
            throw LearningError(.shapeMismatch, "\(x.rows) rows but \(labels.count) labels")
        }
        let keep = Array(max(0, x.rows - maxRows)..<x.rows)
        let data = x.selecting(rows: keep), y = keep.map { labels[$0] }
        let base = Metrics.auc(labels: y, scores: try model.predictProbabilities(data))
        var rng = SplitMix64(seed: seed)
        var out = [Double](repeating: 0, count: x.cols)
        for c in 0..<x.cols {
            if shouldStop?() == true { throw LearningError.cancelled("permutation importance") }
            var drop = 0.0
            for _ in 0..<max(1, repeats) {
                var shuffled = data
                let column = (0..<data.rows).map { data[$0, c] }.shuffled(using: &rng)
                for r in 0..<data.rows { shuffled[r, c] = column[r] }
                drop += base - Metrics.auc(labels: y, scores: try model.predictProbabilities(shuffled))
            }
            out[c] = drop / Double(max(1, repeats))
        }
        return out
    }

    /// The full report for a fitted model on `x` (usually the holdout): gain and SHAP for
    /// XGBoost models, permutation importance for the others. SHAP is measured on the last
    /// `shapRows` rows: its cost grows with rows x trees x leaves x depth² (a 200k-row holdout
    /// took a minute for the random forest), while the mean |SHAP| of 5,000 rows already ranks
    /// the features stably.
    public static func report(
        _ model: any Classifier, _ x: FeatureMatrix, labels: [Int], seed: UInt64,
        shapRows: Int = 5000, permutationRows: Int = 1000, shouldStop: StopCheck? = nil
    ) throws -> FeatureImportanceReport {
        if let gain = try gain(model) {
            let recent = x.rows > shapRows ? x.selecting(rows: Array((x.rows - shapRows)..<x.rows)) : x
            return FeatureImportanceReport(features: x.columnNames, gain: gain,
                                           meanAbsoluteSHAP: try meanAbsoluteSHAP(model, recent), permutation: nil, rows: recent.rows)
        }
        return FeatureImportanceReport(
            features: x.columnNames, gain: nil, meanAbsoluteSHAP: nil,
            permutation: try permutation(model, x, labels: labels, seed: seed, maxRows: permutationRows, shouldStop: shouldStop),
            rows: min(x.rows, permutationRows)
        )
    }

    /// Stability of an importance ranking: Spearman's rank correlation between two importance
    /// vectors of the same features (average ranks for ties), in [-1, 1]; 1 means the same
    /// order. `nil` when the lengths differ, fewer than two features, or a vector is constant.
    public static func rankStability(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, a.count >= 2 else { return nil }
        let ra = Metrics.averageRanks(a), rb = Metrics.averageRanks(b)
        let n = Double(a.count)
        let ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            sab += (ra[i] - ma) * (rb[i] - mb)
            saa += (ra[i] - ma) * (ra[i] - ma)
            sbb += (rb[i] - mb) * (rb[i] - mb)
        }
        guard saa > 0, sbb > 0 else { return nil }
        return sab / (saa * sbb).squareRoot()
    }
}
