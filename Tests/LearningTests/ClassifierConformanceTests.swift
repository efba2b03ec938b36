import Foundation
import Testing
@testable import Learning
import ModelMetrics

/// One conformance suite for all five classifiers (after scikit-learn's check_estimator).
@Suite struct ClassifierConformanceTests {
    static let data = Synthetic.separable(rows: 500, seed: 42)
    static let train = Array(0..<400), test = Array(400..<500)

    private func fitted(_ algorithm: Algorithm, seed: UInt64 = 0xDEAD_BEEF_CAFE_BABE) throws -> any Classifier {
        let (x, y) = Self.data
        let model = Classifiers.make(Synthetic.fastParameters(algorithm))
        try model.fit(x.selecting(rows: Self.train), y: Self.train.map { y[$0] }, seed: seed)
        return model
    }

    @Test(arguments: Algorithm.allCases)
    func shapesRangeAndLearning(_ algorithm: Algorithm) throws {
        let (x, y) = Self.data
        let model = try fitted(algorithm)
        #expect(model.algorithm == algorithm)
        #expect(model.isFitted)
        let p = try model.predictProbabilities(x.selecting(rows: Self.test))
        #expect(p.count == Self.test.count)
        #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite })
        // Learns the simple signal, judged on rows it never saw.
        let auc = Metrics.auc(labels: Self.test.map { y[$0] }, scores: p)
        #expect(auc > 0.8, "\(algorithm) held-out AUC \(auc)")
        // Empty input gives empty output; a wrong column count is refused.
        #expect(try model.predictProbabilities(x.selecting(rows: [])).isEmpty)
        let narrow = try FeatureMatrix(rows: 1, cols: 2, values: [0, 0])
        #expect(throws: LearningError.self) { try model.predictProbabilities(narrow) }
    }

    @Test(arguments: Algorithm.allCases)
    func saveLoadRoundTripPredictsIdentically(_ algorithm: Algorithm) throws {
        let (x, _) = Self.data
        let model = try fitted(algorithm)
        let bytes = try model.serialize()
        let loaded = try Classifiers.load(bytes)
        #expect(loaded.algorithm == algorithm)
        #expect(loaded.hyperparameters == model.hyperparameters)
        #expect(try loaded.predictProbabilities(x) == model.predictProbabilities(x))
        #expect(try loaded.serialize() == bytes)
        // A damaged artifact is refused with a clear error, never loaded.
        #expect(throws: LearningError.self) { try Classifiers.load(Array(bytes.prefix(10))) }
        let native = try model.nativeExport()
        #expect(!native.bytes.isEmpty)
        #expect(["json", "model"].contains(native.fileExtension))
    }

    @Test(arguments: Algorithm.allCases)
    func sameSeedGivesIdenticalBytes(_ algorithm: Algorithm) throws {
        let a = try fitted(algorithm, seed: 11).serialize()
        let b = try fitted(algorithm, seed: 11).serialize()
        #expect(a == b)
    }

    @Test(arguments: Algorithm.allCases)
    func handlesNaNAndConstantColumns(_ algorithm: Algorithm) throws {
        // A column that is entirely NaN next to the constant one and a gappy one.
        let (x0, y) = Self.data
        var x = x0
        for r in 0..<x.rows { x[r, 4] = .nan; if r % 3 == 0 { x[r, 1] = .infinity } }
        let model = Classifiers.make(Synthetic.fastParameters(algorithm))
        try model.fit(x.selecting(rows: Self.train), y: Self.train.map { y[$0] }, seed: 3)
        let p = try model.predictProbabilities(x.selecting(rows: Self.test))
        #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite })
        #expect(Metrics.auc(labels: Self.test.map { y[$0] }, scores: p) > 0.7)
    }

    @Test(arguments: Algorithm.allCases)
    func rejectsBadTrainingData(_ algorithm: Algorithm) throws {
        let (x, y) = Self.data
        let model = Classifiers.make(Synthetic.fastParameters(algorithm))
        func code(_ body: () throws -> Void) -> LearningError.Code? {
            do { try body(); return nil } catch let e as LearningError { return e.code } catch { return nil }
        }
        let rows = Array(0..<100)
        #expect(code { try model.fit(x.selecting(rows: rows), y: rows.map { _ in 1 }, seed: 1) } == .singleClass)
        let few = Array(0..<19)
        #expect(code { try model.fit(x.selecting(rows: few), y: few.map { $0 % 2 }, seed: 1) } == .tooFewRows)
        #expect(code { try model.fit(x.selecting(rows: rows), y: Array(y.prefix(99)), seed: 1) } == .shapeMismatch)
        #expect(code { try model.fit(x.selecting(rows: rows), y: rows.map { $0 % 2 == 0 ? 2 : 0 }, seed: 1) } == .invalidLabels)
        #expect(code { _ = try model.predictProbabilities(x) } == .notFitted)
        #expect(code { try model.fit(x.selecting(rows: rows), y: rows.map { y[$0] }, seed: 1, shouldStop: { true }) } == .cancelled)
        #expect(!model.isFitted)
    }
}
