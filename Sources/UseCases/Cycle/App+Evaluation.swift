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
}

extension App {
    /// The day the evaluation window ends: today in the exchange's time zone, or the market's
    /// last bar when the data stops earlier (a historical store), so the window always holds
    /// the most recent outcomes the store knows.
    public func evaluationEnd(now: Date) throws -> Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: config.exchangeTimezone) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let today = Day(year: c.year!, month: c.month!, day: c.day!)!
        let lastMarketDay = try store.lastBarDate(config.indexSymbol).flatMap { Day(iso: $0) }
        return min(today, lastMarketDay ?? today)
    }

    /// Measures the production model on signals labeled in the evaluation window and stores an
    /// evaluation row. Only signals that entered after the model's training data count: the
    /// model never saw them. A missing stored prediction is made now (features are point in time).
    public func evaluate(now: Date) throws -> EvaluationReport {
        let end = try evaluationEnd(now: now)
        let start = end.adding(days: -config.triggers.evaluationWindowDays)
        let outcomes = try store.outcomes()
        let signals = try store.signals()
        let inWindow = signals.filter { s in
            guard let o = outcomes[s.id], o.status == .labeled, let exit = o.exitDate else { return false }
            return exit > start && exit <= end
        }
        let successes = inWindow.filter { outcomes[$0.id]?.label == 1 }.count
        var report = EvaluationReport(
            windowStart: start.iso, windowEnd: end.iso, labeledInWindow: inWindow.count, predictions: [],
            successRate: inWindow.isEmpty ? nil : Double(successes) / Double(inWindow.count)
        )
        if let (record, model) = try productionClassifier() {
            report.modelVersion = record.version
            let trainedUntil = record.dataEnd.flatMap { Day(iso: $0) } ?? Day(number: .min)
            let unseen = inWindow.filter { $0.entryDate > trainedUntil }
            let stored = try store.predictions(version: record.version)
            var probabilities: [String: Double] = [:]
            let missing = unseen.filter { stored[$0.id] == nil }
            if !missing.isEmpty {
                let features = try store.features(schemaHash: record.featureSchemaHash)
                let rows = missing.compactMap { s in features[s.id].map { (s.id, $0.values) } }
                if !rows.isEmpty {
                    let names = try store.featureNames(schemaHash: record.featureSchemaHash)
                    let p = try model.predictProbabilities(try FeatureMatrix(rowArrays: rows.map { $0.1 }, columnNames: names))
                    for (i, r) in rows.enumerated() { probabilities[r.0] = p[i] }
                }
            }
            for s in unseen {
                guard let p = stored[s.id] ?? probabilities[s.id], let label = outcomes[s.id]?.label else { continue }
                report.predictions.append(WindowPrediction(probability: p, label: label == 1))
            }
            report.metrics = Metrics(window: report.predictions)
        }
        let m = report.metrics
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let details = String(decoding: try encoder.encode(["labeled_in_window": report.labeledInWindow, "scored_unseen": report.predictions.count]), as: UTF8.self)
        try store.insertEvaluation(
            modelVersion: report.modelVersion, windowStart: start.iso, windowEnd: end.iso, n: report.predictions.count,
            accuracy: m?.accuracy, auc: m?.auc, precision: m?.precision, recall: m?.recall, f1: m?.f1,
            combined: m?.combinedScore, successRate: report.successRate, details: details
        )
        return report
    }
}
