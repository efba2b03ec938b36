import Foundation
import ModelMetrics

/// What a training run does; every field has a default.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// The candidates to compare (default: the five base models and the five ensembles). The
    /// ensembles combine the base models in the list; a list of ensembles only trains all five
    /// base models as their members.
    public var algorithms: [Algorithm] = Algorithm.allCases
    /// How the candidate is chosen (`SelectionRule`; default: the highest mean walk-forward AUC).
    public var selection: SelectionRule = .meanCV
    /// Regime selection: a regime with fewer validation rows than this uses the overall best member.
    public var regimeMinRows = 100
    /// Hyperparameters to start from per algorithm; missing ones use the defaults.
    public var baseHyperparameters: [Hyperparameters] = []
    /// The seed of every random choice (model seeds, search draws, permutations).
    public var seed: UInt64 = 42
    /// The holdout: the last fraction of rows by entry day.
    public var holdoutFraction = 0.2
    /// Walk-forward folds inside the training part.
    public var folds = 4
    /// Whether to tune the chosen algorithm.
    public var tune = true
    /// Random-search draws (besides the base hyperparameters).
    public var tuningTrials = 12
    /// Wall-clock cap of the tuning stage; trials not started in time are skipped (so a cap
    /// that binds makes the result depend on the machine's speed; the trial count and the
    /// proportional budget are deterministic).
    public var tuningSeconds = 3.0
    /// The proportional budget, in fold fits: tuning's search may run at most this many times
    /// the fold fits of the untuned comparison (every base candidate on every walk-forward
    /// fold); the draws are planned to fit within it before the search starts (``TuningPlan``).
    public var tuningBudgetFactor = 1.0
    /// Successive-halving reduction factor: each rung keeps the best 1/eta of its configurations.
    public var halvingFactor = 3
    /// Dedicated worker threads; each model trains on one thread.
    public var workers = 2
    /// Whether to compute feature importances of the final model on the holdout.
    public var computeImportance = true
    public init() {}
}

/// One algorithm's evaluation: walk-forward CV AUC and holdout metrics with its base parameters.
public struct ModelEvaluation: Codable, Sendable, Equatable {
    public var algorithm: Algorithm
    public var hyperparameters: Hyperparameters
    /// Mean AUC over the walk-forward folds (`nil` when the algorithm failed).
    public var cvAUC: Double?
    public var foldAUCs: [Double]
    /// Metrics on the holdout of the model trained on the purged training part.
    public var holdout: Metrics?
    /// Their sampling error (DeLong for the AUC, Wilson for rates, a seeded bootstrap for Brier).
    public var holdoutIntervals: MetricIntervals?
    /// The AUC of the out-of-fold predictions of every walk-forward fold pooled, with its DeLong
    /// interval: one figure with its sampling error where the mean of four fold AUCs has none.
    public var pooledCVAUC: Interval?
    /// DeLong's standard error of that pooled AUC (the one-standard-error selection rule uses it).
    public var pooledCVStandardError: Double?
    /// Seconds to train on the purged training part (one thread).
    public var trainSeconds: Double
    /// Seconds spent on the walk-forward folds (sum over folds).
    public var cvSeconds: Double
    public var notes: [String]
    /// Why the algorithm failed, when it did.
    public var error: String?
}

/// One tuning evaluation: a configuration measured on a rung's folds.
public struct TuningTrial: Codable, Sendable, Equatable {
    /// 0 is the base configuration, 1... the random draws.
    public var candidate: Int
    public var rung: Int
    /// Indices (into `TrainingResult.folds`) of the folds used.
    public var folds: [Int]
    public var hyperparameters: Hyperparameters
    /// Mean AUC over `folds` (`nil` when fitting failed).
    public var meanAUC: Double?
    public var seconds: Double
    public var error: String?
}

