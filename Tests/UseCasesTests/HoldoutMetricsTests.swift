import Foundation
import Testing
@testable import UseCases
import Learning
import ModelMetrics
import Policy
import Store

/// A version's stored holdout metrics are read back through `Metrics`, and the degradation
/// trigger compares the window against exactly that combined score.
@Suite struct HoldoutMetricsTests {
    @Test func storedHoldoutMetricsFeedTheDegradationTrigger() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (decision, result, _) = try app.training.train(algorithms: [.lr], tune: false)
        #expect(decision.promoted)
        let record = try app.store.modelVersion(decision.version)
        let stored = try #require(record.holdout)
        #expect(stored == result.holdout)
        #expect(record.holdout?.auc == result.holdout.auc)
        #expect(try app.store.status().production?.holdoutAUC == result.holdout.auc)

        let check = try app.cycle.checkAndRetrain(job: .scheduled(.weekly), full: false, now: Date())
        let window = try #require(check.evaluation.metrics)
        let degradation = try #require(check.triggers[.degradation])
        #expect(degradation.value == (stored.combinedScore - window.combinedScore) / stored.combinedScore)
    }
}
