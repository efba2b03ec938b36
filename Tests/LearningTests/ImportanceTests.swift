import Testing
@testable import Learning

@Suite struct ImportanceTests {
    @Test func xgboostGainAndSHAPFindTheSignal() throws {
        let (x, y) = Synthetic.separable(rows: 600, seed: 9)
        let model = GradientBoostingClassifier()
        try model.fit(x, y: y, seed: 1)
        let gain = try #require(try FeatureImportance.gain(model))
        let shap = try #require(try FeatureImportance.meanAbsoluteSHAP(model, x))
        #expect(gain.count == 6 && shap.count == 6)
        #expect(gain.firstIndex(of: gain.max()!) == 0)
        #expect(shap.firstIndex(of: shap.max()!) == 0)
        #expect(shap[3] == 0) // the constant column is never split on
        #expect(try FeatureImportance.gain(LogisticRegressionClassifier()) == nil)
    }

    @Test func permutationImportanceFindsTheSignal() throws {
        let (x, y) = Synthetic.separable(rows: 600, seed: 9)
        let model = LogisticRegressionClassifier()
        try model.fit(x, y: y, seed: 1)
        let imp = try FeatureImportance.permutation(model, x, labels: y, seed: 3)
        #expect(imp.firstIndex(of: imp.max()!) == 0)
        #expect(imp[0] > imp[1] && imp[1] > 0.01)
        #expect(abs(imp[3]) < 1e-12) // shuffling a constant changes nothing
        #expect(try FeatureImportance.permutation(model, x, labels: y, seed: 3) == imp)
    }

    @Test func rankStabilityIsSpearman() {
        #expect(FeatureImportance.rankStability([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(FeatureImportance.rankStability([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // Ranks [1, 2, 3] vs [1, 3, 2]: rho = 1 - 6 * 2 / (3 * 8) = 0.5.
        #expect(abs(FeatureImportance.rankStability([1, 2, 3], [1, 3, 2])! - 0.5) < 1e-12)
        #expect(FeatureImportance.rankStability([1, 1, 1], [1, 2, 3]) == nil)
        #expect(FeatureImportance.rankStability([1, 2], [1, 2, 3]) == nil)
    }
}