/// Everything a training run produced, for the registry and the report (README.md, "Training, the registry and scoring").
public struct TrainingResult: Codable, Sendable {
    public var configuration: TrainingConfiguration
    public var rows: Int
    public var trainRows: [Int]
    public var holdoutRows: [Int]
    public var purgedRows: [Int]
    public var holdoutStart: Int
    public var folds: [WalkForwardFold]
    public var evaluations: [ModelEvaluation]
    /// The candidate the selection rule chose (a base model or an ensemble).
    public var chosen: Algorithm
    /// The selection rule applied, and why it chose `chosen` (one line, for the report and CLI).
    public var selection: SelectionRule
    public var selectionReason: String
    /// Wall-clock seconds of the ensemble stage (combiners over folds and holdout, no member refit).
    public var ensembleSeconds: Double
    /// The hyperparameters of the final model (the base ones when no draw beat them).
    public var hyperparameters: Hyperparameters
    /// Mean walk-forward AUC of the chosen algorithm with its base hyperparameters and with
    /// the final ones (equal when tuning kept the base).
    public var baseCVAUC: Double
    public var finalCVAUC: Double
    public var tuningTrials: [TuningTrial]
    public var tuningSeconds: Double
    /// Whether tuning was adopted and why; nil when tuning did not run.
    public var tuning: TuningDecision?
    /// Holdout metrics of the final model.
    public var holdout: Metrics
    /// Their sampling error.
    public var holdoutIntervals: MetricIntervals?
    /// Holdout probabilities of the final model, aligned with `holdoutRows`.
    public var holdoutPredictions: [Double]
    /// The final model's `serialize()` bytes.
    public var model: Data
    public var modelNotes: [String]
    public var importance: FeatureImportanceReport?
    public var libraryVersions: [String: String]
    public var totalSeconds: Double
    /// Take policy: the chosen algorithm's pooled out-of-fold walk-forward predictions (with its
    /// base hyperparameters, whose fold fits are the ones kept), for choosing the take threshold
    /// on the training part only.
    public var trainingPredictions: OutOfFoldPredictions? = nil
}

