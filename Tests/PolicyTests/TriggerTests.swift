import Foundation
import Testing

import ModelMetrics
@testable import Policy

/// `n` predictions, all labeled `label`, of which `correct` are predicted right at 0.5.
func predictions(n: Int, correct: Int, label: Bool = true) -> [WindowPrediction] {
    (0..<n).map { i in
        let right = i < correct
        let predictedSuccess = right ? label : !label
        return WindowPrediction(probability: predictedSuccess ? 0.8 : 0.2, label: label)
    }
}

/// `n` perfectly predicted signals of which `successes` succeeded.
func perfect(n: Int, successes: Int) -> [WindowPrediction] {
    (0..<n).map { i in
        let label = i < successes
        return WindowPrediction(probability: label ? 0.9 : 0.1, label: label)
    }
}

@Suite("Window metrics")
struct WindowMetricsTests {
    @Test func aucWithTies() throws {
        let p = [
            WindowPrediction(probability: 0.8, label: true), WindowPrediction(probability: 0.8, label: false),
            WindowPrediction(probability: 0.3, label: false), WindowPrediction(probability: 0.9, label: true),
        ]
        func auc(_ p: [WindowPrediction]) throws -> Double { try #require(Metrics(window: p)).auc }
        #expect(try auc(p) == 0.875)
        #expect(try auc([.init(probability: 0.5, label: true), .init(probability: 0.5, label: false)]) == 0.5)
        #expect(try auc(perfect(n: 10, successes: 4)) == 1)
        #expect(try auc(perfect(n: 10, successes: 4).map { .init(probability: 1 - $0.probability, label: $0.label) }) == 0)
        #expect(try auc(perfect(n: 10, successes: 10)) == 0.5)  // one class
    }

    @Test func confusionMetrics() throws {
        // tp=2 (0.9, 0.6), fp=1 (0.5 counts as positive), fn=1 (0.4), tn=2.
        let p: [WindowPrediction] = [
            .init(probability: 0.9, label: true), .init(probability: 0.6, label: true), .init(probability: 0.5, label: false),
            .init(probability: 0.4, label: true), .init(probability: 0.2, label: false), .init(probability: 0.1, label: false),
        ]
        let m = try #require(Metrics(window: p))
        #expect(m.count == 6)
        #expect(m.accuracy == 4.0 / 6)
        #expect(m.precision == 2.0 / 3)
        #expect(m.recall == 2.0 / 3)
        #expect(abs(m.f1 - 2.0 / 3) < 1e-12)
        #expect(m.baseRate == 0.5)
        #expect(abs(m.auc - 8.0 / 9) < 1e-12)
        #expect(abs(m.combinedScore - (4.0 / 6 + 8.0 / 9 + 2.0 / 3 + 2.0 / 3 + 2.0 / 3) / 5) < 1e-12)
        #expect(Metrics(window: []) == nil)
        // Nothing predicted positive: precision 0, F1 0.
        let none = try #require(Metrics(window: [.init(probability: 0.1, label: true)]))
        #expect(none.precision == 0 && none.recall == 0 && none.f1 == 0 && none.auc == 0.5)
    }
}

@Suite("Retrain triggers")
struct TriggerTests {
    let config = TriggerThresholds()

    func inputs(_ p: [WindowPrediction], holdout: Double? = nil, days: Double? = 1) -> TriggerInputs {
        TriggerInputs(predictions: p, holdoutCombinedScore: holdout, daysSinceFullRetrain: days)
    }

    @Test func defaults() throws {
        #expect(config == TriggerThresholds(accuracy: 0.60, successRate: 0.50, degradation: 0.10, scheduleDays: 30, minSignals: 50))
        #expect(TriggerThresholds(minSignals: 20).minSignals == 20 && TriggerThresholds(minSignals: 20).accuracy == 0.60)
    }

    @Test("accuracy 0.599 fires, 0.600 does not", arguments: [(599, true), (600, false), (601, false), (1, true)])
    func accuracyEdge(correct: Int, fires: Bool) throws {
        let r = config.evaluate(inputs(predictions(n: 1000, correct: correct)))
        let acc = try #require(r[.accuracy])
        #expect(acc.value == Double(correct) / 1000)
        #expect(acc.trusted && acc.n == 1000 && acc.threshold == 0.60)
        #expect(acc.fired == fires)
        #expect(r.firedTriggers.contains(.accuracy) == fires)
    }

    @Test func accuracyExactlyAtThresholdWithSmallN() throws {
        // 30/50 = 0.6 exactly: does not fire; 29/50 = 0.58 fires.
        #expect(try #require(config.evaluate(inputs(predictions(n: 50, correct: 30)))[.accuracy]).fired == false)
        #expect(try #require(config.evaluate(inputs(predictions(n: 50, correct: 29)))[.accuracy]).fired == true)
    }

