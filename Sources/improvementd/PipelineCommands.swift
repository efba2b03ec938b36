import ArgumentParser
import Foundation
import UseCases
import TradingDomain

/// `improvementd label`: label every signal from the stored bars (triple barrier), then features.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "label", abstract: "Label signals from the bars that follow them, and compute their features.")

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    @Flag(name: .long, help: "Relabel and recompute the features of every signal, not only those a change since the last run reaches.")
    var full = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        let labels = try app.labeling.label(full: full)
        let features = try app.features.compute()
        if json {
            print(try Output.json(["labels": try Output.json(labels), "features": try Output.json(features)]))
            return
        }
        print("labeled \(labels.signals) signals: \(labels.success) success, \(labels.failure) failure, \(labels.pending) pending, \(labels.expired) expired (\(labels.recomputed) relabeled, \(labels.changed) new or changed)")
        print("features: \(features.rows) rows x \(features.columns) columns, schema v\(features.schemaVersion) \(features.schemaHash) (\(features.recomputed) recomputed, \(features.changed) new or changed)")
        try StrategyTable.print(app)
    }
}

/// `improvementd backfill --strategy NAME...`: replay built-in strategies over the bars (README.md, Commands).
struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Create historical signals by replaying built-in strategies over the stored bars, then label them."
    )

    @Option(name: .long, parsing: .upToNextOption, help: "A built-in strategy (repeatable; default all).")
    var strategy: [BuiltInStrategy] = []

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        let chosen = strategy.isEmpty ? BuiltInStrategy.allCases : strategy
        let count = try app.backfill.run(chosen)
        print("backfill \(chosen.map(\.rawValue).joined(separator: ", ")): \(count.written + count.unchanged) signals, \(count.written) new or changed")
        let labels = try app.labeling.label()
        let features = try app.features.compute()
        print("labeled \(labels.signals) signals: \(labels.success) success, \(labels.failure) failure, \(labels.pending) pending, \(labels.expired) expired; features for \(features.rows)")
        try StrategyTable.print(app)
    }
}

/// `improvementd export outcomes|features|predictions FILE`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write outcomes, features or predictions as CSV.")

    @Argument(help: "What to write.")
    var kind: ExportKind

    @Argument(help: "The CSV file to write.")
    var file: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        let n = try app.exporting.export(kind, to: file)
        print("wrote \(n) \(kind.rawValue) rows to \(file)")
    }
}

/// The per-strategy table shown after labeling.
enum StrategyTable {
    static func print(_ app: App) throws {
        let rows = try app.labeling.strategySummaries()
        guard !rows.isEmpty else { return }
        Swift.print("strategy          signals  success  failure  pending  expired  success rate")
        for r in rows {
            let rate = r.successRate.map { String(format: "%.1f %%", $0 * 100) } ?? "-"
            Swift.print(r.strategy.padding(toLength: 16, withPad: " ", startingAt: 0)
                + [r.signals, r.success, r.failure, r.pending, r.expired].map { String($0).leftPad(9) }.joined() + rate.leftPad(14))
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

/// `improvementd evaluate`: label, then measure the production model on the evaluation window.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure the production model on the signals labeled in the evaluation window (stores an evaluation row)."
    )

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        _ = try app.labeling.label(totals: false)
        let report = try app.evaluation.evaluate(try app.prepareJob(job: .evaluate), now: Date())
        if json { print(try Output.json(report)); return }
        print(report.windowLine(unseen: false))
        guard let v = report.modelVersion else { print("no production model yet (improvementd train)"); return }
        guard let m = report.metrics else { print("model v\(v): no window signal it has not trained on"); return }
        print("model v\(v) on \(m.count) unseen signals (95 % intervals: AUC DeLong, rates Wilson, Brier seeded bootstrap):")
        for line in report.metricLines() { print(line) }
        if let p = report.policy { print(p.summary) }
    }
}
