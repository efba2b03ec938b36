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

    @Option(name: .long, parsing: .upToNextOption, help: "Comma-separated subset of gb, rf, lr, svm, nn (default: the configured list).")
    var algorithms: [String] = []

    @Flag(name: .long, help: "Skip hyperparameter tuning.")
    var noTune = false

    @Flag(name: .long, help: "Print the decision as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    var parsedAlgorithms: [Algorithm]? {
        let names = algorithms.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return names.isEmpty ? nil : names.compactMap(Algorithm.init(rawValue:))
    }

    func validate() throws {
        for name in algorithms.flatMap({ $0.split(separator: ",") }) where Algorithm(rawValue: name.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("unknown algorithm '\(name)'; expected gb, rf, lr, svm or nn")
        }
    }

    func run() throws {
        let app = try global.app()
        _ = try app.label(totals: false)
        let (decision, result, data) = try app.train(algorithms: parsedAlgorithms, tune: !noTune)
        if json {
            print(try Output.json(TrainOutput(decision: decision, result: result, signals: data.labels.count)))
            return
        }
        print("trained on \(data.labels.count) labeled signals (train \(result.trainRows.count), purged \(result.purgedRows.count), holdout \(result.holdoutRows.count)), \(data.x.cols) features, base success rate \(String(format: "%.3f", result.holdout.baseRate)) on the holdout")
        print(ModelTable.render(result.evaluations, chosen: result.chosen.rawValue))
        print(String(format: "chosen: %@, tuned CV AUC %.4f (from %.4f, %d trials)", result.chosen.displayName, result.finalCVAUC, result.baseCVAUC, result.tuningTrials.count))
        print(String(format: "holdout: AUC %.4f, accuracy %.4f, F1 %.4f, Brier %.4f, lift %.3f; combined score %.4f → grade %@",
                     result.holdout.auc, result.holdout.accuracy, result.holdout.f1, result.holdout.brier, result.holdout.lift,
                     result.holdout.combinedScore, result.holdout.grade.rawValue))
        print("\(decision.promoted ? "promoted" : "kept as rejected candidate") v\(decision.version): \(decision.reason)")
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
    var holdout: Metrics
    var tuningSeconds: Double
    var totalSeconds: Double
    var models: [Model]

    init(decision: TrainingDecision, result: TrainingResult, signals: Int) {
        self.decision = decision
        self.signals = signals
        trainRows = result.trainRows.count
        holdoutRows = result.holdoutRows.count
        purgedRows = result.purgedRows.count
        chosen = result.chosen.rawValue
        holdout = result.holdout
        tuningSeconds = result.tuningSeconds
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
        _ = try app.label(totals: false)
        let report = try app.predict()
        if json { print(try Output.json(report)); return }
        if let note = report.note { print(note); return }
        print("model v\(report.modelVersion!): \(report.scored) signals scored, \(report.alreadyScored) already scored, \(report.unlabeled) unlabeled in all")
    }
}

/// `improvementd models list|show N|promote N|rollback|export N FILE`.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List, inspect, promote, roll back or export model versions.")

    @Argument(help: "list, show, promote, rollback or export.")
    var action: String

    @Argument(help: "show/promote/export: the version; export: then the file.")
    var arguments: [String] = []

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        switch action {
        case "list", "rollback": guard arguments.isEmpty else { throw ValidationError("models \(action) takes no arguments") }
        case "show", "promote": guard arguments.count == 1, Int(arguments[0]) != nil else { throw ValidationError("usage: models \(action) N") }
        case "export": guard arguments.count == 2, Int(arguments[0]) != nil else { throw ValidationError("usage: models export N FILE") }
        default: throw ValidationError("unknown models action '\(action)'; expected list, show, promote, rollback or export")
        }
    }

    func run() throws {
        let app = try global.app()
        let store = app.store
        switch action {
        case "list":
            let versions = try store.modelVersions()
            if json { print(try Output.json(versions)); return }
            if versions.isEmpty { print("no model versions yet (improvementd train)"); return }
            print("version  algorithm  status      holdout AUC  created               reason")
            for v in versions {
                let auc = App.holdoutAUC(v).map { String(format: "%.4f", $0) } ?? "-"
                print("v\(v.version)".padding(toLength: 9, withPad: " ", startingAt: 0) + v.algorithm.padding(toLength: 11, withPad: " ", startingAt: 0)
                      + v.status.padding(toLength: 12, withPad: " ", startingAt: 0) + auc.padding(toLength: 13, withPad: " ", startingAt: 0)
                      + v.createdAt.padding(toLength: 22, withPad: " ", startingAt: 0) + (v.decisionReason ?? ""))
            }
        case "show":
            let v = try store.modelVersion(Int(arguments[0])!)
            if json { print(try Output.json(v)); return }
            let mirror = Mirror(reflecting: v)
            for child in mirror.children { print("\(child.label ?? ""): \(child.value)") }
            let history = try store.promotionHistory().filter { $0.version == v.version }
            for h in history { print("production from \(h.promotedAt) to \(h.demotedAt ?? "now"): \(h.reason)") }
        case "promote":
            let n = Int(arguments[0])!
            _ = try Classifiers.load(try store.artifact(n)) // refuse a corrupt or unloadable artifact
            try store.promote(n, reason: "promoted by hand")
            print("v\(n) is now production")
        case "rollback":
            let (from, to) = try store.rollback()
            print("rolled back: v\(to) is production again (was v\(from))")
        case "export":
            let n = Int(arguments[0])!
            let model = try Classifiers.load(try store.artifact(n))
            let native = try model.nativeExport()
            try Data(native.bytes).write(to: URL(fileURLWithPath: arguments[1]), options: .atomic)
            print("wrote v\(n) (\(model.algorithm.displayName), \(native.fileExtension)) to \(arguments[1])")
        default:
            break
        }
    }
}
