import Foundation
import GRDB
import Testing
@testable import UseCases
import Learning
import ModelMetrics
import Policy
import Store
import TradingDomain

/// The take policy end to end: chosen on training-part out-of-fold predictions, measured on the
/// holdout, stored with the version and every prediction (README.md, "For trading-system authors").
// On the main actor: these tests block in training for seconds, and on the cooperative pool (two
// threads here) they would stall every other suite's timers.
@MainActor @Suite struct TakePolicyIntegrationTests {
    /// `rows` signals, four entering a day, each held five days; feature 0 carries the label
    /// with `noise` (a large noise: none), the others are noise. Returns +2 % on a success,
    /// −1 % on a failure.
    static func stream(rows: Int, seed: UInt64, noise: Double) -> (x: FeatureMatrix, labels: [Int], returns: [Double?], entry: [Int], exit: [Int]) {
        var rng = SplitMix64(seed: seed)
        var values: [Double] = [], labels: [Int] = []
        for _ in 0..<rows {
            let f0 = rng.nextGaussian(), f1 = rng.nextGaussian(), f2 = rng.nextUniform()
            values += [f0, f1, f2]
            labels.append(f0 + noise * rng.nextGaussian() > 0.3 ? 1 : 0)
        }
        let x = try! FeatureMatrix(rows: rows, cols: 3, values: values, columnNames: ["carrier", "noise_a", "noise_b"])
        let entry = (0..<rows).map { 20_000 + $0 / 4 }
        return (x, labels, labels.map { $0 == 1 ? 2.0 : -1.0 }, entry, entry.map { $0 + 5 })
    }

