import Foundation
import ModelMetrics
import Testing
@testable import Learning

/// The tuning rule (adopted only beyond one standard error of the paired difference) and the
/// proportional tuning budget.
@Suite struct TuningRuleTests {
    /// 600 rows, 35 % positive; `skill` separates the classes, the rest is seeded noise.
    static let labels: [Int] = (0..<600).map { ($0 * 7919) % 100 < 35 ? 1 : 0 }
    static func scores(seed: UInt64, skill: Double) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return labels.map { Double($0) * skill + rng.nextUniform() }
    }

    @Test func aGainWithinOneStandardErrorKeepsTheBase() throws {
        let base = Self.scores(seed: 1, skill: 0.3)
        // The same scores with one positive moved above the negative just above it: AUC gains
        // 1 / (positives × negatives), and the paired variance, from those two rows alone, is
        // about 2 / (positives × negatives)², so the gain is about 1/√2 standard error.
        let order = base.indices.sorted { base[$0] < base[$1] }
        let i = try #require(order.indices.dropLast().first { Self.labels[order[$0]] == 1 && Self.labels[order[$0 + 1]] == 0 })
        var tuned = base
        tuned.swapAt(order[i], order[i + 1])
        let (adopted, test, reason) = TuningRule.decide(labels: Self.labels, tuned: tuned, base: base)
        let se = try #require(test.standardError)
        #expect(test.difference > 0 && test.difference <= se && !adopted)
        #expect(reason.hasPrefix(String(format: "tuned %+.4f ± %.4f: within one SE, kept the base (pooled out-of-fold AUC", test.difference, se)))
        #expect(reason.contains("on the same 600 rows"))
    }

    @Test func aGainBeyondOneStandardErrorIsAdopted() throws {
        let base = Self.scores(seed: 1, skill: 0.1)
        let tuned = Self.scores(seed: 1, skill: 0.6)
        let (adopted, test, reason) = TuningRule.decide(labels: Self.labels, tuned: tuned, base: base)
        let se = try #require(test.standardError)
        #expect(adopted && test.difference > se)
        #expect(reason.contains("beyond one SE, adopted"))
        // The other way round it is a loss: never adopted.
        #expect(!TuningRule.decide(labels: Self.labels, tuned: base, base: tuned).adopted)
    }

    @Test func anUnknownStandardErrorKeepsTheBase() {
        let labels = [1, 0, 0, 0, 0]
        let (adopted, test, reason) = TuningRule.decide(labels: labels, tuned: [0.9, 0.1, 0.2, 0.3, 0.4], base: [0.1, 0.9, 0.2, 0.3, 0.4])
        #expect(!adopted && test.standardError == nil && test.difference > 0)
        #expect(reason.contains("its standard error cannot be estimated): kept the base"))
    }

    /// Six features; the label is an interaction (the sign of f0 × f1, with noise) that depth-1
    /// trees cannot express at all, so a search that reaches deeper trees is genuinely better.
    static func interaction(rows: Int, seed: UInt64) -> (FeatureMatrix, [Int]) {
        let (x, _) = Synthetic.separable(rows: rows, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x51)
        let y = (0..<rows).map { r -> Int in
            let row = Array(x.row(r))
            return row[0] * row[1] + 0.3 * rng.nextGaussian() > 0 ? 1 : 0
        }
        return (x, y)
    }

    static func stumpsConfiguration() -> TrainingConfiguration {
        var c = TrainerTests.fastConfiguration()
        var stumps = GradientBoostingParameters()
        stumps.maxRounds = 40
        stumps.maxDepth = 1
        c.algorithms = [.gb]
        c.baseHyperparameters = [.gb(stumps)]
        c.tuningTrials = 6
        c.computeImportance = false
        return c
    }

    @Test func tuningThatGenuinelyHelpsIsAdopted() throws {
        let (x, y) = Self.interaction(rows: 900, seed: 31)
        let (entry, exit) = TrainerTests.days(rows: 900, seed: 5)
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: Self.stumpsConfiguration())
        let tuning = try #require(result.tuning)
        let test = try #require(tuning.test)
        #expect(tuning.adopted, "\(tuning.reason)")
        let se = try #require(test.standardError)
        #expect(test.difference > se && test.aucB < 0.65 && test.aucA > 0.75)
        #expect(tuning.reason.contains("beyond one SE, adopted"))
        #expect(result.hyperparameters != result.evaluations[0].hyperparameters && result.finalCVAUC > result.baseCVAUC)
        // The pooled rows are every fold's validation rows.
        #expect(tuning.rows == result.folds.reduce(0) { $0 + $1.validation.count })
        // The base's side of the test is its stage-2 out-of-fold predictions, pooled.
        #expect(abs(test.aucB - (result.evaluations[0].pooledCVAUC?.estimate ?? -1)) < 1e-12)
    }

    @Test func theProportionalBudgetIsPlannedInFoldFits() throws {
        // Four folds rung by rung (1, 2, 4 folds), each rung keeping a third: 8 draws take at
        // most 8 + 3 × 2 + 1 × 4 = 18 fold fits, 9 draws 9 + 4 × 2 + 2 × 4 = 25.
        #expect(TuningPlan.foldCounts(folds: 4) == [1, 2, 4] && TuningPlan.foldCounts(folds: 5) == [1, 2, 4, 5])
        #expect(TuningPlan.maximumFits(draws: 8, foldCounts: [1, 2, 4], halvingFactor: 3) == 18)
        #expect(TuningPlan.maximumFits(draws: 9, foldCounts: [1, 2, 4], halvingFactor: 3) == 25)
        #expect(TuningPlan.maximumFits(draws: 1, foldCounts: [1, 2, 4], halvingFactor: 3) == 7)
        // The daemon's default: five base models on four folds = 20 fold fits at factor 1.
        #expect(TuningPlan.draws(trials: 24, budgetFits: 20, foldCounts: [1, 2, 4], halvingFactor: 3) == 8)
        #expect(TuningPlan.draws(trials: 5, budgetFits: 20, foldCounts: [1, 2, 4], halvingFactor: 3) == 5)
        #expect(TuningPlan.draws(trials: 24, budgetFits: 6.9, foldCounts: [1, 2, 4], halvingFactor: 3) == 0)
    }

    @Test func theProportionalBudgetStopsTheSearch() throws {
        let (x, y) = Self.interaction(rows: 600, seed: 32)
        let (entry, exit) = TrainerTests.days(rows: 600, seed: 6)
        var config = Self.stumpsConfiguration()
        config.tuningBudgetFactor = 1e-9
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        let tuning = try #require(result.tuning)
        #expect(tuning.plannedDraws == 0 && tuning.spentFits == 0 && result.tuningTrials.isEmpty)
        #expect(!tuning.adopted && tuning.test == nil && result.hyperparameters == result.evaluations[0].hyperparameters)
        #expect(tuning.reason.hasPrefix("the proportional budget allows no draw"), "\(tuning.reason)")
        #expect(tuning.untunedFits == result.folds.count)
    }

    /// A budget of three draws runs the first three draws of the unbounded search, within it.
    @Test func aSmallerBudgetRunsAPrefixOfTheSameSearch() throws {
        let (x, y) = Self.interaction(rows: 600, seed: 34)
        let (entry, exit) = TrainerTests.days(rows: 600, seed: 8)
        let full = Self.stumpsConfiguration()
        var small = full
        let folds = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: full).folds.count
        let three = TuningPlan.maximumFits(draws: 3, foldCounts: TuningPlan.foldCounts(folds: folds), halvingFactor: small.halvingFactor)
        small.tuningBudgetFactor = Double(three) / Double(folds) // one base model: `folds` untuned fits
        let a = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: full)
        let b = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: small)
        let (ta, tb) = (try #require(a.tuning), try #require(b.tuning))
        #expect(ta.plannedDraws == full.tuningTrials && tb.plannedDraws == 3)
        #expect(Double(tb.spentFits) <= tb.budgetFits && tb.skipped == 0)
        let drawsOf = { (r: TrainingResult) in Dictionary(r.tuningTrials.filter { $0.rung == 0 && $0.candidate != 0 }.map { ($0.candidate, $0.hyperparameters) }, uniquingKeysWith: { l, _ in l }) }
        let (da, db) = (drawsOf(a), drawsOf(b))
        #expect(db.keys.sorted() == [1, 2, 3])
        #expect(db.allSatisfy { da[$0.key] == $0.value })
    }

    /// Within the budget, the trial count and every figure but the seconds are the same run to run.
    @Test func withinBudgetTheSearchIsDeterministic() throws {
        let (x, y) = Self.interaction(rows: 600, seed: 33)
        let (entry, exit) = TrainerTests.days(rows: 600, seed: 7)
        let config = Self.stumpsConfiguration()
        let a = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        let b = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        let (ta, tb) = (try #require(a.tuning), try #require(b.tuning))
        #expect(ta.skipped == 0 && tb.skipped == 0)
        #expect(a.tuningTrials.map(\.candidate) == b.tuningTrials.map(\.candidate))
        #expect(a.tuningTrials.map(\.meanAUC) == b.tuningTrials.map(\.meanAUC))
        #expect(ta.adopted == tb.adopted && ta.test == tb.test && ta.rows == tb.rows)
        #expect(a.model == b.model)
    }
}
