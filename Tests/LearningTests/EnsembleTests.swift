import Foundation
import Testing
@testable import Learning
import ModelMetrics

/// The five ensembles beyond the conformance suite: their combiners on fixed inputs, the
/// stacking leak check, the leak control through the Trainer, and the Trainer's ensemble stage.
@Suite struct EnsembleTests {
    /// `Synthetic.separable` plus `bull_market` / `bear_market` columns (40 % bull, 30 % bear rows).
    static func withRegimes(rows: Int, seed: UInt64) -> (FeatureMatrix, [Int]) {
        let (x, y) = Synthetic.separable(rows: rows, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var values = [Double]()
        for r in 0..<rows {
            let u = rng.nextUniform()
            values += Array(x.row(r)) + [u < 0.4 ? 1 : 0, u >= 0.4 && u < 0.7 ? 1 : 0]
        }
        return (try! FeatureMatrix(rows: rows, cols: x.cols + 2, values: values, columnNames: x.columnNames + ["bull_market", "bear_market"]), y)
    }

    // MARK: combiners on fixed inputs

    @Test func votingIsTheMeanOfTheMembers() {
        let c = Combiner.fit(.voting, predictions: [[0.2, 0.8], [0.4, 0.6]], labels: [0, 1], regimes: [.neutral, .neutral],
                             columns: (nil, nil), regimeMinRows: 0, names: ["a", "b"])
        #expect(c.combine([[0.2, 0.8], [0.4, 0.6]], regimes: []).map { ($0 * 1e12).rounded() / 1e12 } == [0.3, 0.7])
    }

    @Test func anInvertedMemberGetsWeightZeroNeverANegativeOne() {
        // Member 0 is informative, member 1 is member 0 inverted (1 − p): stacking's free-sign
        // meta-model would give it a negative coefficient (it carries the same information).
        var rng = SplitMix64(seed: 21)
        var good = [Double](), labels = [Int]()
        for _ in 0..<1500 {
            let p = 0.15 + 0.7 * rng.nextUniform()
            good.append(p)
            labels.append(rng.nextUniform() < p ? 1 : 0)
        }
        let inverted = good.map { 1 - $0 }
        let noise = (0..<1500).map { _ in 0.3 + 0.4 * rng.nextUniform() }
        for kind in Algorithm.ensembleCases {
            let c = Combiner.fit(kind, predictions: [good, inverted, noise], labels: labels, regimes: Array(repeating: .neutral, count: 1500),
                                 columns: (nil, nil), regimeMinRows: 0, names: ["good", "inverted", "noise"])
            #expect(c.weights.allSatisfy { $0 >= 0 }, "\(kind): \(c.weights)")
            if c.rule == .select {
                #expect(c.regimeMembers.allSatisfy { $0 == 0 }, "\(kind) selects \(c.regimeMembers)")
            } else if kind != .voting {
                #expect(c.weights[1] < 1e-6, "\(kind) gives the inverted member \(c.weights[1])")
            }
            // The combination ranks as the good member does, never inverted.
            let combined = c.combine([good, inverted, noise], regimes: Array(repeating: .neutral, count: 1500))
            if kind != .voting { #expect(Metrics.auc(labels: labels, scores: combined) > 0.6, "\(kind)") }
        }
    }

    @Test func blendingWeightsAreOnTheSimplexAndFavourTheInformativeMember() {
        var rng = SplitMix64(seed: 5)
        var good = [Double](), noise = [Double](), y = [Int]()
        for _ in 0..<2000 {
            let p = 0.1 + 0.8 * rng.nextUniform()
            y.append(rng.nextUniform() < p ? 1 : 0)
            good.append(p)
            noise.append(rng.nextUniform())
        }
        let w = Blending.weights(predictions: [noise, good], labels: y)
        #expect(w.allSatisfy { $0 >= 0 } && abs(w.reduce(0, +) - 1) < 1e-12)
        #expect(w[1] > 0.9, "\(w)")
        let blended = Combiner(rule: .average, weights: w).combine([noise, good], regimes: [])
        let equal = Combiner.equalWeights(members: 2).combine([noise, good], regimes: [])
        #expect(LogLoss.mean(blended, y) <= LogLoss.mean(equal, y))
        #expect(LogLoss.mean(blended, y) <= LogLoss.mean(good, y) + 1e-9)
    }

    @Test func bmaWeightsFollowTheLikelihoodAndSayWhenTheyCollapse() {
        // Two identical members share the weight; no collapse.
        let y = (0..<400).map { $0 % 2 }
        let p = y.map { $0 == 1 ? 0.6 : 0.4 }
        let even = BayesianAveraging.fit(predictions: [p, p], labels: y, names: ["a", "b"])
        #expect(even.weights == [0.5, 0.5])
        #expect(!even.notes.contains { $0.contains("collapsed") })
        // A slightly better member over 400 rows takes (nearly) all the weight, and the notes say so.
        let better = y.map { $0 == 1 ? 0.65 : 0.35 }
        let collapsed = BayesianAveraging.fit(predictions: [p, better], labels: y, names: ["a", "b"])
        let ll = [LogLoss.logLikelihood(p, y), LogLoss.logLikelihood(better, y)]
        #expect(abs(collapsed.weights[1] - 1 / (1 + exp(ll[0] - ll[1]))) < 1e-12)
        #expect(collapsed.weights[1] > 0.99)
        #expect(collapsed.notes.contains { $0.contains("collapsed onto b") })
    }

    @Test func regimeSelectionPicksTheBestMemberPerRegimeAndFallsBackOnThinRegimes() {
        // Member 0 is right in bull rows, member 1 in bear rows; 30 neutral rows (< 50) where member 1 is right.
        var regimes = [Regime](), y = [Int](), m0 = [Double](), m1 = [Double]()
        for i in 0..<330 {
            let regime: Regime = i < 150 ? .bull : i < 300 ? .bear : .neutral
            let label = i % 2
            regimes.append(regime)
            y.append(label)
            let right = label == 1 ? 0.8 : 0.2, wrong = 0.5
            m0.append(regime == .bull ? right : wrong)
            m1.append(regime == .bull ? wrong : right)
        }
        let c = RegimeSelection.fit(predictions: [m0, m1], labels: y, regimes: regimes, columns: (5, 6), minRows: 50, names: ["a", "b"])
        #expect(c.regimeMembers == [0, 1, 1])  // neutral: the overall best (b, right on 180 of 330 rows)
        #expect(c.notes.first?.contains("neutral → b, the overall best (30 rows < 50)") == true, "\(c.notes)")
        let low = RegimeSelection.fit(predictions: [m0, m1], labels: y, regimes: regimes, columns: (5, 6), minRows: 200, names: ["a", "b"])
        #expect(low.regimeMembers == [1, 1, 1])  // every regime below 200 rows
        #expect(c.combine([m0, m1], regimes: regimes) == regimes.indices.map { regimes[$0] == .bull ? m0[$0] : m1[$0] })
    }

    @Test func regimesComeFromTheBullAndBearColumns() throws {
        let x = try FeatureMatrix(rowArrays: [[1, 0, 7], [0, 1, 7], [0, 0, 7], [.nan, .nan, 7]], columnNames: ["bull_market", "bear_market", "z"])
        let columns = Regime.columns(of: x.columnNames)
        #expect(Regime.of(x, bull: columns.bull, bear: columns.bear) == [.bull, .bear, .neutral, .neutral])
        #expect(Regime.columns(of: ["a", "b"]).bull == nil)
    }

    @Test func regimeEnsembleUsesTheRegimeColumnsAndRoundTrips() throws {
        let (x, y) = Self.withRegimes(rows: 600, seed: 31)
        let model = Classifiers.make(.ensemble(EnsembleParameters(kind: .regime, members: [.lr, .gb].map(Synthetic.fastParameters), folds: 3, regimeMinRows: 60)))
        try model.fit(x, y: y, seed: 4)
        let combiner = try #require((model as? EnsembleClassifier)?.combiner)
        #expect(combiner.bullColumn == 6 && combiner.bearColumn == 7 && combiner.regimeMembers.count == 3)
        #expect(model.notes.contains { $0.hasPrefix("regime selection: bull → ") })
        let loaded = try Classifiers.load(try model.serialize())
        #expect(try loaded.predictProbabilities(x) == model.predictProbabilities(x))
    }

    // MARK: stacking sees only out-of-fold predictions

    /// A random forest that memorises its training rows: every tree sees every row and column
    /// and grows to single-row leaves, so its predictions on its own training rows are (nearly)
    /// the labels, while on other rows they are noise when the labels are.
    static let memorising: Hyperparameters = {
        var p = RandomForestParameters()
        p.trees = 20; p.maxDepth = 14; p.subsample = 1; p.colsampleByNode = 1; p.minChildWeight = 0.01
        return .rf(p)
    }()

    /// The meta-model's coefficient on the memorising member, fitted on its in-fold predictions
    /// (the deliberate leak: members fitted on all rows score those same rows).
    static func leakingCoefficient(_ x: FeatureMatrix, _ y: [Int], members: [Hyperparameters], seed: UInt64) throws -> Double {
        let predictions = try members.map { h in
            let m = Classifiers.make(h)
            try m.fit(x, y: y, seed: Trainer.modelSeed(seed, h.algorithm))
            return try m.predictProbabilities(x)
        }
        return Stacking.metaModel(predictions: predictions, labels: y).1[1]
    }

    @Test func stackingMetaModelSeesOnlyOutOfFoldPredictions() throws {
        // Labels independent of the features: no member can deserve weight out of fold.
        let (x, y) = Synthetic.randomLabels(rows: 1500, seed: 77)
        let members = [Synthetic.fastParameters(.lr), Self.memorising]
        let parameters = EnsembleParameters(kind: .stacking, members: members, folds: 4)

        // The ensemble's own fit.
        let model = EnsembleClassifier(parameters: parameters)
        try model.fit(x, y: y, seed: 9)
        let own = try #require(model.combiner).weights[1]

        // The Trainer's path: the chosen stacking model's meta-model, from walk-forward folds.
        var config = TrainingConfiguration()
        config.algorithms = [.lr, .rf, .stacking]
        config.baseHyperparameters = members
        config.selection = .fixed(.stacking)
        config.computeImportance = false
        let (entry, exit) = TrainerTests.days(rows: 1500, seed: 7)
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        #expect(result.chosen == .stacking && result.tuningTrials.isEmpty)
        let trained = try #require(try Classifiers.load([UInt8](result.model)) as? EnsembleClassifier)
        let trainer = try #require(trained.combiner).weights[1]

        // The deliberately leaking variant: the same meta-model fitted on in-fold predictions.
        let leaking = try Self.leakingCoefficient(x, y, members: members, seed: 9)

        // Out of fold, the memorising member's logit earns nothing beyond sampling noise (its
        // coefficient's standard error here is about 0.2); in fold, a large weight (measured:
        // 2.0, against 0.01 for the ensemble's fit and -0.20 for the Trainer's). The bound sits
        // between the two, so an in-fold prediction reaching either meta-model fails the test.
        let bound = 1.0
        #expect(abs(own) < bound, "self-contained stacking gives the memorising member \(own)")
        #expect(abs(trainer) < bound, "the Trainer's stacking gives the memorising member \(trainer)")
        #expect(leaking > bound, "the leaking variant gives only \(leaking): the statistic cannot tell it apart")
    }

    // MARK: through the Trainer

    /// Leak control: labels permuted across the whole history (same base rate, no link to the
    /// features): every ensemble's holdout AUC stays within 0.05 of 0.5 (2,000 holdout rows:
    /// a DeLong SE of about 0.013, so 0.05 is almost four SEs).
    @Test func permutedLabelsGiveChanceHoldoutAUCForEveryEnsemble() throws {
        let rows = 10_000
        let (x, labels) = Self.withRegimes(rows: rows, seed: 41)
        var y = labels
        var rng = SplitMix64(seed: 42)
        y.shuffle(using: &rng)
        let (entry, exit) = TrainerTests.days(rows: rows, seed: 8)
        var config = TrainerTests.fastConfiguration()
        config.tune = false
        config.computeImportance = false
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        for kind in Algorithm.ensembleCases {
            let e = try #require(result.evaluations.first { $0.algorithm == kind })
            let auc = try #require(e.holdout?.auc, "\(kind): \(e.error ?? "no holdout")")
            #expect(abs(auc - 0.5) <= 0.05, "\(kind) holdout AUC \(auc) on permuted labels")
        }
    }

    @Test func trainerEvaluatesEveryEnsembleLikeABaseModel() throws {
        let (x, y) = Self.withRegimes(rows: 900, seed: 51)
        let (entry, exit) = TrainerTests.days(rows: 900, seed: 9)
        var config = TrainerTests.fastConfiguration()
        config.selection = .fixed(.voting)
        config.regimeMinRows = 30
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        #expect(result.evaluations.map(\.algorithm) == Algorithm.allCases)
        for e in result.evaluations where e.algorithm.isEnsemble {
            #expect(e.error == nil && e.foldAUCs.count == result.folds.count && e.pooledCVAUC != nil && e.pooledCVStandardError != nil)
            #expect((e.holdout?.auc ?? 0) > 0.8, "\(e.algorithm)")
            guard case .ensemble(let p) = e.hyperparameters else { Issue.record("\(e.algorithm) has no ensemble parameters"); continue }
            #expect(p.members.map(\.algorithm) == Algorithm.baseCases && p.kind == e.algorithm && p.regimeMinRows == 30)
        }
        // Voting, fixed: chosen without tuning; its stored model reproduces the stored holdout predictions.
        #expect(result.chosen == .voting && result.tuningTrials.isEmpty && result.selectionReason.hasPrefix("fixed:voting: "))
        let model = try Classifiers.load([UInt8](result.model))
        #expect(model.algorithm == .voting)
        #expect(try model.predictProbabilities(x.selecting(rows: result.holdoutRows)) == result.holdoutPredictions)
        // Fold 1 has no earlier out-of-fold predictions: every ensemble averages its members
        // there, so voting and stacking agree on it.
        let voting = result.evaluations.first { $0.algorithm == .voting }!, stacking = result.evaluations.first { $0.algorithm == .stacking }!
        #expect(voting.foldAUCs[0] == stacking.foldAUCs[0])
        #expect(result.ensembleSeconds >= 0)
        // The refit of the chosen configuration on all rows works from its hyperparameters alone.
        let refit = Classifiers.make(result.hyperparameters)
        try refit.fit(x.selecting(rows: result.trainRows), y: result.trainRows.map { y[$0] }, seed: 1)
        #expect(Metrics.auc(labels: result.holdoutRows.map { y[$0] }, scores: try refit.predictProbabilities(x.selecting(rows: result.holdoutRows))) > 0.8)
    }

    @Test func ensemblesUseTheMembersThatTrained() throws {
        let (x, y) = Synthetic.separable(rows: 600, seed: 61)
        let (entry, exit) = TrainerTests.days(rows: 600, seed: 10)
        var bad = GradientBoostingParameters()
        bad.subsample = 7  // refused by XGBoost
        var config = TrainerTests.fastConfiguration()
        config.algorithms = [.gb, .lr, .rf, .voting, .bma]
        config.baseHyperparameters = [.gb(bad), Synthetic.fastParameters(.lr), Synthetic.fastParameters(.rf)]
        config.tune = false
        config.computeImportance = false
        let result = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        #expect(result.evaluations.first { $0.algorithm == .gb }?.error != nil)
        for kind in [Algorithm.voting, .bma] {
            let e = try #require(result.evaluations.first { $0.algorithm == kind })
            guard case .ensemble(let p) = e.hyperparameters else { Issue.record("no ensemble parameters"); continue }
            #expect(e.error == nil && p.members.map(\.algorithm) == [.rf, .lr])
        }
        // With one member left, an ensemble cannot be built and says why.
        config.algorithms = [.gb, .lr, .voting]
        let thin = try Trainer.train(x, labels: y, entryDays: entry, exitDays: exit, configuration: config)
        let voting = try #require(thin.evaluations.first { $0.algorithm == .voting })
        #expect(voting.error?.contains("at least 2 base models") == true && voting.cvAUC == nil)
        #expect(thin.chosen == .lr)
    }
}
