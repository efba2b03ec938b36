import Foundation
import Testing
@testable import ModelMetrics

@Suite struct MetricsTests {
    // Hand-computed: at 0.5, TP = 2 (0.9, 0.5), FP = 1 (0.8), FN = 1 (0.3), TN = 2.
    // AUC: positive scores {0.9, 0.5, 0.3} vs negative {0.8, 0.3, 0.1}: 3 + 2 + (0.5 + 1) = 6.5 of 9.
    let labels = [1, 0, 1, 1, 0, 0]
    let probabilities = [0.9, 0.8, 0.5, 0.3, 0.3, 0.1]

    @Test func handComputedValues() throws {
        let m = try Metrics(labels: labels, probabilities: probabilities)
        #expect(m.count == 6)
        #expect(abs(m.accuracy - 4.0 / 6) < 1e-12)
        #expect(abs(m.precision - 2.0 / 3) < 1e-12)
        #expect(abs(m.recall - 2.0 / 3) < 1e-12)
        #expect(abs(m.f1 - 2.0 / 3) < 1e-12)
        #expect(abs(m.auc - 6.5 / 9) < 1e-12)
        #expect(abs(m.brier - 1.49 / 6) < 1e-12)
        let ll = -(log(0.9) + log(0.2) + log(0.5) + log(0.3) + log(0.7) + log(0.9)) / 6
        #expect(abs(m.logLoss - ll) < 1e-12)
        #expect(m.baseRate == 0.5)
        #expect(abs(m.lift - (2.0 / 3) / 0.5) < 1e-12)
        let combined = (4.0 / 6 + 6.5 / 9 + 2.0 / 3 + 2.0 / 3 + 2.0 / 3) / 5
        #expect(abs(m.combinedScore - combined) < 1e-12)
        #expect(m.grade == .fair)
        let decoded = try JSONDecoder().decode(Metrics.self, from: JSONEncoder().encode(m))
        #expect(decoded == m)
    }

    @Test func aucTiesAndDegenerateCases() {
        // Every score tied: each pair counts one half.
        #expect(Metrics.auc(labels: [1, 0, 1, 0], scores: [0.4, 0.4, 0.4, 0.4]) == 0.5)
        // Perfect and reversed ranking.
        #expect(Metrics.auc(labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.3, 0.4]) == 1)
        #expect(Metrics.auc(labels: [1, 1, 0, 0], scores: [0.1, 0.2, 0.3, 0.4]) == 0)
        // One tie across classes among otherwise separated scores: (1 + 1 + 1 + 0.5) / 4.
        #expect(Metrics.auc(labels: [0, 0, 1, 1], scores: [0.1, 0.5, 0.5, 0.9]) == 0.875)
        // A single class has no AUC: 0.5 by convention.
        #expect(Metrics.auc(labels: [1, 1, 1], scores: [0.1, 0.2, 0.3]) == 0.5)
        #expect(Metrics.averageRanks([3, 1, 3, 2]) == [3.5, 1, 3.5, 2])
    }

    @Test func logLossIsClipped() throws {
        let m = try Metrics(labels: [1, 0], probabilities: [0, 1])
        // Clipped to [1e-15, 1 - 1e-15] (as scikit-learn; 1 - 1e-15 is not exact in binary).
        let expected = (-log(1e-15) - log(1 - (1 - 1e-15))) / 2
        #expect(abs(m.logLoss - expected) < 1e-12)
        #expect(m.logLoss > 34 && m.logLoss < 35)
        #expect(m.precision == 0 && m.recall == 0 && m.f1 == 0 && m.lift == 0)
        #expect(throws: MetricsError.shapeMismatch(labels: 1, probabilities: 0)) { try Metrics(labels: [1], probabilities: []) }
    }

    @Test func gradeEdges() {
        #expect(Grade(score: 0.95) == .excellent)
        #expect(Grade(score: 0.8000001) == .excellent)
        #expect(Grade(score: 0.80) == .good)
        #expect(Grade(score: 0.7000001) == .good)
        #expect(Grade(score: 0.70) == .fair)
        #expect(Grade(score: 0.60) == .fair)
        #expect(Grade(score: 0.5999999) == .needsImprovement)
        #expect(Grade.excellent > .good && Grade.good > .fair && Grade.fair > .needsImprovement)
        #expect(Grade.needsImprovement.rawValue == "NEEDS_IMPROVEMENT")
    }
}
