import Foundation
import GRDB
import Learning
import ModelMetrics
import Policy
import Store
import Testing
import TradingDomain
@testable import UseCases

/// The training options on the real bundled signals: the tuning rule, what is shipped
/// (`training.ship`) and the monthly promotion mode (`training.monthly_promotion`).
@Suite(.serialized) struct TrainingOptionsTests {
    /// One algorithm, single-model production (these tests are about its selection and promotion).
    static let gbOnly = TestSupport.quickTraining.merging(["IMPROVEMENTD_TRAINING_ALGORITHMS": "gb", "IMPROVEMENTD_TRAINING_PRODUCTION": "single"]) { $1 }

    @Test func tuningSaysWhetherItWasAdoptedAndWhy() throws {
        let app = try TestSupport.realApp(environment: [
            "IMPROVEMENTD_TRAINING_TUNING_TRIALS": "6", "IMPROVEMENTD_TRAINING_TUNING_SECONDS": "86400",
            "IMPROVEMENTD_TRAINING_TUNING_BUDGET_FACTOR": "1000",
        ])
        let (decision, result, _) = try app.training.train(algorithms: [.gb])
        let tuning = try #require(decision.tuning)
        #expect(tuning == result.tuning && tuning.skipped == 0)
        let base = result.evaluations[0]
        #expect(tuning.adopted == (result.hyperparameters != base.hyperparameters))
        if let test = tuning.test {
            #expect(tuning.adopted == (test.difference > (test.standardError ?? .infinity)))
            // The base's side is its own walk-forward predictions, pooled: the same AUC as the table's.
            #expect(abs(test.aucB - (base.pooledCVAUC?.estimate ?? -1)) < 1e-12)
            #expect(tuning.reason.hasPrefix(String(format: "tuned %+.4f ± ", test.difference)))
        } else {
            #expect(!tuning.adopted && tuning.reason.hasSuffix("kept the base"))
        }
        let report = try String(contentsOfFile: try #require(decision.reportPath), encoding: .utf8)
        #expect(report.contains("tuning: \(tuning.reason)"))
    }

    /// `ship = refit`: the artifact is the chosen configuration refitted on every labeled row; the
    /// figures, the report's metrics and the promotion test are the measured fit's.
    @Test func aRefitLearnsEveryRowAndKeepsTheMeasuredFigures() throws {
        let measuredApp = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let refitApp = try TestSupport.realApp(environment: TestSupport.quickTraining.merging(["IMPROVEMENTD_TRAINING_SHIP": "refit"]) { $1 })
        let (m, measured, data) = try measuredApp.training.train(algorithms: [.lr], tune: false)
        let (r, result, _) = try refitApp.training.train(algorithms: [.lr], tune: false)
        let mv = try measuredApp.store.modelVersion(m.version), rv = try refitApp.store.modelVersion(r.version)
        // The figures are the measured fit's.
        #expect(result.holdoutPredictions == measured.holdoutPredictions && result.model == measured.model)
        #expect(rv.holdoutMetrics == mv.holdoutMetrics && rv.nHoldout == mv.nHoldout)
        let cv = { (v: ModelVersionRecord) in try JSONDecoder().decode([ModelEvaluation].self, from: Data(v.cvMetrics.utf8)).map(\.foldAUCs) }
        #expect(try cv(rv) == cv(mv))
        // The artifact is not: it learned all N rows, through the last entry.
        #expect(rv.artifactSHA256 != mv.artifactSHA256)
        #expect(mv.nTrain == measured.trainRows.count && rv.nTrain == data.labels.count && rv.nTrain > mv.nTrain)
        #expect(rv.dataEnd == data.lastEntry?.iso && mv.dataEnd == Day(number: Int32(data.entryDays[measured.trainRows.last!])).iso)
        let refit = try Classifiers.load(try refitApp.store.artifact(r.version))
        let all = try refit.predictProbabilities(data.x)
        #expect(all.count == data.labels.count && all.allSatisfy { (0...1).contains($0) })
        #expect(try refitApp.store.artifact(r.version) == [UInt8](try Trainer.refit(result, data.x, labels: data.labels).model))
        // The refit has seen the holdout: its predictions there differ, and the promotion
        // decision's candidate AUC is the measured fit's, not the refit's.
        let holdY = result.holdoutRows.map { data.labels[$0] }
        let refitOnHoldout = result.holdoutRows.map { all[$0] }
        #expect(refitOnHoldout != result.holdoutPredictions)
        let candidate = try #require(r.promotion?.candidateAUC.estimate)
        #expect(candidate == Metrics.auc(labels: holdY, scores: result.holdoutPredictions))
        #expect(candidate != Metrics.auc(labels: holdY, scores: refitOnHoldout))
        // The version and the report say what was shipped.
        let said = "refitted on all \(data.labels.count) rows; figures are of the fit on the first \(result.trainRows.count)"
        #expect(r.shipped == said && r.reason.hasSuffix("; " + said) && rv.decisionReason == r.reason)
        #expect(m.shipped == "the fit on the purged training part (\(measured.trainRows.count) rows), the one the holdout measured")
        #expect(!m.reason.contains("refitted"))
        #expect(try String(contentsOfFile: try #require(r.reportPath), encoding: .utf8).contains("shipped: " + said))
    }

    /// A challenger judged against a refitted production: only the holdout signals entered after
    /// production's `data_end` are compared, and the challenger's side is its measured fit.
    @Test func aRefittedProductionIsJudgedOnSignalsItNeverLearned() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining.merging(["IMPROVEMENTD_TRAINING_SHIP": "refit"]) { $1 })
        // Production learns the signals entered up to a cut-off (later outcomes held back), as if
        // trained a while ago; then the held-back outcomes arrive.
        let all = try app.training.dataset(features: try app.features.compute())
        let cut = Day(number: Int32(all.entryDays[all.entryDays.count * 9 / 10])).iso
        let hidden = try app.store.pool.write { db -> [String] in
            let ids = try String.fetchAll(db, sql: """
                SELECT o.signal_id FROM outcomes o JOIN signals s USING (signal_id)
                WHERE o.status = 'labeled' AND s.entry_date > ?
                """, arguments: [cut])
            try db.execute(sql: "UPDATE outcomes SET status = 'pending' WHERE signal_id IN (\(ids.map { "'\($0)'" }.joined(separator: ",")))")
            return ids
        }
        #expect(hidden.count > 100)
        let (first, _, _) = try app.training.train(algorithms: [.lr], tune: false)
        #expect(first.promoted)
        let production = try app.store.modelVersion(first.version)
        #expect(production.dataEnd.map { $0 <= cut } == true)
        try app.store.pool.write { db in
            try db.execute(sql: "UPDATE outcomes SET status = 'labeled' WHERE signal_id IN (\(hidden.map { "'\($0)'" }.joined(separator: ",")))")
        }
        let (second, result, data) = try app.training.train(algorithms: [.gb], tune: false)
        let test = try #require(second.promotion?.test)
        let trainedUntil = Int(try #require(Day(iso: production.dataEnd!)).number)
        let unseen = result.holdoutRows.indices.filter { data.entryDays[result.holdoutRows[$0]] > trainedUntil }
        #expect(!unseen.isEmpty && unseen.count < result.holdoutRows.count)
        #expect(second.promotion?.leftOut == result.holdoutRows.count - unseen.count)
        #expect(second.reason.contains("on the same \(unseen.count) holdout signals"))
        #expect(second.reason.contains("; \(result.holdoutRows.count - unseen.count) holdout signal(s) production had trained on were left out of the comparison"))
        let productionModel = try Classifiers.load(try app.store.artifact(first.version))
        let productionScores = try productionModel.predictProbabilities(data.x.selecting(rows: unseen.map { result.holdoutRows[$0] }))
        let labels = unseen.map { data.labels[result.holdoutRows[$0]] }
        #expect(test == DeLong.compare(labels: labels, a: unseen.map { result.holdoutPredictions[$0] }, b: productionScores))
    }

