import Foundation
import ModelMetrics
import Testing

@testable import Policy

/// Every action and reason of the one retrain decision, from plain values.
@Suite("Retrain policy")
struct RetrainPolicyTests {
    let policy = RetrainPolicy()
    /// Healthy production: 100 perfectly predicted signals, 60 % success, nothing fires at 3 days.
    let healthy = perfect(n: 100, successes: 60)
    /// Accuracy 0.10 over 100 signals: accuracy and degradation fire (with holdout 1).
    let failing = predictions(n: 100, correct: 10)
    let change = SchemaChange(from: "aaa", to: "bbb", productionVersion: 3)

    func decide(
        _ window: [WindowPrediction], holdout: Double? = 1, schema: SchemaChange? = nil, full: Bool = false,
        labeledSince: Int = 10, days: Double? = 3
    ) -> RetrainDecision {
        policy.decide(
            window: window, productionHoldoutScore: holdout, schemaChange: schema, full: full,
            labeledSinceLastTraining: labeledSince, daysSinceLastRetrain: days
        )
    }

    @Test func noTriggerFired() {
        let d = decide(healthy)
        #expect(d.action == .none && !d.retrains)
        #expect(d.reason == .noTriggerFired)
        #expect(d.reason.description == "no trusted trigger fired")
        #expect(d.report.firedTriggers.isEmpty && d.report.triggers.map(\.name) == TriggerName.allCases)
        // Nothing fired and nothing new: still plain none.
        #expect(decide(healthy, labeledSince: 0).action == .none)
    }

    @Test func firedRetrains() {
        let d = decide(failing)
        #expect(d.action == .retrain && d.retrains)
        #expect(d.reason == .fired([.accuracy, .degradation]))
        #expect(d.reason.description == "fired: accuracy, degradation")
        // One new label is enough.
        #expect(decide(failing, labeledSince: 1).action == .retrain)
    }

    @Test("accuracy 0.599 retrains, 0.600 does nothing", arguments: [(599, true), (600, false)])
    func accuracyEdge(correct: Int, fires: Bool) {
        let d = decide(predictions(n: 1000, correct: correct), holdout: nil)
        #expect(d.action == (fires ? .retrain : .none))
        #expect(d.reason == (fires ? .fired([.accuracy]) : .noTriggerFired))
    }

    @Test("schedule 29 days nothing, 30 retrains", arguments: [(29.0, false), (30.0, true)])
    func scheduleEdge(days: Double, fires: Bool) {
        let d = decide(healthy, days: days)
        #expect(d.action == (fires ? .retrain : .none))
        #expect(d.reason.description == (fires ? "fired: schedule" : "no trusted trigger fired"))
    }

    @Test func neverTrainedFiresSchedule() {
        let d = decide(healthy, holdout: nil, days: nil)
        #expect(d.reason == .fired([.schedule]) && d.action == .retrain)
    }

    @Test func nothingNewSkips() {
        let d = decide(failing, labeledSince: 0)
        #expect(d.action == .skipped && !d.retrains)
        #expect(d.reason == .nothingNew(fired: [.accuracy, .degradation]))
        #expect(d.reason.description == "fired: accuracy, degradation; skipped, nothing new: no signal labeled since the last training run")
    }

    @Test("n 49: untrusted triggers do not fire, insufficient_data does", arguments: [49, 50])
    func untrustedBelowMinSignals(n: Int) {
        // Every prediction wrong and every signal failed: accuracy 0, success 0, big degradation.
        let d = decide(predictions(n: n, correct: 0, label: false), holdout: 0.9)
        #expect(d.action == .retrain)
        if n < 50 {
            #expect(d.reason.description == "fired: insufficient_data")
            #expect(d.report.triggers.filter { !$0.trusted }.map(\.name) == [.accuracy, .successRate, .degradation])
        } else {
            #expect(d.reason.description == "fired: accuracy, success_rate, degradation")
        }
        // Untrusted triggers and nothing new: skipped for insufficient_data alone.
        #expect(decide(predictions(n: 49, correct: 0, label: false), holdout: 0.9, labeledSince: 0).reason
            == .nothingNew(fired: [.insufficientData]))
    }

    @Test func schemaChangedRetrainsWhatever() {
        let quiet = decide(healthy, schema: change, labeledSince: 0)
        #expect(quiet.action == .retrain)
        #expect(quiet.reason == .schemaChanged(change, fired: []))
        #expect(quiet.reason.description == "the feature schema changed (aaa → bbb): production v3 cannot score the current features")
        let loud = decide(failing, schema: change, full: true)
        #expect(loud.action == .retrain)
        #expect(loud.reason.description == "the feature schema changed (aaa → bbb): production v3 cannot score the current features; fired: accuracy, degradation")
    }

    @Test func monthlyRetrainsWithNewLabels() {
        let d = decide(healthy, full: true)
        #expect(d.action == .retrain && d.reason == .monthly(fired: []))
        #expect(d.reason.description == "monthly full retrain")
        #expect(decide(failing, full: true).reason.description == "monthly full retrain; fired: accuracy, degradation")
    }

    @Test func monthlySkipsWithoutNewLabels() {
        for window in [healthy, failing] {
            let d = decide(window, full: true, labeledSince: 0)
            #expect(d.action == .skipped && d.reason == .monthlyNothingNew)
            #expect(d.reason.description == "monthly full retrain skipped, nothing new: no signal labeled since the last training run")
        }
    }

    @Test func trainingThatCannotRunIsSkipped() {
        let notEnough = decide(failing).skipped(.notEnoughData("only 12 labeled signals have features"))
        #expect(notEnough.action == .skipped && !notEnough.retrains)
        #expect(notEnough.reason.description == "fired: accuracy, degradation; only 12 labeled signals have features")
        let untrainable = decide(healthy, full: true).skipped(.untrainable("one class"))
        #expect(untrainable.reason.description == "monthly full retrain; the labeled signals cannot train a model yet: one class")
        #expect(untrainable.report == decide(healthy, full: true).report)
    }

    @Test func actionAndReasonEncodeAsText() throws {
        #expect(RetrainAction.allCases.map(\.description) == ["none", "retrain", "skipped"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Row: Encodable { var action: RetrainAction; var reason: RetrainReason }
        let json = String(decoding: try encoder.encode(Row(action: .skipped, reason: .monthlyNothingNew)), as: UTF8.self)
        #expect(json == #"{"action":"skipped","reason":"monthly full retrain skipped, nothing new: no signal labeled since the last training run"}"#)
    }

    @Test func degradationReadsTheHoldoutCombinedScore() throws {
        // Production's holdout metrics as stored (encoded Metrics) decode to the score the
        // degradation trigger compares against.
        let holdout = try Metrics(labels: [1, 0, 1, 1, 0, 0, 1, 0], probabilities: [0.9, 0.2, 0.8, 0.7, 0.3, 0.1, 0.6, 0.4])
        let stored = String(decoding: try JSONEncoder().encode(holdout), as: UTF8.self)
        #expect(stored.contains(#""combinedScore""#))
        let score = try Metrics(json: stored).combinedScore
        #expect(score == holdout.combinedScore && score > 0.9)
        let d = decide(failing, holdout: score)
        let window = try #require(Metrics(window: failing))
        #expect(d.report[.degradation]?.value == (score - window.combinedScore) / score)
        #expect(d.report[.degradation]?.fired == true)
    }
}
