import Foundation
import Testing
@testable import Learning

@Suite struct ContractTests {
    @Test func algorithmNamesAndDefaults() {
        #expect(Algorithm.baseCases.map(\.rawValue) == ["gb", "rf", "lr", "svm", "nn"])
        #expect(Algorithm.ensembleCases.map(\.rawValue) == ["voting", "stacking", "blending", "regime", "bma"])
        #expect(Algorithm.allCases == Algorithm.baseCases + Algorithm.ensembleCases)
        #expect(Algorithm.allCases.filter(\.isEnsemble) == Algorithm.ensembleCases)
        #expect(Algorithm.gb.displayName == "gradient boosting")
        #expect(Algorithm.rf.displayName == "random forest")
        #expect(Algorithm.lr.displayName == "logistic regression")
        for a in Algorithm.allCases { #expect(a.defaultHyperparameters.algorithm == a) }
    }

    @Test(arguments: Algorithm.allCases)
    func hyperparametersRoundTripThroughJSON(_ algorithm: Algorithm) throws {
        let h = Synthetic.fastParameters(algorithm)
        let json = h.jsonString()
        #expect(json.hasPrefix("{\"algorithm\":\"\(algorithm.rawValue)\""))
        #expect(try JSONDecoder().decode(Hyperparameters.self, from: Data(json.utf8)) == h)
    }

    @Test func searchSpaceIsSeeded() {
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1)
        for algorithm in Algorithm.allCases {
            let base = algorithm.defaultHyperparameters
            let x = SearchSpace.sample(base, features: 30, rng: &a)
            #expect(x == SearchSpace.sample(base, features: 30, rng: &b))
            #expect(x.algorithm == algorithm)
        }
    }

    @Test func featureMatrixChecksShapes() throws {
        #expect(throws: LearningError.self) { try FeatureMatrix(rows: 2, cols: 2, values: [1, 2, 3]) }
        #expect(throws: LearningError.self) { try FeatureMatrix(rows: 1, cols: 2, values: [1, 2], columnNames: ["a"]) }
        let m = try FeatureMatrix(rowArrays: [[1, .nan], [3, 4]], columnNames: ["a", "b"])
        #expect(m.rows == 2 && m.cols == 2 && m[1, 0] == 3 && m[0, 1].isNaN)
        #expect(m.selecting(rows: [1]).values == [3, 4])
    }

    @Test func errorsCarryCodeAndMessage() throws {
        let model = GradientBoostingClassifier()
        let (x, _) = Synthetic.separable(rows: 50, seed: 1)
        do {
            try model.fit(x, y: [Int](repeating: 0, count: 50), seed: 1)
            Issue.record("single-class data was accepted")
        } catch let e as LearningError {
            #expect(e.code == .singleClass)
            #expect(e.description.hasPrefix("single_class: "))
            #expect(e.message.contains("both classes"))
        }
        // A library error keeps XGBoost's own message.
        var bad = GradientBoostingParameters()
        bad.subsample = 7
        do {
            try GradientBoostingClassifier(parameters: bad).fit(x, y: (0..<50).map { $0 % 2 }, seed: 1)
            Issue.record("subsample = 7 was accepted")
        } catch let e as LearningError {
            #expect(e.code == .libraryError)
            #expect(e.message.contains("xgboost"))
            #expect(e.message.count > 20)
        }
    }

    @Test func libraryVersionsAreReported() {
        let v = Classifiers.libraryVersions
        #expect(v["xgboost"]?.hasPrefix("1.") == true || v["xgboost"]?.hasPrefix("2.") == true)
        #expect(v["libsvm"] != nil && v["liblinear"] != nil)
    }
}