    @Test("success rate 0.499 fires, 0.500 does not", arguments: [(499, true), (500, false), (501, false)])
    func successRateEdge(successes: Int, fires: Bool) throws {
        let r = config.evaluate(inputs(perfect(n: 1000, successes: successes)))
        let sr = try #require(r[.successRate])
        #expect(sr.value == Double(successes) / 1000)
        #expect(sr.fired == fires && sr.trusted)
        #expect(r[.accuracy]?.fired == false)
        #expect(r.firedTriggers == (fires ? [.successRate] : []))
    }

    @Test("degradation 9.9 % does not fire, 10 % fires", arguments: [(0.099, false), (0.0999, false), (0.10, true), (0.101, true), (0.5, true), (-0.2, false)])
    func degradationEdge(drop: Double, fires: Bool) throws {
        // A window whose combined score S is not a round number; holdout H with (H - S) / H = drop.
        let window = predictions(n: 100, correct: 77) + perfect(n: 100, successes: 30)
        let s = try #require(Metrics(window: window)).combinedScore
        let holdout = s / (1 - drop)
        let r = config.evaluate(inputs(window, holdout: holdout))
        let d = try #require(r[.degradation])
        #expect(abs(try #require(d.value) - drop) < 1e-12)
        #expect(d.fired == fires && d.trusted)
    }

    @Test func degradationFloatingPointTrap() throws {
        // (1 - 0.9) / 1 is 0.09999999999999998 in binary floating point: a 10 % drop must still fire.
        #expect((1.0 - 0.9) / 1.0 < 0.10)
        let window = predictions(n: 100, correct: 100)  // all labels true, all predicted right
        let m = try #require(Metrics(window: window))
        #expect(m.combinedScore == 0.9)  // AUC 0.5 (one class), others 1
        let holdout = 1.0  // S = 0.9 -> drop (1 - 0.9) / 1 = 0.09999999999999998
        let r = config.evaluate(inputs(window, holdout: holdout))
        #expect(r[.degradation]?.fired == true)
        let r2 = config.evaluate(inputs(window, holdout: 0.9 / (1 - 0.0999)))
        #expect(r2[.degradation]?.fired == false)
    }

    @Test func degradationWithoutProductionModel() throws {
        let r = config.evaluate(inputs(perfect(n: 100, successes: 60), holdout: nil))
        let d = try #require(r[.degradation])
        #expect(d.value == nil && !d.fired && !d.trusted)
    }

    @Test("n 49 untrusted + insufficient_data, n 50 trusted", arguments: [49, 50])
    func minSignalsEdge(n: Int) throws {
        // Every prediction wrong and every signal failed: accuracy 0, success 0, big degradation.
        let window = predictions(n: n, correct: 0, label: false)
        let r = config.evaluate(inputs(window, holdout: 0.9))
        let enough = n >= 50
        for name in [TriggerName.accuracy, .successRate, .degradation] {
            let t = try #require(r[name])
            #expect(t.trusted == enough, "\(name)")
            #expect(t.fired == enough, "\(name)")
            #expect(t.value != nil, "reported even when untrusted")
            #expect(t.n == n)
        }
        let insufficient = try #require(r[.insufficientData])
        #expect(insufficient.fired == !enough && insufficient.trusted)
        #expect(insufficient.value == Double(n) && insufficient.threshold == 50)
        #expect(r.firedTriggers == (enough ? [.accuracy, .successRate, .degradation] : [.insufficientData]))
    }

    @Test func emptyWindow() throws {
        let r = config.evaluate(inputs([], holdout: 0.8))
        #expect(r.metrics == nil)
        #expect(r[.accuracy]?.value == nil && r[.accuracy]?.trusted == false)
        #expect(r.firedTriggers == [.insufficientData])
    }

    @Test("schedule 29 days no, 30 fires, never fires", arguments: [(29.0, false), (29.999, false), (30.0, true), (45.0, true)])
    func scheduleEdge(days: Double, fires: Bool) throws {
        let r = config.evaluate(inputs(perfect(n: 100, successes: 60), holdout: 1, days: days))
        let s = try #require(r[.schedule])
        #expect(s.value == days && s.threshold == 30)
        #expect(s.fired == fires)
        #expect(r.firedTriggers == (fires ? [.schedule] : []))
    }

    @Test func neverRetrainedFiresSchedule() throws {
        let r = config.evaluate(inputs(perfect(n: 100, successes: 60), holdout: 1, days: nil))
        #expect(r[.schedule]?.fired == true && r[.schedule]?.value == nil)
    }

    @Test func healthyModelDoesNothing() {
        let r = config.evaluate(inputs(perfect(n: 100, successes: 60), holdout: 1, days: 3))
        #expect(r.firedTriggers.isEmpty)
        #expect(r.triggers.map(\.name) == TriggerName.allCases)
    }

    @Test func reportIsCodable() throws {
        let r = config.evaluate(inputs(predictions(n: 100, correct: 10), holdout: 0.8, days: nil))
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(TriggerReport.self, from: data) == r)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"success_rate\"") && json.contains("\"insufficient_data\""))
    }
}
