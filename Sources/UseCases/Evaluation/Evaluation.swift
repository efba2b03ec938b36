import Foundation
import Learning
import ModelMetrics
import Policy
import Store
import TradingDomain

/// The production model measured on recently labeled signals (the daily evaluation, README.md "The daemon").
public struct EvaluationReport: Codable, Sendable {
    public var modelVersion: Int?
    public var windowStart: String
    public var windowEnd: String
    /// Labeled signals whose exit falls in the window.
    public var labeledInWindow: Int
    /// Those the production model did not train on (entry after its training data), the n of the triggers.
    public var predictions: [WindowPrediction]
    public var metrics: Metrics?
    /// The 95 % intervals of `metrics` (AUC DeLong, rates Wilson, Brier seeded bootstrap); nil
    /// when `metrics` is.
    public var intervals: MetricIntervals?
    /// Success rate of every signal labeled in the window (with or without a model).
    public var successRate: Double?
    /// The production version's take policy on the same unseen signals: taken against skipped.
    public var policy: LivePolicyEvaluation?
    /// Its 95 % Wilson interval.
    public var successRateInterval: Interval?
}

/// The `details` JSON of an evaluation row: the counts and, since intervals exist, the window's
/// intervals (rows stored earlier hold only the counts; the missing keys decode as nil).
public struct EvaluationDetails: Codable, Sendable, Equatable {
    public var labeledInWindow: Int
    public var scoredUnseen: Int
    public var intervals: MetricIntervals?
    public var successRateInterval: Interval?
    /// The live take policy on the window's unseen signals (taken against skipped); nil before
    /// the take policy existed or when production scored none of them.
    public var policy: LivePolicyEvaluation?

    enum CodingKeys: String, CodingKey {
        case labeledInWindow = "labeled_in_window", scoredUnseen = "scored_unseen"
        case intervals, successRateInterval = "success_rate_interval", policy
    }

    public init(labeledInWindow: Int, scoredUnseen: Int, intervals: MetricIntervals?, successRateInterval: Interval?,
                policy: LivePolicyEvaluation? = nil) {
        self.labeledInWindow = labeledInWindow
        self.scoredUnseen = scoredUnseen
        self.intervals = intervals
        self.successRateInterval = successRateInterval
        self.policy = policy
    }

    /// Decodes a stored `details` column.
    public init(json: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
    }
}

/// Measures the production model on the signals labeled in the evaluation window that it never
/// trained on, and stores an evaluation row (the daily job; the triggers read it).
public struct Evaluation: Sendable {
    public let config: Configuration
    public let store: SignalStore

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.store = store
    }

    /// The day the evaluation window ends: today in the exchange's time zone, or the market's
    /// last bar when the data stops earlier (a historical store), so the window always holds
    /// the most recent outcomes the store knows.
    public func windowEnd(now: Date) throws -> Day {
        let today = config.exchangeDay(of: now)
        let lastMarketDay = try store.lastBarDate(config.indexSymbol).flatMap { Day(iso: $0) }
        return min(today, lastMarketDay ?? today)
    }

    /// Measures `context`'s production model on signals labeled in the evaluation window and
    /// stores an evaluation row. Only signals that entered after the model's training data
    /// count: the model never saw them. A missing stored prediction is made now (features are
    /// point in time). Reads only the window's rows.
    public func evaluate(_ context: JobContext, now: Date) throws -> EvaluationReport {
        let end = try windowEnd(now: now)
        let start = end.adding(days: -config.triggers.evaluationWindowDays)
        let production = context.production
        let inWindow = try store.labeledInWindow(exitAfter: start, through: end, version: production?.record.version)
        let successes = inWindow.filter { $0.label == 1 }.count
        var report = EvaluationReport(
            windowStart: start.iso, windowEnd: end.iso, labeledInWindow: inWindow.count, predictions: [],
            successRate: inWindow.isEmpty ? nil : Double(successes) / Double(inWindow.count),
            successRateInterval: inWindow.isEmpty ? nil : Wilson.interval(successes: successes, n: inWindow.count)
        )
        if let production {
            let record = production.record
            report.modelVersion = record.version
            let trainedUntil = record.dataEnd.flatMap { Day(iso: $0) } ?? Day(number: .min)
            let unseen = inWindow.filter { $0.entryDate > trainedUntil }
            var probabilities: [String: Double] = [:]
            let missing = unseen.filter { $0.probability == nil }.map(\.signalId)
            if !missing.isEmpty {
                let features = try store.featureRows(missing, schemaHash: record.featureSchemaHash)
                let rows = missing.compactMap { id in features[id].map { (id, $0.values) } }
                if !rows.isEmpty {
                    let names = try store.featureNames(schemaHash: record.featureSchemaHash)
                    let p = try production.classifier.predictProbabilities(try FeatureMatrix(rowArrays: rows.map { $0.1 }, columnNames: names))
                    for (i, r) in rows.enumerated() { probabilities[r.0] = p[i] }
                }
            }
            for s in unseen {
                guard let p = s.probability ?? probabilities[s.signalId] else { continue }
                report.predictions.append(WindowPrediction(probability: p, label: s.label == 1))
            }
            report.metrics = Metrics(window: report.predictions)
            report.intervals = MetricIntervals(window: report.predictions)
            report.policy = LivePolicyEvaluation(record: record, unseen: unseen, madeNow: probabilities)
        }
        let m = report.metrics
        let details = String(decoding: try JSONEncoder.sortedKeys().encode(EvaluationDetails(
            labeledInWindow: report.labeledInWindow, scoredUnseen: report.predictions.count,
            intervals: report.intervals, successRateInterval: report.successRateInterval, policy: report.policy
        )), as: UTF8.self)
        try store.insertEvaluation(
            modelVersion: report.modelVersion, windowStart: start.iso, windowEnd: end.iso, n: report.predictions.count,
            accuracy: m?.accuracy, auc: m?.auc, precision: m?.precision, recall: m?.recall, f1: m?.f1,
            combined: m?.combinedScore, successRate: report.successRate, details: details, at: now
        )
        return report
    }
}

