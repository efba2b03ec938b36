import Foundation
import Policy

/// `triggers:`: the evaluation window and the thresholds of the retrain triggers (README.md,
/// "The daemon").
public struct TriggersSection: Sendable, Equatable, Codable {
    /// Days of recently labeled signals the evaluation and triggers look at.
    public var evaluationWindowDays = 30
    /// Retrain when production accuracy in the window is below this.
    public var accuracy = 0.60
    /// Retrain when the fraction of successful signals is below this.
    public var successRate = 0.50
    /// Retrain when the combined score fell by at least this fraction of the holdout score.
    public var degradation = 0.10
    /// Retrain when the last full retrain is at least this many days old.
    public var scheduleDays = 30
    /// Fewer labeled signals than this in the window = insufficient_data.
    public var minSignals = 50

    public init() {}

    /// The retrain policy's thresholds.
    public var thresholds: TriggerThresholds {
        TriggerThresholds(
            accuracy: accuracy, successRate: successRate, degradation: degradation,
            scheduleDays: Double(scheduleDays), minSignals: minSignals
        )
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case evaluationWindowDays = "evaluation_window_days", accuracy, successRate = "success_rate", degradation
        case scheduleDays = "schedule_days", minSignals = "min_signals"
    }

    static let keys = CodingKeys.allCases.map(\.rawValue)

    enum Rules {
        static let days = ValueRule<Int>.wholeNumber(1...3650)
        static let threshold = ValueRule<Double>.number(0...1)
        static let minSignals = ValueRule<Int>.wholeNumber(1...1_000_000)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TriggersSection()
        evaluationWindowDays = try c.wholeNumber(.evaluationWindowDays, or: d.evaluationWindowDays, Rules.days)
        accuracy = try c.number(.accuracy, or: d.accuracy, Rules.threshold)
        successRate = try c.number(.successRate, or: d.successRate, Rules.threshold)
        degradation = try c.number(.degradation, or: d.degradation, Rules.threshold)
        scheduleDays = try c.wholeNumber(.scheduleDays, or: d.scheduleDays, Rules.days)
        minSignals = try c.wholeNumber(.minSignals, or: d.minSignals, Rules.minSignals)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(evaluationWindowDays, forKey: .evaluationWindowDays)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(degradation, forKey: .degradation)
        try c.encode(scheduleDays, forKey: .scheduleDays)
        try c.encode(minSignals, forKey: .minSignals)
    }

    public func validate() throws(ConfigurationError) {
        try Rules.days.check(evaluationWindowDays, at: Self.key(.evaluationWindowDays))
        try Rules.threshold.check(accuracy, at: Self.key(.accuracy))
        try Rules.threshold.check(successRate, at: Self.key(.successRate))
        try Rules.threshold.check(degradation, at: Self.key(.degradation))
        try Rules.days.check(scheduleDays, at: Self.key(.scheduleDays))
        try Rules.minSignals.check(minSignals, at: Self.key(.minSignals))
    }

    static func key(_ key: CodingKeys) -> String { "\(Configuration.CodingKeys.triggers.rawValue).\(key.rawValue)" }
}
