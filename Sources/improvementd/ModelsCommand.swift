import ArgumentParser
import Foundation
import Learning
import ModelMetrics
import Store
import TradingDomain
import UseCases

/// `improvementd models list|show N|promote N|rollback|export N FILE`: the model registry.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect, promote, roll back or export model versions.",
        subcommands: [List.self, Show.self, Promote.self, Rollback.self, Export.self, Evidence.self]
    )

    /// `models` alone names no action: a usage error (exit 2), as before the subcommands.
    func run() throws {
        throw ValidationError("name an action: models list|show N|promote N|rollback|export N FILE")
    }

    /// `models list [--json]`: every version, newest first.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every model version.")

        @Flag(name: .long, help: "Print as JSON.")
        var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let versions = try global.app().store.modelVersions()
            if json { print(try Output.json(versions.map(ModelPage.Record.init))); return }
            if versions.isEmpty { print("no model versions yet (improvementd train)"); return }
            print(ModelPage.list(versions))
        }
    }

    /// `models evidence [--json]`: every candidate's live record paired against production.
    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every candidate's live AUC, log loss and Brier with intervals, paired against production; the aggregate's weights and regret bound.")

        @Flag(name: .long, help: "Print as JSON.")
        var json = false

        @Option(name: .long, help: "Only outcomes with an exit before this day (YYYY-MM-DD); default: today.")
        var before: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let app = try global.app()
            let day = try before.map { text in
                guard let d = Day(iso: text) else { throw ValidationError("--before: \(text) is not a date (YYYY-MM-DD)") }
                return d
            }
            let report = try app.evidenceReport(before: day)
            print(json ? try Output.json(report) : report.text)
        }
    }

    /// `models show N [--json]`: one version's page.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model version: metrics, parameters, decision, promotion history.")

        @Argument(help: "The version.")
        var version: Int

        @Flag(name: .long, help: "Print as JSON (the stored JSON fields as nested objects).")
        var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let app = try global.app()
            let store = app.store
            let record = try store.modelVersion(version)
            if json { print(try Output.json(ModelPage.Record(record))); return }
            let history = try store.promotionHistory().filter { $0.version == record.version }
            print(ModelPage.render(record, history: history))
            if record.algorithm == ProductionModel.aggregateAlgorithm {
                // The weights are earned live, not stored with the version: today's and by month.
                let report = try app.evidenceReport()
                print("")
                print("the aggregate's live evidence (improvementd models evidence):")
                print(report.text)
            }
        }
    }

    /// `models promote N`: makes a version production by hand.
    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a version production.")

        @Argument(help: "The version.")
        var version: Int

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let store = try global.app().store
            _ = try Classifiers.load(try store.artifact(version)) // refuse a corrupt or unloadable artifact
            try store.promote(version, reason: "promoted by hand")
            print("v\(version) is now production")
        }
    }

    /// `models rollback`: restores the previous production version.
    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore the version that was production before the current one.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (from, to) = try global.app().store.rollback()
            print("rolled back: v\(to) is production again (was v\(from))")
        }
    }

    /// `models export N FILE`: the model in its library's own format.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a version's model in its library's own format.")

        @Argument(help: "The version.")
        var version: Int

        @Argument(help: "The file to write.")
        var file: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let model = try Classifiers.load(try global.app().store.artifact(version))
            let native = try model.nativeExport()
            try Data(native.bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
            print("wrote v\(version) (\(model.algorithm.displayName), \(native.fileExtension)) to \(file)")
        }
    }
}

/// A registry record for people (`models show`) and for programs (`--json`): the JSON text the
/// store keeps is decoded into the training types, never printed raw.
enum ModelPage {
    /// The record for `--json`: its JSON-text fields decoded into the training types, so they
    /// print as nested JSON (numbers exactly as stored).
    struct Record: Encodable {
        var version: Int
        var algorithm: String
        var hyperparameters: Hyperparameters
        var featureSchemaHash: String
        var dataStart: String?
        var dataEnd: String?
        var nTrain: Int
        var nHoldout: Int
        var seed: Int
        var libraryVersions: [String: String]
        var cvMetrics: [ModelEvaluation]
        var holdoutMetrics: Metrics
        /// The holdout's 95 % intervals: stored, or read from the compared models' row (nil when neither has them).
        var holdoutIntervals: MetricIntervals?
        var artifactSHA256: String
        var status: String
        var decisionReason: String?
        var reportPath: String?
        var createdAt: String

