import Foundation
import Testing
@testable import Learning

@Suite struct TrainerTests {
    /// Three signals a day, label windows of 1-20 days, rows in time order.
    static func days(rows: Int, seed: UInt64) -> (entry: [Int], exit: [Int]) {
        var rng = SplitMix64(seed: seed)
        let entry = (0..<rows).map { 1000 + $0 / 3 }
        return (entry, entry.map { $0 + 1 + rng.nextInt(below: 20) })
    }

    static func fastConfiguration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.baseHyperparameters = Algorithm.allCases.map(Synthetic.fastParameters)
        c.tuningTrials = 4
        c.tuningSeconds = 600 // the trial budget decides, so runs are reproducible
        c.tuningBudgetFactor = 1000 // and not the proportional one either
        return c
    }

    @Test func trainsSelectsTunesAndEvaluates() throws {
        let (x, y) = Synthetic.separable(rows: 900, seed: 21)
        let (entry, exit) = Self.days(rows: 900, seed: 1)
        let config = Self.fastConfiguration()
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        #expect(result.evaluations.map(\.algorithm) == Algorithm.allCases)
        #expect(result.evaluations.allSatisfy { $0.error == nil && $0.foldAUCs.count == 4 && $0.holdout != nil })
        // The chosen algorithm has the best walk-forward AUC.
        let bestCV = result.evaluations.compactMap(\.cvAUC).max()!
        #expect(result.evaluations.first { $0.algorithm == result.chosen }!.cvAUC == bestCV)
        #expect(result.hyperparameters.algorithm == result.chosen)
        #expect(result.finalCVAUC >= result.baseCVAUC)
        // A base model is tuned; an ensemble is not (its members keep their parameters).
        #expect(result.tuningTrials.isEmpty == result.chosen.isEnsemble)
        #expect(result.selection == .meanCV && result.selectionReason.hasPrefix("mean_cv: "))
        if !result.chosen.isEnsemble {
            // Tuned parameters were adopted exactly when they beat the base beyond one standard error.
            let tuning = try #require(result.tuning)
            #expect(tuning.adopted == (result.hyperparameters != result.evaluations.first { $0.algorithm == result.chosen }!.hyperparameters))
            if tuning.adopted, let test = tuning.test, let se = test.standardError { #expect(test.difference > se) }
        }
        #expect(result.holdout.auc > 0.8)
        #expect(result.holdoutRows.count == 180)
        // No training row's label window reaches the holdout.
        #expect(result.trainRows.allSatisfy { exit[$0] < result.holdoutStart })
        // The stored model reproduces the stored holdout predictions.
        let model = try Classifiers.load([UInt8](result.model))
        #expect(try model.predictProbabilities(x.selecting(rows: result.holdoutRows)) == result.holdoutPredictions)
        #expect(result.importance?.features == x.columnNames)
        // The whole result is Codable (for the report's JSON).
        let json = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(TrainingResult.self, from: json).model == result.model)
    }

    @Test func sameSeedSameResult() throws {
        let (x, y) = Synthetic.separable(rows: 600, seed: 22)
        let (entry, exit) = Self.days(rows: 600, seed: 2)
        var config = Self.fastConfiguration()
        config.algorithms = [.gb, .lr, .nn]
        let a = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        let b = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        #expect(a.model == b.model)
        #expect(!a.tuningTrials.isEmpty)  // base models only: the chosen one is tuned
        #expect(a.hyperparameters == b.hyperparameters)
        #expect(a.tuningTrials.map(\.meanAUC) == b.tuningTrials.map(\.meanAUC))
        #expect(a.evaluations.map(\.foldAUCs) == b.evaluations.map(\.foldAUCs))
    }

    @Test func stopsWhenAsked() throws {
        let (x, y) = Synthetic.separable(rows: 300, seed: 23)
        let (entry, exit) = Self.days(rows: 300, seed: 3)
        #expect {
            try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: Self.fastConfiguration(), shouldStop: { true })
        } throws: { ($0 as? LearningError)?.code == .cancelled }
    }

    /// Leak control on synthetic data: with labels independent of the features, every model's
    /// holdout AUC must stay near 0.5. A leak through the split or the preprocessing would lift it.
    /// Two variants: fair-coin labels, and real labels shuffled within blocks of 30 days
    /// ("labels shuffled within time": same base rate per period, no feature link).
    @Test(arguments: ["random", "shuffledWithinTime"])
    func randomLabelsGiveChanceHoldoutAUC(_ variant: String) throws {
        let (entry, exit) = Self.days(rows: 1500, seed: 4)
        var (x, y) = Synthetic.randomLabels(rows: 1500, seed: 24)
        if variant == "shuffledWithinTime" {
            (x, y) = Synthetic.separable(rows: 1500, seed: 25)
            var rng = SplitMix64(seed: 26)
            let blocks = Dictionary(grouping: y.indices) { entry[$0] / 30 }
            for key in blocks.keys.sorted() {
                let rows = blocks[key]!
                let shuffled = rows.map { y[$0] }.shuffled(using: &rng)
                for (r, label) in zip(rows, shuffled) { y[r] = label }
            }
        }
        var config = Self.fastConfiguration()
        config.tune = false
        config.computeImportance = false
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        for e in result.evaluations {
            let auc = try #require(e.holdout?.auc)
            #expect(abs(auc - 0.5) <= 0.1, "\(e.algorithm) holdout AUC \(auc) on \(variant) labels")
        }
    }
}
