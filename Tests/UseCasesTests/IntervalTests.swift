import Foundation
import Testing
import GRDB
import Logging
@testable import UseCases
import Daemon
import Learning
import ModelMetrics
import Policy
import Store

/// Every interval the daemon shows equals a direct `ModelMetrics` computation on the same
/// figures: the evaluation window (stored with its row), the decision's triggers JSON, the
/// journal record, the registry's holdout table; and rows stored before intervals still read.
@Suite struct IntervalTests {
    /// Log records kept for inspection.
    final class Records: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [(message: String, metadata: Logger.Metadata)] = []
        func append(_ message: String, _ metadata: Logger.Metadata) { lock.withLock { stored.append((message, metadata)) } }
        var all: [(message: String, metadata: Logger.Metadata)] { lock.withLock { stored } }
    }

    struct CapturingHandler: LogHandler {
        let records: Records
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { records.append(event.message.description, event.metadata ?? [:]) }
    }

    static func f(_ x: Double) -> String { String(format: "%.4f", x) }

    @Test func windowDecisionAndJournalCarryIntervals() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        _ = try app.training.train(algorithms: [.lr], tune: false)
        let d = try app.cycle.checkAndRetrain(job: .scheduled(.weekly), full: false, now: Date())

        // The window: every interval is the direct computation on the window's predictions.
        let e = d.evaluation
        #expect(!e.predictions.isEmpty)
        let labels = e.predictions.map { $0.label ? 1 : 0 }, probabilities = e.predictions.map(\.probability)
        let direct = try MetricIntervals(labels: labels, probabilities: probabilities)
        let metrics = try #require(e.metrics)
        #expect(e.intervals == direct)
        #expect(direct.auc == DeLong.interval(labels: labels, scores: probabilities))
        #expect(direct.brier == Bootstrap.brierInterval(labels: labels, probabilities: probabilities, seed: 0x5EED))
        #expect(direct.auc.estimate == metrics.auc && direct.accuracy.estimate == metrics.accuracy && direct.brier.estimate == metrics.brier)
        let successes = Int((try #require(e.successRate) * Double(e.labeledInWindow)).rounded())
        #expect(e.successRateInterval == Wilson.interval(successes: successes, n: e.labeledInWindow))

        // Stored with the evaluation row (its details JSON) ...
        let row = try #require(try app.store.read("") { try Row.fetchOne($0, sql: "SELECT details, auc FROM evaluations ORDER BY id DESC LIMIT 1") })
        let details = try EvaluationDetails(json: row["details"])
        #expect(details.intervals == direct && details.successRateInterval == e.successRateInterval)
        #expect(details.labeledInWindow == e.labeledInWindow && details.scoredUnseen == e.predictions.count)
        #expect(row["auc"] as Double? == direct.auc.estimate)
        // ... and with the decision row (its triggers JSON).
        let triggersJSON = try #require(try app.store.read("") { try String.fetchOne($0, sql: "SELECT triggers FROM decisions WHERE id = ?", arguments: [d.id]) })
        let stored = try JSONDecoder().decode(TriggerReport.self, from: Data(triggersJSON.utf8))
        #expect(stored.intervals == direct)
        #expect(stored[.accuracy]?.interval == direct.accuracy && stored[.successRate]?.interval == direct.baseRate)

        // Printed: `evaluate` text, each metric with its interval.
        let lines = e.metricLines()
        #expect(lines.contains("  AUC             \(direct.auc)"), "\(lines)")
        #expect(lines.contains("  accuracy        \(direct.accuracy)"), "\(lines)")
        #expect(e.windowLine(unseen: false).hasSuffix("success rate \(e.successRateInterval!)"))

        // The journal/stderr record: the message shows each figure with its interval, the fields carry the bounds.
        let records = Records()
        DecisionLog(logger: Logger(label: "test") { _ in CapturingHandler(records: records) }).record(d)
        let record = try #require(records.all.first)
        #expect(record.message.contains("accuracy \(direct.accuracy)") && record.message.contains("AUC \(direct.auc)"), "\(record.message)")
        let fields = JournalFields.build(level: .notice, message: record.message, metadata: record.metadata, label: "test", file: "", function: "", line: 0)
        func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        for (name, interval) in [("WINDOW_AUC", direct.auc), ("WINDOW_ACCURACY", direct.accuracy), ("WINDOW_PRECISION", direct.precision),
                                 ("WINDOW_RECALL", direct.recall), ("WINDOW_SUCCESS_RATE", direct.baseRate), ("WINDOW_BRIER", direct.brier)] {
            #expect(field(name) == Self.f(interval.estimate), "\(name)")
            #expect(field(name + "_LOWER") == Self.f(interval.lower) && field(name + "_UPPER") == Self.f(interval.upper), "\(name)")
        }
        #expect(field("TRIGGER_ACCURACY_LOWER") == Self.f(direct.accuracy.lower) && field("TRIGGER_ACCURACY_UPPER") == Self.f(direct.accuracy.upper))
        #expect(field("TRIGGER_SUCCESS_RATE_LOWER") == Self.f(direct.baseRate.lower))
        #expect(field("TRIGGER_DEGRADATION_LOWER") == nil)
    }

    /// An evaluation row and a report written before intervals existed still read and print:
    /// with the intervals computed on read where the report's data allow, else without.
    @Test func evaluationsStoredWithoutIntervalsStillRead() throws {
        let details = try EvaluationDetails(json: #"{"labeled_in_window":36,"scored_unseen":12}"#)
        #expect(details.labeledInWindow == 36 && details.scoredUnseen == 12 && details.intervals == nil && details.successRateInterval == nil)
        let window = (0..<12).map { WindowPrediction(probability: Double($0) / 12, label: $0 % 3 == 0) }
        let report = EvaluationReport(modelVersion: 1, windowStart: "2026-03-11", windowEnd: "2026-04-10", labeledInWindow: 36,
                                      predictions: window, metrics: Metrics(window: window), successRate: 8.0 / 36)
        let old = try JSONDecoder().decode(EvaluationReport.self, from: JSONEncoder().encode(report))
        #expect(old.intervals == nil && old.successRateInterval == nil)
        // The predictions and the counts are there: computed on read, equal to the direct computation.
        let direct = try MetricIntervals(labels: window.map { $0.label ? 1 : 0 }, probabilities: window.map(\.probability))
        #expect(old.windowIntervals == direct && old.successRateWilson == Wilson.interval(successes: 8, n: 36))
        #expect(old.windowLine(unseen: true) == "evaluation window 2026-03-11 .. 2026-04-10: 36 labeled, 12 unseen by the production model, success rate \(Wilson.interval(successes: 8, n: 36))")
        #expect(old.metricLines().first == "  AUC             \(direct.auc)")
        // Without the predictions, and a rate that implies no whole count: the values alone.
        var bare = old
        bare.predictions = []
        bare.successRate = 0.3
        bare.labeledInWindow = 7
        let m = try #require(bare.metrics)
        #expect(bare.windowIntervals == nil && bare.successRateWilson == nil)
        #expect(bare.windowLine(unseen: false) == "evaluation window 2026-03-11 .. 2026-04-10: 7 labeled, success rate 0.300")
        #expect(bare.metricLines().first == "  AUC             \(String(format: "%.3f", m.auc))")
    }

    @Test func modelsShowHoldoutTableWithIntervalsAndOlderVersions() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let (decision, result, data) = try app.training.train(algorithms: [.lr], tune: false)
        let holdY = result.holdoutRows.map { data.labels[$0] }
        let direct = try MetricIntervals(labels: holdY, probabilities: result.holdoutPredictions)
        let v = decision.version

        // The decision's result names the candidate's holdout AUC with its interval.
        let promotion = try #require(decision.promotion)
        #expect(promotion.candidateAUC == direct.auc)
        #expect(ImprovementCycle.result(decision, production: nil)
            == "promoted v\(v) (holdout AUC \(direct.auc.formatted(decimals: 4))\(direct.noDemonstratedSkill ? ", no demonstrated skill" : ""))")

        // Stored with the version.
        let figures = try #require(HoldoutFigures(try app.store.modelVersion(v)))
        #expect(figures.source == .stored && figures.intervals == direct)
        #expect(figures.lines().contains("  AUC              \(Self.f(direct.auc.estimate))  [\(Self.f(direct.auc.lower)), \(Self.f(direct.auc.upper))]"))
        #expect(figures.lines().contains { $0.contains("no demonstrated skill") } == !(direct.auc.lower > 0.5))

        // A version stored before intervals: its compared-models row is the very model.
        let plain = String(decoding: try JSONEncoder().encode(result.holdout), as: UTF8.self)
        try app.store.pool.write { try $0.execute(sql: "UPDATE model_versions SET holdout_metrics = ? WHERE version = ?", arguments: [plain, v]) }
        let old = try app.store.modelVersion(v)
        #expect(old.holdout == result.holdout && old.storedHoldoutIntervals == nil)
        let fromModels = try #require(HoldoutFigures(old))
        #expect(fromModels.source == .comparedModels && fromModels.intervals == direct)

        // ... and without that row: the rates' intervals from the counts, no AUC or Brier interval.
        try app.store.pool.write { try $0.execute(sql: "UPDATE model_versions SET cv_metrics = '[]' WHERE version = ?", arguments: [v]) }
        let fromCounts = try #require(HoldoutFigures(try app.store.modelVersion(v)))
        #expect(fromCounts.source == .counts)
        #expect(fromCounts.accuracy == direct.accuracy && fromCounts.precision == direct.precision)
        #expect(fromCounts.recall == direct.recall && fromCounts.baseRate == direct.baseRate)
        #expect(fromCounts.auc == nil && fromCounts.brier == nil && fromCounts.skill == .unknown && fromCounts.intervals == nil)
        let oldLines = fromCounts.lines()
        #expect(oldLines.contains("  AUC              \(Self.f(result.holdout.auc))"), "\(oldLines)")
        #expect(!oldLines.contains { $0.contains("no demonstrated skill") })
        let (listCode, list, _) = try TestSupport.run(["models", "list", "--db", app.config.database])
        #expect(listCode == 0 && list.contains(String(format: "%.3f", result.holdout.auc)), "\(list)")

        // A holdout AUC interval containing 0.5: "no demonstrated skill" on the page and in the list.
        var noSkill = direct
        noSkill.auc = Interval(estimate: 0.52, lower: 0.47, upper: 0.57)
        let json = try StoredHoldout(metrics: result.holdout, intervals: noSkill).json()
        try app.store.pool.write { try $0.execute(sql: "UPDATE model_versions SET holdout_metrics = ? WHERE version = ?", arguments: [json, v]) }
        #expect(try app.store.modelVersion(v).holdout == result.holdout)  // still reads as plain metrics
        let (showCode, page, err) = try TestSupport.run(["models", "show", "\(v)", "--db", app.config.database])
        #expect(showCode == 0, "\(err)")
        #expect(page.contains("  AUC              \(Self.f(result.holdout.auc))  [0.4700, 0.5700]"), "\(page)")
        #expect(page.contains("no demonstrated skill: the holdout AUC interval contains 0.5"), "\(page)")
        let (_, marked, _) = try TestSupport.run(["models", "list", "--db", app.config.database])
        let row = try #require(marked.split(separator: "\n").first { $0.hasPrefix("v\(v) ") })
        #expect(row.contains("0.520 [0.470, 0.570]") && row.contains(" none "), "\(marked)")
    }
}