        init(_ r: ModelVersionRecord) throws {
            let decoder = JSONDecoder()
            func decode<T: Decodable>(_ text: String, _ field: String) throws -> T {
                do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                    throw ModelPageError(description: "model v\(r.version): its stored \(field) cannot be read: \(error)")
                }
            }
            (version, algorithm, featureSchemaHash, dataStart, dataEnd) = (r.version, r.algorithm, r.featureSchemaHash, r.dataStart, r.dataEnd)
            (nTrain, nHoldout, seed, artifactSHA256, status) = (r.nTrain, r.nHoldout, r.seed, r.artifactSHA256, r.status)
            (decisionReason, reportPath, createdAt) = (r.decisionReason, r.reportPath, r.createdAt)
            hyperparameters = try decode(r.hyperparameters, "hyperparameters")
            libraryVersions = try decode(r.libraryVersions, "library versions")
            cvMetrics = try decode(r.cvMetrics, "CV metrics")
            holdoutMetrics = try decode(r.holdoutMetrics, "holdout metrics")
            holdoutIntervals = HoldoutFigures(r)?.intervals
        }
    }

    /// The `models list` table, newest first: each version's holdout AUC with its 95 % DeLong
    /// interval and whether it shows skill (`none`: the interval contains 0.5 or lies below it,
    /// no demonstrated skill; `-`: no interval known for that version).
    static func list(_ versions: [ModelVersionRecord]) -> String {
        var lines = ["version  algorithm  status      holdout AUC (95 %)    skill  created               reason"]
        for v in versions {
            let figures = HoldoutFigures(v)
            let auc = figures?.auc?.description ?? (v.holdout?.auc).map { String(format: "%.3f", $0) } ?? "-"
            let skill = switch figures?.skill {
            case .shown?: "yes"
            case .notShown?: "none"
            case .unknown?, nil: "-"
            }
            lines.append("v\(v.version)".padding(toLength: 9, withPad: " ", startingAt: 0) + v.algorithm.padding(toLength: 11, withPad: " ", startingAt: 0)
                  + v.status.padding(toLength: 12, withPad: " ", startingAt: 0) + auc.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + skill.padding(toLength: 7, withPad: " ", startingAt: 0)
                  + v.createdAt.padding(toLength: 22, withPad: " ", startingAt: 0) + (v.decisionReason ?? ""))
        }
        if versions.contains(where: { HoldoutFigures($0)?.skill == .notShown }) {
            lines.append("(skill none: no demonstrated skill, the holdout AUC interval does not lie above 0.5)")
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ r: ModelVersionRecord, history: [PromotionRecord]) -> String {
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? { try? decoder.decode(type, from: Data(text.utf8)) }
        func field(_ name: String, _ value: String) -> String { "  " + name.padding(toLength: 17, withPad: " ", startingAt: 0) + value }
        let algorithm = Algorithm(rawValue: r.algorithm)
        var lines = ["model v\(r.version)"]
        lines.append(field("algorithm", algorithm.map { "\($0.displayName) (\($0.rawValue))" } ?? r.algorithm))
        lines.append(field("status", r.status))
        lines.append(field("created", r.createdAt))
        lines.append(field("feature schema", r.featureSchemaHash))
        lines.append(field("data window", "\(r.dataStart ?? "-") .. \(r.dataEnd ?? "-")"))
        lines.append(field("rows", "\(r.nTrain) train, \(r.nHoldout) holdout"))
        lines.append(field("seed", "\(r.seed)"))
        lines.append(field("artifact SHA-256", r.artifactSHA256))
        if let libraries = decode([String: String].self, r.libraryVersions), !libraries.isEmpty {
            lines.append(field("libraries", libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        }

        lines.append("")
        lines.append("holdout metrics")
        if let figures = HoldoutFigures(r) {
            lines += figures.lines()
        } else {
            lines.append("  (not readable)")
        }

        if let models = decode([ModelEvaluation].self, r.cvMetrics), !models.isEmpty {
            lines.append("")
            lines.append("models compared (walk-forward CV, then holdout; * chosen)")
            lines.append(ModelTable.render(models, chosen: r.algorithm))
        }

        lines.append("")
        lines.append("hyperparameters")
        if let parameters = decode(Hyperparameters.self, r.hyperparameters) {
            lines += keyValues(parameters).map { "  \($0.key) = \($0.value)" }
        } else {
            lines.append("  (not readable)")
        }

        lines.append("")
        lines.append("decision: \(r.decisionReason ?? "none yet")")
        lines.append("report: \(r.reportPath ?? "none")")
        lines.append("promotion history:" + (history.isEmpty ? " never production" : ""))
        for h in history { lines.append("  production from \(h.promotedAt) to \(h.demotedAt ?? "now"): \(h.reason)") }
        return lines.joined(separator: "\n")
    }

    /// The parameters as `key = value` pairs in their declaration order (lists as `[a, b]`, an
    /// unset optional as `default`), numbers as Swift prints them: exactly as stored.
    static func keyValues(_ parameters: Hyperparameters) -> [(key: String, value: String)] {
        let values: Any = switch parameters {
        case .gb(let p): p
        case .rf(let p): p
        case .lr(let p): p
        case .svm(let p): p
        case .nn(let p): p
        case .ensemble(let p): EnsembleSummary(p)
        }
        return Mirror(reflecting: values).children.compactMap { child in child.label.map { ($0, text(child.value)) } }
    }

    /// An ensemble's parameters as shown: the members by name (their own hyperparameters are in
    /// the artifact), the folds of a self-contained fit and the regime threshold.
    private struct EnsembleSummary {
        var members: [String]
        var folds: Int
        var regimeMinRows: Int
        init(_ p: EnsembleParameters) { (members, folds, regimeMinRows) = (p.members.map(\.algorithm.rawValue), p.folds, p.regimeMinRows) }
    }

    private static func text(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional: return mirror.children.first.map { text($0.value) } ?? "default"
        case .collection: return "[" + mirror.children.map { text($0.value) }.joined(separator: ", ") + "]"
        default: return "\(value)"
        }
    }
}

/// A stored JSON field of a model version that does not decode (exit 1).
struct ModelPageError: Error, CustomStringConvertible {
    var description: String
}