    static func configuration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.algorithms = [.lr]
        c.tune = false
        c.computeImportance = false
        return c
    }

    static func policy(_ r: TrainingResult, labels: [Int], returns: [Double?], skill: Bool = true) throws -> TakePolicy {
        let oof = try #require(r.trainingPredictions)
        return TakePolicy.choose(probabilities: oof.probabilities, labels: oof.rows.map { labels[$0] },
                                 returns: oof.rows.map { returns[$0] }, skillDemonstrated: skill)
    }

    @Test func theThresholdIsBitIdenticalWhenEveryHoldoutLabelChanges() throws {
        let s = Self.stream(rows: 1200, seed: 7, noise: 0.8)
        let a = try Trainer.train(s.x, labels: s.labels, entryDays: s.entry, exitDays: s.exit, configuration: Self.configuration())
        var flipped = s.labels, returns = s.returns
        for i in a.holdoutRows { flipped[i] = 1 - flipped[i]; returns[i] = -(returns[i] ?? 0) }
        let b = try Trainer.train(s.x, labels: flipped, entryDays: s.entry, exitDays: s.exit, configuration: Self.configuration())
        #expect(a.holdoutRows == b.holdoutRows && !a.holdoutRows.isEmpty)
        let oofA = try #require(a.trainingPredictions), oofB = try #require(b.trainingPredictions)
        #expect(!oofA.rows.isEmpty && Set(oofA.rows).isSubset(of: Set(a.trainRows)) && Set(oofA.rows).isDisjoint(with: Set(a.holdoutRows)))
        #expect(oofA.rows == oofB.rows && oofA.probabilities.map(\.bitPattern) == oofB.probabilities.map(\.bitPattern))
        let pa = try Self.policy(a, labels: s.labels, returns: s.returns), pb = try Self.policy(b, labels: flipped, returns: returns)
        #expect(!pa.takesEverySignal)
        #expect(pa.threshold.bitPattern == pb.threshold.bitPattern && pa == pb)
        // The holdout measure does see the change.
        #expect(a.holdout.auc > 0.7 && b.holdout.auc < 0.3)
    }

    @Test func aFeatureCarryingTheLabelLiftsTheTakenSuccessRateAndPermutedLabelsDoNot() throws {
        let s = Self.stream(rows: 1600, seed: 11, noise: 0.6)
        let r = try Trainer.train(s.x, labels: s.labels, entryDays: s.entry, exitDays: s.exit, configuration: Self.configuration())
        let p = try Self.policy(r, labels: s.labels, returns: s.returns)
        let e = Economics(labels: r.holdoutRows.map { s.labels[$0] }, take: r.holdoutPredictions.map(p.take), returns: r.holdoutRows.map { s.returns[$0] })
        #expect(e.takenFraction >= 0.2 && e.takenFraction < 1)
        #expect(e.successTaken.estimate > e.successAll.estimate + 0.2, "\(e.summary)")
        #expect(e.successTaken.lower > e.successAll.upper, "\(e.summary)")
        #expect(try #require(e.taking.meanReturnPct) > (try #require(e.all.meanReturnPct)))

        // The same stream with its labels permuted across history: the rule (skill gate off, so
        // that it does choose a threshold) takes signals no better than all of them.
        var rng = SplitMix64(seed: 99)
        let permuted = s.labels.shuffled(using: &rng)
        let returns = permuted.map { $0 == 1 ? 2.0 : -1.0 } as [Double?]
        let q = try Trainer.train(s.x, labels: permuted, entryDays: s.entry, exitDays: s.exit, configuration: Self.configuration())
        let pq = try Self.policy(q, labels: permuted, returns: returns)
        let n = Economics(labels: q.holdoutRows.map { permuted[$0] }, take: q.holdoutPredictions.map(pq.take), returns: q.holdoutRows.map { returns[$0] })
        #expect(n.successTaken.contains(n.successAll.estimate) && n.successAll.contains(n.successTaken.estimate), "\(n.summary)")
        // With the skill gate on, as the daemon runs it, a coin-like version takes every signal.
        let skill = try #require(q.holdoutIntervals)
        if skill.noDemonstratedSkill {
            #expect(try Self.policy(q, labels: permuted, returns: returns, skill: false).takesEverySignal)
        }
    }

    @Test func aVersionWithoutDemonstratedSkillTakesEverySignalItScores() throws {
        let s = Self.stream(rows: 800, seed: 5, noise: 100) // the feature is drowned: a coin
        let r = try Trainer.train(s.x, labels: s.labels, entryDays: s.entry, exitDays: s.exit, configuration: Self.configuration())
        let data = TrainingDataset(signalIds: (0..<800).map { "s\($0)" }, x: s.x, labels: s.labels, returns: s.returns,
                                   entryDays: s.entry, exitDays: s.exit, schemaHash: "h", schemaVersion: 1, labelChange: 0)
        let v = VersionPolicy(section: PolicySection(), result: r, dataset: data, skillDemonstrated: false)
        #expect(v.policy.takesEverySignal && v.policy.threshold == 0 && v.policy.reason.contains("no demonstrated skill"))
        #expect(v.holdout.taken == r.holdoutRows.count && v.holdout.successTaken == v.holdout.successAll)
        #expect(v.summary.contains("takes every signal"))
    }

    /// The real bundled data: training stores the policy, scoring stores each signal's decision,
    /// the view and the export carry them.
    @Test func trainingStoresThePolicyAndScoringTheDecisions() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (decision, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        let record = try app.store.modelVersion(decision.version)
        let stored = try JSONDecoder().decode(VersionPolicy.self, from: Data(try #require(record.takePolicy).utf8))
        #expect(stored == decision.policy && record.takeThreshold == stored.policy.threshold)
        #expect(stored.policy.takesEverySignal == (decision.promotion?.noDemonstratedSkill ?? true))
        if !stored.policy.takesEverySignal { #expect(stored.policy.outOfFoldTakenFraction >= 0.3) }
        #expect(stored.holdout.n == record.nHoldout)

        let scored = try app.scoring.score(try app.prepareJob())
        #expect(scored.scored > 0)
        let scores = try app.store.signalScores()
        #expect(scores.count == scored.scored)
        for s in scores {
            #expect(s.modelVersion == decision.version && s.threshold == stored.policy.threshold && s.size == nil)
            #expect(s.take == stored.policy.take(s.probability))
        }
        #expect(scored.taken == scores.filter { $0.take == true }.count)

        let path = TestSupport.scratch().appendingPathComponent("p.csv").path
        #expect(try app.exporting.export(.predictions, to: path) == scores.count)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "signal_id,model_version,probability,scored_at,blended_probability,take,threshold,size")
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 8 })
    }

    @Test func theLivePolicyComparesTakenWithSkippedAndRidesInTheDecisionJSON() throws {
        let policy = TakePolicy.choose(probabilities: [0.9, 0.8, 0.2, 0.1], labels: [1, 1, 0, 0], returns: [nil, nil, nil, nil],
                                       minTakeFraction: 0.5, skillDemonstrated: true)
        let json = String(decoding: try JSONEncoder().encode(VersionPolicy(policy: policy, holdout: Economics(labels: [], take: [], returns: []))), as: UTF8.self)
        let fields: [String: Any] = [
            "version": 3, "algorithm": "lr", "hyperparameters": "{}", "featureSchemaHash": "h", "nTrain": 1, "nHoldout": 1,
            "seed": 1, "libraryVersions": "{}", "cvMetrics": "[]", "holdoutMetrics": "{}", "artifactSHA256": "",
            "status": "production", "createdAt": "", "takeThreshold": policy.threshold, "takePolicy": json,
        ]
        let record = try JSONDecoder().decode(ModelVersionRecord.self, from: try JSONSerialization.data(withJSONObject: fields))
        let day = Day(iso: "2025-01-02")!
        var window: [WindowOutcome] = []
        for i in 0..<60 { window.append(WindowOutcome(signalId: "t\(i)", entryDate: day, label: i < 50 ? 1 : 0, probability: 0.85, returnPct: 1)) }
        for i in 0..<60 { window.append(WindowOutcome(signalId: "s\(i)", entryDate: day, label: i < 10 ? 1 : 0, probability: nil, returnPct: -1)) }
        let made = Dictionary(uniqueKeysWithValues: (0..<60).map { ("s\($0)", 0.1) })
        let live = try #require(LivePolicyEvaluation(record: record, unseen: window, madeNow: made))
        #expect(live.economics.taken == 60 && live.economics.n == 120 && live.threshold == 0.8)
        #expect(live.verdict == "taken beat skipped beyond sampling error")
        #expect(live.journalFields["policy_taken"] == "60/120")

        // The decision's triggers JSON keeps the trigger report as it was and adds `policy`.
        let report = TriggerReport(triggers: [], metrics: nil, firedTriggers: [])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = try encoder.encode(DecisionTriggers(report: report, policy: live))
        #expect(try JSONDecoder().decode(TriggerReport.self, from: text) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: text) as? [String: Any])
        #expect(object["policy"] != nil && object["triggers"] != nil)
        #expect(try encoder.encode(DecisionTriggers(report: report, policy: nil)) == (try encoder.encode(report)))
        // A version registered before the policy existed takes every signal.
        var old = record
        old.takePolicy = nil
        #expect(VersionPolicy.of(old).takesEverySignal)
    }
}
