import Foundation
import Testing

import ModelMetrics
@testable import Policy

/// The triggers' intervals: each rate trigger carries the Wilson interval of its value, the
/// report the window's intervals, and a `triggers` JSON stored before intervals existed still reads.
@Suite("Trigger intervals")
struct TriggerIntervalTests {
    /// 120 window predictions with a seeded mix of outcomes and probabilities.
    static let window: [WindowPrediction] = {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<120).map { _ in
            let label = next() < 0.45
            return WindowPrediction(probability: min(1, max(0, (label ? 0.58 : 0.45) + (next() - 0.5) * 0.5)), label: label)
        }
    }()

    @Test func rateTriggersCarryTheirWilsonIntervals() throws {
        let report = TriggerThresholds().evaluate(TriggerInputs(predictions: Self.window, holdoutCombinedScore: 0.6, daysSinceFullRetrain: 3))
        let labels = Self.window.map { $0.label ? 1 : 0 }, probabilities = Self.window.map(\.probability)
        let direct = try MetricIntervals(labels: labels, probabilities: probabilities)
        #expect(report.intervals == direct)
        let correct = zip(labels, probabilities).filter { ($1 >= 0.5) == ($0 == 1) }.count
        let successes = labels.reduce(0, +)
        #expect(report[.accuracy]?.interval == Wilson.interval(successes: correct, n: labels.count))
        #expect(report[.successRate]?.interval == Wilson.interval(successes: successes, n: labels.count))
        #expect(report[.accuracy]?.interval?.estimate == report[.accuracy]?.value)
        #expect(report[.successRate]?.interval?.estimate == report[.successRate]?.value)
        // Not rates: no interval.
        for name in [TriggerName.degradation, .schedule, .insufficientData] { #expect(report[name]?.interval == nil) }
        // Stored and read back whole.
        let json = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(TriggerReport.self, from: json) == report)
    }

    @Test func emptyWindowHasNoInterval() {
        let report = TriggerThresholds().evaluate(TriggerInputs(predictions: [], holdoutCombinedScore: nil, daysSinceFullRetrain: nil))
        #expect(report.intervals == nil && report.triggers.allSatisfy { $0.interval == nil })
    }

    /// The JSON of a `decisions.triggers` row written before intervals existed.
    @Test func aTriggersRowStoredWithoutIntervalsStillReads() throws {
        let old = """
            {"firedTriggers":["accuracy"],"triggers":[{"fired":true,"n":60,"name":"accuracy","threshold":0.6,"trusted":true,"value":0.55},\
            {"fired":false,"n":60,"name":"schedule","threshold":30,"trusted":true,"value":2}]}
            """
        let report = try JSONDecoder().decode(TriggerReport.self, from: Data(old.utf8))
        #expect(report.intervals == nil && report.metrics == nil)
        #expect(report[.accuracy]?.value == 0.55 && report[.accuracy]?.interval == nil && report.firedTriggers == [.accuracy])
        // And a report without intervals writes no interval key (the old format).
        let written = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!written.contains("interval"), "\(written)")
    }
}