/// Trains, compares, tunes and evaluates classifiers on time-ordered data (README.md, "Training, the registry and scoring").
///
/// 1. Purged holdout split (last 20 % by entry day) and walk-forward folds inside the training part.
/// 2. Every requested base model, with its base hyperparameters: mean walk-forward AUC, and
///    holdout metrics when trained on the whole purged training part; then every requested
///    ensemble, assembled from those fits (`EnsembleStage`).
/// 3. The selection rule (`SelectionRule`) picks a candidate. A base model is tuned by seeded
///    random search with successive halving
///    whose rungs grow over folds (last fold; last two; all),
///    within the trial budget, the proportional budget (`tuningBudgetFactor` × the untuned
///    comparison's fold fits, planned before the search: ``TuningPlan``) and the wall-clock cap. Tuned parameters replace the base ones only
///    if they beat them on the same folds, their pooled out-of-fold AUC by more than one standard
///    error (``TuningRule``).
/// 4. The final model is trained on the purged training part and measured on the holdout.
///
/// Blocking: call it from a dedicated thread. Jobs run on `workers` threads, one model per
/// thread; each job's seed is derived from the configured seed and the job, so with the same
/// data, configuration and no wall-clock cut the result is identical, bytes included.
/// The tuning wall-clock cap is checked before each trial starts, so a trial under way can run
/// past it by the length of one trial. At the end, freed training memory is returned to the
/// system (`malloc_trim`), since glibc otherwise keeps it (measured: bench/README.md, idle memory).
public enum Trainer {
    public static func train(
        _ x: FeatureMatrix, labels: [Int], entryDays: [Int], exitDays: [Int],
        configuration: TrainingConfiguration = .init(), shouldStop: StopCheck? = nil
    ) throws -> TrainingResult {
        let started = now()
        let config = configuration
        guard x.rows == labels.count, labels.count == entryDays.count else {
            throw LearningError(.shapeMismatch, "\(x.rows) rows, \(labels.count) labels, \(entryDays.count) entry days")
        }
        guard !config.algorithms.isEmpty else { throw LearningError(.invalidParameters, "no algorithms to train") }
        guard config.regimeMinRows >= 0 else { throw LearningError(.invalidParameters, "regimeMinRows >= 0 is required") }
        guard config.folds >= 1, config.workers >= 1, config.halvingFactor >= 2, config.tuningTrials >= 0 else {
            throw LearningError(.invalidParameters, "folds >= 1, workers >= 1, halvingFactor >= 2 and tuningTrials >= 0 are required")
        }
        defer { CLibraries.releaseFreedMemory() }
        let split = try TimeSplit.holdout(entry: entryDays, exit: exitDays, fraction: config.holdoutFraction)
        // Folds whose training or validation rows hold one class cannot rank models: left out.
        let folds = try TimeSplit.walkForward(rows: split.train, entry: entryDays, exit: exitDays, folds: config.folds)
            .filter { f in Set(f.train.map { labels[$0] }).count == 2 && Set(f.validation.map { labels[$0] }).count == 2 }
        guard !folds.isEmpty else {
            throw LearningError(.insufficientData, "no walk-forward fold has both classes in its training and validation rows")
        }
        // The training part, the holdout and every fold are views of `x` (row index lists over
        // its values, no copies); each library builds its own matrix from the view when a fit
        // starts and frees it when the fit ends.
        let trainX = x.selecting(rows: split.train), trainY = split.train.map { labels[$0] }
        let holdX = x.selecting(rows: split.holdout), holdY = split.holdout.map { labels[$0] }
        try FitValidation.check(trainX, trainY)
        let foldData = FoldData(count: folds.count) { f in
            (x.selecting(rows: folds[f].train), folds[f].train.map { labels[$0] },
             x.selecting(rows: folds[f].validation), folds[f].validation.map { labels[$0] })
        }
        let stop: StopCheck = shouldStop ?? { false }

        // Stage 2: every base model on every fold plus the holdout fit, as independent jobs.
        let ensembles = Set(config.algorithms.filter(\.isEnsemble)).sorted()
        var baseModels = Set(config.algorithms.filter { !$0.isEnsemble })
        if baseModels.isEmpty { baseModels = Set(Algorithm.baseCases) }
        let algorithms = baseModels.sorted { cost($0) > cost($1) }
        let bases = algorithms.map { a in config.baseHyperparameters.first { $0.algorithm == a } ?? a.defaultHyperparameters }
        struct Job { var model: Int; var fold: Int? }
        var jobs = [Job]()
        for m in algorithms.indices {
            jobs.append(Job(model: m, fold: nil))
            for f in folds.indices { jobs.append(Job(model: m, fold: f)) }
        }
        let jobList = jobs
        let outcomes = ParallelWorkers.map(count: jobList.count, workers: config.workers) { i -> Result<(FitOutcome), LearningError> in
            let job = jobList[i]
            let seed = modelSeed(config.seed, algorithms[job.model])
            if let f = job.fold {
                let (fx, fy, vx, vy) = foldData.make(f)
                return Result { try fitAndScore(bases[job.model], fx, fy, vx, vy, seed: seed, stop: stop, keep: false) }
                    .mapError(asLearningError)
            }
            return Result { try fitAndScore(bases[job.model], trainX, trainY, holdX, holdY, seed: seed, stop: stop, keep: true) }
                .mapError(asLearningError)
        }
        if stop() { throw LearningError.cancelled("training") }
        var evaluations = [ModelEvaluation]()
        var holdoutFits = [Algorithm: FitOutcome]()
        var foldPredictions = [Algorithm: [[Double]]]()
        var outOfFold = [Algorithm: OutOfFoldPredictions]() // take policy
        for (m, algorithm) in algorithms.enumerated() {
            var evaluation = ModelEvaluation(algorithm: algorithm, hyperparameters: bases[m], cvAUC: nil, foldAUCs: [],
                                             holdout: nil, trainSeconds: 0, cvSeconds: 0, notes: [], error: nil)
            var pooledLabels = [Int](), pooledScores = [Double](), pooledRows = [Int]()
            var perFold = [[Double]]()
            for (job, outcome) in zip(jobList, outcomes) where job.model == m {
                switch outcome {
                case .failure(let e):
                    if e.code == .cancelled { throw e }
                    evaluation.error = evaluation.error ?? e.description
                case .success(let o) where job.fold == nil:
                    evaluation.holdout = try Metrics(labels: holdY, probabilities: o.probabilities)
                    evaluation.holdoutIntervals = try MetricIntervals(labels: holdY, probabilities: o.probabilities)
                    evaluation.trainSeconds = o.seconds
                    evaluation.notes = o.notes
                    holdoutFits[algorithm] = o
                case .success(let o):
                    evaluation.foldAUCs.append(o.auc)
                    evaluation.cvSeconds += o.seconds
                    if let f = job.fold {
                        pooledLabels += folds[f].validation.map { labels[$0] }
                        pooledScores += o.probabilities
                        perFold.append(o.probabilities)
                        pooledRows += folds[f].validation
                    }
                }
            }
            if evaluation.error == nil {
                evaluation.cvAUC = mean(evaluation.foldAUCs)
                evaluation.pooledCVAUC = DeLong.interval(labels: pooledLabels, scores: pooledScores)
                evaluation.pooledCVStandardError = DeLong.auc(labels: pooledLabels, scores: pooledScores).variance.map { $0.squareRoot() }
                foldPredictions[algorithm] = perFold
                outOfFold[algorithm] = OutOfFoldPredictions(rows: pooledRows, probabilities: pooledScores)
            }
            evaluations.append(evaluation)
        }
        evaluations.sort { $0.algorithm < $1.algorithm }

        // The ensembles, from the fits above: members are the base models that trained.
        let ensembleStart = now()
        let members = evaluations.compactMap { e -> EnsembleStage.Member? in
            guard e.error == nil, let folds = foldPredictions[e.algorithm], let fit = holdoutFits[e.algorithm], let model = fit.model else { return nil }
            return EnsembleStage.Member(hyperparameters: e.hyperparameters, foldPredictions: folds, holdoutModel: model,
                                        holdoutPredictions: fit.probabilities)
        }
        for outcome in try EnsembleStage.evaluate(ensembles, members: members, folds: folds, labels: labels, x: x, holdoutRows: split.holdout,
                                                  holdoutLabels: holdY, configuration: config, stop: stop) {
            evaluations.append(outcome.evaluation)
            if let fit = outcome.holdout { holdoutFits[outcome.evaluation.algorithm] = fit }
            if let oof = outcome.outOfFold { outOfFold[outcome.evaluation.algorithm] = oof }
        }
        let ensembleSeconds = now() - ensembleStart

        let candidates = evaluations.compactMap { e -> SelectionRule.Candidate? in
            guard let cv = e.cvAUC, let pooled = e.pooledCVAUC else { return nil }
            return SelectionRule.Candidate(algorithm: e.algorithm, meanCV: cv, pooledOOF: pooled.estimate, pooledSE: e.pooledCVStandardError)
        }
        guard let choice = config.selection.choose(candidates),
              let best = evaluations.first(where: { $0.algorithm == choice.algorithm }) else {
            throw LearningError(.libraryError, "every algorithm failed: " + evaluations.compactMap(\.error).joined(separator: "; "))
        }

        // Stage 3: tuning of the chosen algorithm.
        let tuningStart = now()
        var trials = [TuningTrial]()
        var finalParameters = best.hyperparameters
        var finalCV = best.cvAUC!
        var tuning: TuningDecision?
        // An ensemble is not tuned: its members keep their base hyperparameters.
        if config.tune, config.tuningTrials > 0, config.tuningSeconds > 0, !best.algorithm.isEnsemble {
            let budget = TuningBudget(deadline: tuningStart + config.tuningSeconds)
            let tuned = try tune(best: best, features: x.cols, foldData: foldData,
                                 foldLabels: folds.map { $0.validation.map { labels[$0] } },
                                 basePredictions: Dictionary(uniqueKeysWithValues: (foldPredictions[best.algorithm] ?? []).enumerated().map { ($0.offset, $0.element) }), config: config, stop: stop,
                                 budget: budget, untunedFits: algorithms.count * folds.count)
            trials = tuned.trials
            tuning = tuned.decision
            if let winner = tuned.winner {
                finalParameters = winner.hyperparameters
                finalCV = winner.cvAUC
            }
        }
        let tuningSeconds = now() - tuningStart

        // Stage 4: the final model on the purged training part.
        let final: FitOutcome
        if finalParameters == best.hyperparameters, let fit = holdoutFits[best.algorithm] {
            final = fit
        } else {
            final = try fitAndScore(finalParameters, trainX, trainY, holdX, holdY, seed: modelSeed(config.seed, best.algorithm), stop: stop, keep: true)
        }
        let model = final.model!
        var importance: FeatureImportanceReport?
        if config.computeImportance {
            importance = try FeatureImportance.report(model, holdX, labels: holdY, seed: SplitMix64.derive(config.seed, 0x1A), shouldStop: stop)
        }
        return TrainingResult(
            configuration: config, rows: x.rows, trainRows: split.train, holdoutRows: split.holdout, purgedRows: split.purged,
            holdoutStart: split.holdoutStart, folds: folds, evaluations: evaluations, chosen: best.algorithm,
            selection: config.selection, selectionReason: choice.reason, ensembleSeconds: ensembleSeconds,
            hyperparameters: finalParameters, baseCVAUC: best.cvAUC!, finalCVAUC: finalCV, tuningTrials: trials,
            tuningSeconds: tuningSeconds, tuning: tuning, holdout: try Metrics(labels: holdY, probabilities: final.probabilities),
            holdoutIntervals: try MetricIntervals(labels: holdY, probabilities: final.probabilities),
            holdoutPredictions: final.probabilities, model: Data(try model.serialize()), modelNotes: model.notes,
            importance: importance, libraryVersions: Classifiers.libraryVersions, totalSeconds: now() - started,
            trainingPredictions: outOfFold[best.algorithm]
        )
    }