extension EvaluationReport {
    /// The window's intervals: the report's own, or for a report written before intervals
    /// existed, computed now from its predictions (nil without any).
    public var windowIntervals: MetricIntervals? { intervals ?? MetricIntervals(window: predictions) }

    /// The success rate's Wilson interval: the report's own, or computed from the rate and the
    /// count labeled in the window (the successes they imply) for an older report.
    public var successRateWilson: Interval? {
        if let successRateInterval { return successRateInterval }
        guard let successRate, labeledInWindow > 0 else { return nil }
        let successes = (successRate * Double(labeledInWindow)).rounded()
        guard abs(successes - successRate * Double(labeledInWindow)) < 1e-6 else { return nil }
        return Wilson.interval(successes: Int(successes), n: labeledInWindow)
    }

    /// `evaluation window A .. B: 36 labeled, success rate 0.222 [0.117, 0.381]`; with
    /// `unseen`, the count of signals the production model never trained on too (as `--once`
    /// prints it).
    public func windowLine(unseen: Bool) -> String {
        let rate = successRateWilson.map { ", success rate \($0)" } ?? successRate.map { String(format: ", success rate %.3f", $0) } ?? ""
        return "evaluation window \(windowStart) .. \(windowEnd): \(labeledInWindow) labeled"
            + (unseen ? ", \(predictions.count) unseen by the production model" : "") + rate
    }

    /// The production model's figures on the window, one metric a line, each rate and AUC with
    /// its 95 % interval (`  accuracy        0.534 [0.512, 0.556]`), or the value alone when no
    /// interval can be had; empty without metrics.
    public func metricLines() -> [String] {
        guard let m = metrics else { return [] }
        func row(_ name: String, _ interval: Interval?, _ value: Double) -> String {
            "  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + (interval?.description ?? String(format: "%.3f", value))
        }
        let i = windowIntervals
        var lines = [row("AUC", i?.auc, m.auc), row("accuracy", i?.accuracy, m.accuracy), row("precision", i?.precision, m.precision),
                     row("recall", i?.recall, m.recall), row("success rate", i?.baseRate, m.baseRate), row("Brier", i?.brier, m.brier),
                     row("F1", nil, m.f1), row("combined score", nil, m.combinedScore)]
        if i?.noDemonstratedSkill == true {
            lines.append("  no demonstrated skill on the window: its AUC interval contains 0.5")
        }
        return lines
    }
}
