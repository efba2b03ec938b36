import ArgumentParser
import Foundation
import UseCases
import Learning
import ModelMetrics
import Store

/// `improvementd train [--algorithms gb,rf,lr,svm,nn] [--no-tune]`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train and compare the classifiers, tune the best, register a version and decide its promotion."
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Comma-separated subset, repeatable (default: the configured list).")
    var algorithms: [AlgorithmList] = []

    @Flag(name: .long, help: "Skip hyperparameter tuning.")
    var noTune = false

    @Flag(name: .long, help: "Print the decision as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    /// The algorithms named, in order, or nil for the configured list.
    var parsedAlgorithms: [Algorithm]? {
        let all = algorithms.flatMap(\.values)
        return all.isEmpty ? nil : all
    }

    func run() throws {
        let app = try global.app()
        _ = try app.labeling.label(totals: false)
        if app.config.training.production == .aggregate && parsedAlgorithms == nil {
            // The production aggregate: refit every candidate (README.md, "The production aggregate").
            let decision = try app.training.refitCandidates()
            if json {
                print(try Output.json(decision))
                return
            }
            print("promoted v\(decision.version): \(decision.reason)")
            if let policy = decision.policy { print(policy.summary) }
            return
        }
        let (decision, result, data) = try app.training.train(algorithms: parsedAlgorithms, tune: !noTune)
        if json {
            print(try Output.json(TrainOutput(decision: decision, result: result, signals: data.labels.count)))
            return
        }
        print("trained on \(data.labels.count) labeled signals (train \(result.trainRows.count), purged \(result.purgedRows.count), holdout \(result.holdoutRows.count)), \(data.x.cols) features, base success rate \(String(format: "%.3f", result.holdout.baseRate)) on the holdout")
        print(ModelTable.render(result.evaluations, chosen: result.chosen.rawValue))
        if result.chosen.isEnsemble {
            print(String(format: "chosen: %@, CV AUC %.4f (an ensemble: not tuned)", result.chosen.displayName, result.finalCVAUC))
        } else {
            print(String(format: "chosen: %@, tuned CV AUC %.4f (from %.4f, %d trials)", result.chosen.displayName, result.finalCVAUC, result.baseCVAUC, result.tuningTrials.count))
        }
        print("selection: \(result.selectionReason)")
        if result.evaluations.contains(where: \.algorithm.isEnsemble) { print(String(format: "ensembles: %.2f s on top of the base models' fits", result.ensembleSeconds)) }
        if let tuning = result.tuning { print("tuning: \(tuning.reason)") }
        let h = result.holdout
        if let i = result.holdoutIntervals {
            print("holdout: AUC \(i.auc.formatted(decimals: 4)), accuracy \(i.accuracy.formatted(decimals: 4)), Brier \(i.brier.formatted(decimals: 4)), "
                  + String(format: "F1 %.4f, lift %.3f; combined score %.4f → grade %@", h.f1, h.lift, h.combinedScore, h.grade.rawValue)
                  + (i.noDemonstratedSkill ? "; no demonstrated skill (the AUC interval contains 0.5)" : ""))
        } else {
            print(String(format: "holdout: AUC %.4f, accuracy %.4f, F1 %.4f, Brier %.4f, lift %.3f; combined score %.4f → grade %@",
                         h.auc, h.accuracy, h.f1, h.brier, h.lift, h.combinedScore, h.grade.rawValue))
        }
        print("\(decision.promoted ? "promoted" : "kept as rejected candidate") v\(decision.version): \(decision.reason)")
        if let policy = decision.policy { print(policy.summary) }
        if let path = decision.reportPath { print("report: \(path)") }
    }
}

/// The machine-readable result of `train --json`: the decision plus every model's figures.
struct TrainOutput: Encodable {
    struct Model: Encodable {
        var algorithm: String
        var cvAUC: Double?
        var trainSeconds: Double
        var cvSeconds: Double
        var holdout: Metrics?
        var notes: [String]
        var error: String?
    }

    var decision: TrainingDecision
    var signals: Int
    var trainRows: Int
    var holdoutRows: Int
    var purgedRows: Int
    var chosen: String
    var selection: String
    var selectionReason: String
    var holdout: Metrics
    var tuningSeconds: Double
    var ensembleSeconds: Double
    var totalSeconds: Double
    var models: [Model]

    init(decision: TrainingDecision, result: TrainingResult, signals: Int) {
        self.decision = decision
        self.signals = signals
        trainRows = result.trainRows.count
        holdoutRows = result.holdoutRows.count
        purgedRows = result.purgedRows.count
        chosen = result.chosen.rawValue
        selection = result.selection.description
        selectionReason = result.selectionReason
        holdout = result.holdout
        tuningSeconds = result.tuningSeconds
        ensembleSeconds = result.ensembleSeconds
        totalSeconds = result.totalSeconds
        models = result.evaluations.map {
            Model(algorithm: $0.algorithm.rawValue, cvAUC: $0.cvAUC, trainSeconds: $0.trainSeconds, cvSeconds: $0.cvSeconds, holdout: $0.holdout, notes: $0.notes, error: $0.error)
        }
    }
}

/// `improvementd predict`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Score unlabeled signals with the production model.")

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        _ = try app.labeling.label(totals: false)
        let report = try app.scoring.score(try app.prepareJob())
        if json { print(try Output.json(report)); return }
        if let note = report.note { print(note); return }
        print("model v\(report.modelVersion!): \(report.scored) signals scored, \(report.alreadyScored) already scored, \(report.unlabeled) unlabeled in all")
        if report.scored > 0 { print("take policy: \(report.taken) of the \(report.scored) newly scored taken (signal_scores.take)") }
    }
}