    // MARK: - Tuning

    private struct Winner { var hyperparameters: Hyperparameters; var cvAUC: Double }

    /// Successive halving over fold rungs: rung r evaluates its survivors on the last
    /// `foldCounts[r]` folds; the base configuration's fold AUCs and predictions are reused, not
    /// recomputed. The best draw of the last rung (every fold) that beats the base's mean fold AUC
    /// is then put to ``TuningRule`` against the base on the pooled out-of-fold predictions.
    private static func tune(
        best: ModelEvaluation, features: Int, foldData: FoldData, foldLabels: [[Int]], basePredictions: [Int: [Double]],
        config: TrainingConfiguration, stop: @escaping StopCheck, budget: TuningBudget, untunedFits: Int
    ) throws -> (trials: [TuningTrial], winner: Winner?, decision: TuningDecision) {
        let nFolds = foldData.count
        let foldCounts = TuningPlan.foldCounts(folds: nFolds)
        let budgetFits = config.tuningBudgetFactor * Double(untunedFits)
        let planned = TuningPlan.draws(trials: config.tuningTrials, budgetFits: budgetFits, foldCounts: foldCounts,
                                       halvingFactor: config.halvingFactor)
        guard planned > 0 else {
            let reason = String(format: "the proportional budget allows no draw (a search of one draw takes %d fold fits; the budget is %g × %d fold fits of the untuned comparison): kept the base",
                                TuningPlan.maximumFits(draws: 1, foldCounts: foldCounts, halvingFactor: config.halvingFactor),
                                config.tuningBudgetFactor, untunedFits)
            return ([], nil, TuningDecision(adopted: false, test: nil, rows: 0, untunedFits: untunedFits, budgetFits: budgetFits,
                                            plannedDraws: 0, spentFits: 0, spentSeconds: 0, skipped: 0, reason: reason))
        }
        var rng = SplitMix64(seed: SplitMix64.derive(config.seed, 0x7E57))
        var candidates = [best.hyperparameters]
        var seen: Set<Hyperparameters> = [best.hyperparameters]
        var attempts = 0
        // The draws are the first `planned` of the `tuningTrials` the seed gives: a larger
        // budget extends the same search, it does not start another.
        while candidates.count < planned + 1, attempts < config.tuningTrials * 20 {
            attempts += 1
            let c = SearchSpace.sample(best.hyperparameters, features: features, rng: &rng)
            if seen.insert(c).inserted { candidates.append(c) }
        }
        let pool = candidates
        let seed = modelSeed(config.seed, best.algorithm)
        var trials = [TuningTrial]()
        var alive = Array(candidates.indices)
        var lastScores = [Int: Double]()
        var lastRung = -1
        var lastPredictions = [Int: [Double]]() // candidate → pooled out-of-fold predictions (last rung)
        var skipped = 0
        var skipReason: String?
        for (rung, count) in foldCounts.enumerated() {
            let foldIndices = Array((nFolds - count)..<nFolds)
            let evaluate = alive.filter { $0 != 0 }
            let keepPredictions = count == nFolds
            let results = ParallelWorkers.map(count: evaluate.count, workers: config.workers) { i -> (TuningTrial, [Double]) in
                let c = evaluate[i]
                var trial = TuningTrial(candidate: c, rung: rung, folds: foldIndices, hyperparameters: pool[c],
                                        meanAUC: nil, seconds: 0, error: nil)
                if let why = budget.exhausted(now: now()) ?? (stop() ? "a stop request" : nil) {
                    trial.error = "skipped: tuning budget spent (\(why))"
                    return (trial, [])
                }
                let t0 = now()
                var aucs = [Double](), pooled = [Double]()
                for f in foldIndices {
                    let (fx, fy, vx, vy) = foldData.make(f)
                    do {
                        let o = try fitAndScore(pool[c], fx, fy, vx, vy, seed: seed, stop: stop, keep: false)
                        aucs.append(o.auc)
                        if keepPredictions { pooled += o.probabilities }
                    } catch {
                        trial.error = asLearningError(error).description
                        break
                    }
                }
                if trial.error == nil { trial.meanAUC = mean(aucs) }
                trial.seconds = now() - t0
                budget.add(trial.seconds, fits: foldIndices.count)
                return (trial, trial.error == nil ? pooled : [])
            }
            if stop() { throw LearningError.cancelled("tuning") }
            trials.append(TuningTrial(candidate: 0, rung: rung, folds: foldIndices, hyperparameters: pool[0],
                                      meanAUC: mean(foldIndices.map { best.foldAUCs[$0] }), seconds: 0,
                                      error: nil))
            trials += results.map(\.0)
            var scores = [Int: Double]()
            scores[0] = mean(foldIndices.map { best.foldAUCs[$0] })
            for (t, _) in results { if let auc = t.meanAUC { scores[t.candidate] = auc } }
            // A rung where some draw was skipped (wall-clock cap, stop) ends the search at the previous rung.
            let skips = results.filter { $0.0.error?.hasPrefix("skipped") == true }
            if !skips.isEmpty {
                skipped = skips.count
                skipReason = skips[0].0.error
                if rung != 0 { break }
            }
            lastScores = scores
            lastRung = rung
            if keepPredictions {
                for (t, p) in results where t.meanAUC != nil { lastPredictions[t.candidate] = p }
            }
            if !skips.isEmpty { break }
            let keep = max(1, Int((Double(alive.count) / Double(config.halvingFactor)).rounded(.up)))
            alive = scores.keys.sorted { (scores[$0]!, -$0) > (scores[$1]!, -$1) }.prefix(keep).sorted()
            if alive.count <= 1 && rung < foldCounts.count - 1 && alive == [0] { break }
        }
        var decision = TuningDecision(adopted: false, test: nil, rows: 0, untunedFits: untunedFits, budgetFits: budgetFits,
                                      plannedDraws: planned, spentFits: budget.fits, spentSeconds: budget.spent,
                                      skipped: skipped, reason: "")
        let budgetText = String(format: "%d fold fits in %.1f s against a budget of %g fits (%g × %d fold fits of the untuned comparison)",
                                budget.fits, budget.spent, budgetFits, config.tuningBudgetFactor, untunedFits)

        // Only a draw measured on every fold (the last rung) can replace the base parameters.
        guard lastRung == foldCounts.count - 1 else {
            decision.reason = skipReason.map {
                "\($0) before any draw was measured on every fold (\(skipped) of \(candidates.count - 1) draws skipped; \(budgetText)): kept the base"
            } ?? "no draw outlasted the base in successive halving (\(candidates.count - 1) draws; \(budgetText)): kept the base"
            return (trials, nil, decision)
        }
        let drawScores = lastScores.filter { $0.key != 0 }
        let baseByFold = foldLabels.indices.compactMap { basePredictions[$0] }
        guard let top = drawScores.keys.max(by: { (drawScores[$0]!, -$0) < (drawScores[$1]!, -$1) }),
              drawScores[top]! > lastScores[0]!, let tuned = lastPredictions[top], baseByFold.count == nFolds else {
            let skips = skipReason.map { "; \(skipped) skipped, \($0)" } ?? ""
            decision.reason = "no draw beat the base's mean AUC on every fold (\(candidates.count - 1) draws\(skips); \(budgetText)): kept the base"
            return (trials, nil, decision)
        }
        let pooledLabels = foldLabels.flatMap { $0 }
        let rule = TuningRule.decide(labels: pooledLabels, tuned: tuned, base: baseByFold.flatMap { $0 })
        decision.adopted = rule.adopted
        decision.test = rule.test
        decision.rows = pooledLabels.count
        decision.reason = rule.reason
        return (trials, rule.adopted ? Winner(hyperparameters: pool[top], cvAUC: lastScores[top]!) : nil, decision)
    }

