import Foundation
import ModelMetrics

/// The Trainer's ensemble stage (README.md, "Ensembles"): each requested ensemble is assembled
/// from the base models' walk-forward and holdout fits already made, with no member trained
/// again. Fold k's prediction combines the members' fold-k predictions with a combiner fitted
/// on the out-of-fold predictions of folds 0..<k (fold 0 has none before it: equal weights, as
/// soft voting); the holdout model is the members' holdout fits plus a combiner fitted on every
/// fold's pooled out-of-fold predictions. So each ensemble gets fold AUCs, a pooled
/// out-of-fold AUC and holdout metrics like a base model.
enum EnsembleStage {
    /// A base model's fits, as the stage needs them.
    struct Member {
        var hyperparameters: Hyperparameters
        /// Out-of-fold probabilities per fold (aligned with the fold's validation rows).
        var foldPredictions: [[Double]]
        /// The holdout fit and its holdout probabilities.
        var holdoutModel: any Classifier
        var holdoutPredictions: [Double]
    }

    struct Outcome {
        var evaluation: ModelEvaluation
        var holdout: Trainer.FitOutcome?
        /// The pooled out-of-fold predictions (for the take policy's threshold).
        var outOfFold: OutOfFoldPredictions? = nil
    }

    /// Every ensemble of `kinds`, in order; `stop` is checked between them.
    static func evaluate(
        _ kinds: [Algorithm], members: [Member], folds: [WalkForwardFold], labels: [Int], x: FeatureMatrix,
        holdoutRows: [Int], holdoutLabels: [Int], configuration config: TrainingConfiguration, stop: StopCheck
    ) throws -> [Outcome] {
        let columns = Regime.columns(of: x.columnNames)
        let foldRegimes = folds.map { Regime.of(x.selecting(rows: $0.validation), bull: columns.bull, bear: columns.bear) }
        let holdX = x.selecting(rows: holdoutRows)
        return try kinds.map { kind in
            if stop() { throw LearningError.cancelled("training") }
            return try evaluate(kind, members: members, folds: folds, foldRegimes: foldRegimes, columns: columns, labels: labels,
                                x: x, holdX: holdX, holdoutLabels: holdoutLabels, configuration: config)
        }
    }

    static func evaluate(
        _ kind: Algorithm, members: [Member], folds: [WalkForwardFold], foldRegimes: [[Regime]], columns: (bull: Int?, bear: Int?),
        labels: [Int], x: FeatureMatrix, holdX: FeatureMatrix, holdoutLabels: [Int], configuration config: TrainingConfiguration
    ) throws -> Outcome {
        let parameters = EnsembleParameters(kind: kind, members: members.map(\.hyperparameters), folds: config.folds,
                                            regimeMinRows: config.regimeMinRows)
        var evaluation = ModelEvaluation(algorithm: kind, hyperparameters: .ensemble(parameters), cvAUC: nil, foldAUCs: [],
                                         holdout: nil, trainSeconds: 0, cvSeconds: 0, notes: [], error: nil)
        guard members.count >= 2 else {
            evaluation.error = "an ensemble needs at least 2 base models that trained; \(members.count) did"
            return Outcome(evaluation: evaluation, holdout: nil)
        }
        let names = EnsembleClassifier.names(parameters.members)
        func fitCombiner(upTo k: Int) -> Combiner {
            guard k > 0 else {
                return .equalWeights(members: members.count, note: "fold 1 has no earlier out-of-fold predictions: equal weights")
            }
            let predictions = members.map { m in (0..<k).flatMap { m.foldPredictions[$0] } }
            return Combiner.fit(kind, predictions: predictions, labels: (0..<k).flatMap { folds[$0].validation.map { labels[$0] } },
                                regimes: (0..<k).flatMap { foldRegimes[$0] }, columns: columns,
                                regimeMinRows: config.regimeMinRows, names: names)
        }
        var pooledLabels = [Int](), pooledScores = [Double]()
        let cvStart = Trainer.now()
        for k in folds.indices {
            let combiner = fitCombiner(upTo: k)
            let p = combiner.combine(members.map { $0.foldPredictions[k] }, regimes: foldRegimes[k])
            let y = folds[k].validation.map { labels[$0] }
            evaluation.foldAUCs.append(Metrics.auc(labels: y, scores: p))
            pooledLabels += y
            pooledScores += p
        }
        evaluation.cvSeconds = Trainer.now() - cvStart
        evaluation.cvAUC = evaluation.foldAUCs.reduce(0, +) / Double(evaluation.foldAUCs.count)
        evaluation.pooledCVAUC = DeLong.interval(labels: pooledLabels, scores: pooledScores)
        evaluation.pooledCVStandardError = DeLong.auc(labels: pooledLabels, scores: pooledScores).variance.map { $0.squareRoot() }

        let t0 = Trainer.now()
        let combiner = fitCombiner(upTo: folds.count)
        let p = EnsembleClassifier.combine(combiner, memberPredictions: members.map(\.holdoutPredictions), x: holdX)
        let oofRows = folds.reduce(0) { $0 + $1.validation.count }
        let notes = EnsembleClassifier.notes(combiner: combiner, oofRows: oofRows, folds: folds.count,
                                             members: members.map(\.holdoutModel), names: names)
            + ["fold 1 of the walk-forward evaluation uses equal weights (no earlier out-of-fold predictions)"]
        let model = EnsembleClassifier(parameters: parameters, members: members.map(\.holdoutModel), combiner: combiner,
                                       columnNames: x.columnNames, seed: Trainer.modelSeed(config.seed, kind), notes: notes)
        evaluation.trainSeconds = Trainer.now() - t0
        evaluation.holdout = try Metrics(labels: holdoutLabels, probabilities: p)
        evaluation.holdoutIntervals = try MetricIntervals(labels: holdoutLabels, probabilities: p)
        evaluation.notes = notes
        let outcome = Trainer.FitOutcome(probabilities: p, auc: evaluation.holdout!.auc, seconds: evaluation.trainSeconds,
                                         notes: notes, model: model)
        return Outcome(evaluation: evaluation, holdout: outcome,
                       outOfFold: OutOfFoldPredictions(rows: folds.flatMap(\.validation), probabilities: pooledScores))
    }
}
