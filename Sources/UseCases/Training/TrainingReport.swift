import Foundation
import Learning
import ModelMetrics
import Store
import TradingDomain

/// The training report (README.md, "Training, the registry and scoring"), written as `training_report_YYYYMMDD_HHMMSS.txt` and `.json`.
struct TrainingReport: Encodable {
    var version: Int
    var createdAt: String
    var window: [String: String?]
    var counts: [String: Int]
    var baseRate: Double
    var models: [ModelEvaluation]
    var chosen: String
    /// The selection rule and why it chose `chosen`.
    var selection: String
    var selectionReason: String
    /// Seconds of the ensemble stage.
    var ensembleSeconds: Double
    var hyperparameters: Hyperparameters
    var baseCVAUC: Double
    var tunedCVAUC: Double
    var tuningTrials: Int
    var tuningSeconds: Double
    var holdout: Metrics
    /// The holdout's 95 % intervals (AUC DeLong, rates Wilson, Brier seeded bootstrap).
    var holdoutIntervals: MetricIntervals?
    var modelNotes: [String]
    var importance: FeatureImportanceReport?
    /// Spearman correlation of the importance ranking against `previousVersion`'s.
    var importanceStability: Double?
    var previousVersion: Int?
    var decision: TrainingDecision
    /// The take policy and its holdout economics.
    var policy: VersionPolicy?
    var totalSeconds: Double
    var libraryVersions: [String: String]

    private let stamp: String

    init(version: Int, createdAt: Date, dataset: TrainingDataset, result: TrainingResult, decision: TrainingDecision, stability: Double?, previousVersion: Int?) {
        self.version = version
        self.createdAt = SignalStoreTime.iso(createdAt)
        let day = { (i: Int) in Day(number: Int32(dataset.entryDays[i])).iso }
        window = [
            "train_first_entry": result.trainRows.first.map(day), "train_last_entry": result.trainRows.last.map(day),
            "holdout_first_entry": result.holdoutRows.first.map(day), "holdout_last_entry": result.holdoutRows.last.map(day),
        ]
        counts = [
            "labeled_signals": dataset.labels.count, "train": result.trainRows.count,
            "holdout": result.holdoutRows.count, "purged": result.purgedRows.count, "features": dataset.x.cols,
        ]
        baseRate = Double(dataset.labels.reduce(0, +)) / Double(max(1, dataset.labels.count))
        models = result.evaluations
        chosen = result.chosen.rawValue
        selection = result.selection.description
        selectionReason = result.selectionReason
        ensembleSeconds = result.ensembleSeconds
        hyperparameters = result.hyperparameters
        baseCVAUC = result.baseCVAUC
        tunedCVAUC = result.finalCVAUC
        tuningTrials = result.tuningTrials.count
        tuningSeconds = result.tuningSeconds
        holdout = result.holdout
        holdoutIntervals = result.holdoutIntervals
        modelNotes = result.modelNotes
        importance = result.importance
        importanceStability = stability
        self.previousVersion = previousVersion
        self.decision = decision
        policy = decision.policy
        totalSeconds = result.totalSeconds
        libraryVersions = result.libraryVersions
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: createdAt)
        stamp = String(format: "%04d%02d%02d_%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    enum CodingKeys: String, CodingKey {
        case version, createdAt, window, counts, baseRate, models, chosen, selection, selectionReason, ensembleSeconds, hyperparameters, baseCVAUC, tunedCVAUC,
             tuningTrials, tuningSeconds, holdout, holdoutIntervals, modelNotes, importance, importanceStability, previousVersion,
             decision, policy, totalSeconds, libraryVersions
    }

    /// Writes both files into `folder`; returns the .txt path.
    func write(to folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var base = (folder as NSString).appendingPathComponent("training_report_\(stamp)")
        if FileManager.default.fileExists(atPath: base + ".txt") { base += "_v\(version)" }
        try JSONEncoder.sortedKeys(pretty: true).encode(self).write(to: URL(fileURLWithPath: base + ".json"), options: .atomic)
        try text().write(toFile: base + ".txt", atomically: true, encoding: .utf8)
        return base + ".txt"
    }