    // MARK: - Helpers

    struct FitOutcome {
        var probabilities: [Double]
        var auc: Double
        var seconds: Double
        var notes: [String]
        var model: (any Classifier)?
    }

    static func fitAndScore(
        _ parameters: Hyperparameters, _ x: FeatureMatrix, _ y: [Int], _ vx: FeatureMatrix, _ vy: [Int],
        seed: UInt64, stop: @escaping StopCheck, keep: Bool
    ) throws -> FitOutcome {
        let t0 = now()
        let model = Classifiers.make(parameters)
        try model.fit(x, y: y, seed: seed, shouldStop: stop)
        let seconds = now() - t0
        let p = try model.predictProbabilities(vx)
        return FitOutcome(probabilities: p, auc: Metrics.auc(labels: vy, scores: p), seconds: seconds,
                          notes: model.notes, model: keep ? model : nil)
    }

    /// The seed a model of `algorithm` is trained with in this run.
    public static func modelSeed(_ seed: UInt64, _ algorithm: Algorithm) -> UInt64 {
        SplitMix64.derive(seed, UInt64(algorithmRank(algorithm) + 1))
    }

    private static func algorithmRank(_ a: Algorithm) -> Int { Algorithm.allCases.firstIndex(of: a)! }

    /// Rough relative cost, to start the slowest jobs first.
    private static func cost(_ a: Algorithm) -> Int {
        switch a { case .svm: 5; case .rf: 4; case .nn: 3; case .gb: 2; case .lr: 1; case .voting, .stacking, .blending, .regime, .bma: 0 }
    }

    private static func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private static func asLearningError(_ e: any Error) -> LearningError {
        (e as? LearningError) ?? LearningError(.libraryError, "\(e)")
    }
}

/// The walk-forward folds' matrices (views of the training matrix) and labels, made on demand
/// by the fit that needs them.
struct FoldData: Sendable {
    let count: Int
    let make: @Sendable (Int) -> (FeatureMatrix, [Int], FeatureMatrix, [Int])
}
