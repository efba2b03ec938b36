@testable import Learning

/// Seeded synthetic data sets for the tests.
enum Synthetic {
    /// `rows x 6` features: f0, f1 carry the signal; f2 has NaNs every 7th row; f3 is constant;
    /// f4, f5 are noise. The label is 1 when f0 + 0.5 f1 + noise > 0.
    static func separable(rows: Int, seed: UInt64, noise: Double = 0.5) -> (FeatureMatrix, [Int]) {
        var rng = SplitMix64(seed: seed)
        var values = [Double](), labels = [Int]()
        for r in 0..<rows {
            let f0 = rng.nextGaussian(), f1 = rng.nextGaussian()
            let f2 = r % 7 == 3 ? Double.nan : rng.nextGaussian()
            let f4 = rng.nextGaussian(), f5 = rng.nextUniform()
            values += [f0, f1, f2, 3.0, f4, f5]
            labels.append(f0 + 0.5 * f1 + noise * rng.nextGaussian() > 0 ? 1 : 0)
        }
        let x = try! FeatureMatrix(rows: rows, cols: 6, values: values,
                                   columnNames: ["signal_a", "signal_b", "gappy", "constant", "noise_a", "noise_b"])
        return (x, labels)
    }

    /// Features as above but labels independent of them (fair coin).
    static func randomLabels(rows: Int, seed: UInt64) -> (FeatureMatrix, [Int]) {
        let (x, _) = separable(rows: rows, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xABCDEF)
        return (x, (0..<rows).map { _ in rng.nextUniform() < 0.5 ? 1 : 0 })
    }

    /// Small, fast hyperparameters for debug-build tests.
    static func fastParameters(_ algorithm: Algorithm) -> Hyperparameters {
        switch algorithm {
        case .gb:
            var p = GradientBoostingParameters(); p.maxRounds = 60; p.learningRate = 0.1; return .gb(p)
        case .rf:
            var p = RandomForestParameters(); p.trees = 30; p.maxDepth = 6; return .rf(p)
        case .lr:
            return .lr(LogisticRegressionParameters())
        case .svm:
            return .svm(SVMParameters())
        case .nn:
            var p = MLPParameters(); p.hiddenLayers = [16]; p.maxEpochs = 60; p.batchSize = 64; p.learningRate = 0.01; return .nn(p)
        case .voting, .stacking, .blending, .regime, .bma:
            // The five base models' fast parameters; three internal folds keep the fit short.
            return .ensemble(EnsembleParameters(kind: algorithm, members: Algorithm.baseCases.map(fastParameters), folds: 3, regimeMinRows: 50))
        }
    }
}