    func text() -> String {
        var t: [String] = []
        t.append("improvementd training report — model version \(version), \(createdAt)")
        t.append("")
        t.append("data: \(counts["labeled_signals"]!) labeled signals, \(counts["features"]!) features; train \(counts["train"]!) (\(window["train_first_entry"]!! ?? "-") .. \(window["train_last_entry"]!! ?? "-")), purged \(counts["purged"]!), holdout \(counts["holdout"]!) (\(window["holdout_first_entry"]!! ?? "-") .. \(window["holdout_last_entry"]!! ?? "-"))")
        t.append(String(format: "base success rate: %.4f", baseRate))
        t.append("")
        t.append("models (walk-forward CV AUC on the training part; holdout metrics when trained on the purged training part):")
        t.append(ModelTable.render(models, chosen: chosen))
        t.append("")
        t.append(String(format: "chosen: %@ (CV AUC %.4f before tuning, %.4f after %d trials in %.1f s)", chosen, baseCVAUC, tunedCVAUC, tuningTrials, tuningSeconds))
        t.append("selection: \(selectionReason)")
        if models.contains(where: \.algorithm.isEnsemble) { t.append(String(format: "ensembles: %.2f s on top of the base models' fits", ensembleSeconds)) }
        t.append("hyperparameters: \(hyperparameters.jsonString())")
        if let tuning = decision.tuning { t.append("tuning: \(tuning.reason)") }
        if let shipped = decision.shipped { t.append("shipped: \(shipped)") }
        for note in modelNotes { t.append("note: \(note)") }
        t.append("")
        t.append(String(format: "holdout: accuracy %.4f, AUC %.4f, precision %.4f, recall %.4f, F1 %.4f, Brier %.4f, log loss %.4f, base rate %.4f, lift %.3f",
                        holdout.accuracy, holdout.auc, holdout.precision, holdout.recall, holdout.f1, holdout.brier, holdout.logLoss, holdout.baseRate, holdout.lift))
        t.append(String(format: "combined score %.4f → grade %@", holdout.combinedScore, holdout.grade.rawValue))
        if let i = holdoutIntervals {
            t.append("holdout 95 % intervals: AUC \(i.auc.formatted(decimals: 4)) (DeLong), accuracy \(i.accuracy.formatted(decimals: 4)), "
                     + "precision \(i.precision.formatted(decimals: 4)), recall \(i.recall.formatted(decimals: 4)), "
                     + "base rate \(i.baseRate.formatted(decimals: 4)) (Wilson), Brier \(i.brier.formatted(decimals: 4)) (seeded bootstrap)"
                     + (i.noDemonstratedSkill ? "; no demonstrated skill: the AUC interval contains 0.5" : ""))
        }
        t.append("")
        if let imp = importance {
            t.append("feature importance (ranked by \(imp.meanAbsoluteSHAP != nil ? "mean |SHAP|" : imp.permutation != nil ? "permutation AUC drop" : "gain")\(imp.rows.map { " on the last \($0) holdout rows" } ?? "")):")
            let order = imp.primary.indices.sorted { imp.primary[$0] > imp.primary[$1] }
            for i in order.prefix(15) {
                var parts = [imp.features[i].padding(toLength: 30, withPad: " ", startingAt: 0)]
                if let g = imp.gain { parts.append(String(format: "gain %.4f", g[i])) }
                if let s = imp.meanAbsoluteSHAP { parts.append(String(format: "|SHAP| %.5f", s[i])) }
                if let p = imp.permutation { parts.append(String(format: "perm %.5f", p[i])) }
                t.append("  " + parts.joined(separator: "  "))
            }
            if let s = importanceStability, let p = previousVersion {
                t.append(String(format: "importance rank stability vs v%d (Spearman): %.3f", p, s))
            } else {
                t.append("importance rank stability: no previous version to compare")
            }
            t.append("")
        }
        if let policy {
            t.append(policy.summary)
            t.append("")
        }
        t.append("decision: \(decision.promoted ? "PROMOTED" : "KEPT AS REJECTED CANDIDATE") v\(version) — \(decision.reason)")
        t.append(String(format: "total training time %.1f s", totalSeconds))
        t.append("libraries: " + libraryVersions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        return t.joined(separator: "\n") + "\n"
    }
}