    /// Retraining on identical data with another seed: the monthly job under `paired_test` keeps
    /// production, under `unless_worse` replaces it; any other training run keeps the paired test.
    @Test func theMonthlyRetrainIsPromotedUnlessWorse() throws {
        let app = try TestSupport.realApp(environment: Self.gbOnly)
        let first = try app.cycle.checkAndRetrain(job: .scheduled(.monthly), full: true, now: Date())
        #expect(first.training?.promoted == true)
        func reseeded(_ mode: PromotionRule.Mode) throws -> App {
            var config = app.config
            config.training.seed = 1
            config.training.monthlyPromotion = mode
            // The labeled signals count as new again, so the monthly job retrains on the same data.
            try app.store.setSetting("last_training_label_change", "0")
            return App(config: config, store: app.store, logger: app.logger)
        }
        let paired = try reseeded(.pairedTest).cycle.checkAndRetrain(job: .scheduled(.monthly), full: true, now: Date())
        let kept = try #require(paired.training)
        let test = try #require(kept.promotion?.test)
        #expect(paired.action == .retrain && !kept.promoted && test.difference != 0)
        #expect(kept.reason.contains("not better beyond sampling error; production kept"))
        // A training run other than the monthly job is judged by the paired test whatever the mode.
        let (other, _, _) = try reseeded(.unlessWorse).training.train(tune: false)
        #expect(!other.promoted && other.promotion?.test == test)
        let monthly = try reseeded(.unlessWorse).cycle.checkAndRetrain(job: .scheduled(.monthly), full: true, now: Date())
        let replaced = try #require(monthly.training)
        #expect(replaced.promoted && replaced.promotion?.test == test)
        #expect(replaced.reason.contains("p(worse) = "))
        #expect(replaced.reason.contains("not significantly worse; the retrain replaces production (unless_worse)"))
        #expect(monthly.result?.hasPrefix("promoted v\(replaced.version) (holdout AUC ") == true)
        #expect(try app.store.productionModel()?.version == replaced.version)
    }
}
