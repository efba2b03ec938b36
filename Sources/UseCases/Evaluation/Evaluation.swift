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
    /// Success rate of every signal labeled in the window (with or without a model).
    public var successRate: Double?
    /// The production version's take policy on the same unseen signals: taken against skipped.
    public var policy: LivePolicyEvaluation?
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
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: config.exchangeTimezone) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let today = Day(year: c.year!, month: c.month!, day: c.day!)!
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
            successRate: inWindow.isEmpty ? nil : Double(successes) / Double(inWindow.count)
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
            report.policy = LivePolicyEvaluation(record: record, unseen: unseen, madeNow: probabilities)
        }
        let m = report.metrics
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let details = String(decoding: try encoder.encode(EvaluationDetails(
            labeledInWindow: report.labeledInWindow, scoredUnseen: report.predictions.count, policy: report.policy
        )), as: UTF8.self)
        try store.insertEvaluation(
            modelVersion: report.modelVersion, windowStart: start.iso, windowEnd: end.iso, n: report.predictions.count,
            accuracy: m?.accuracy, auc: m?.auc, precision: m?.precision, recall: m?.recall, f1: m?.f1,
            combined: m?.combinedScore, successRate: report.successRate, details: details, at: now
        )
        return report
    }
}
