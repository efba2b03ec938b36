import Foundation
import Logging

/// Thresholds of the retrain triggers (SPEC §6), all configurable.
///
/// Comparisons treat values within ``epsilon`` (1e-9) of a threshold as equal to it, so a
/// ratio that is mathematically on the threshold behaves as the SPEC says whatever floating
/// point does to it: accuracy 0.600 does not fire (`< 0.60`), a 10 % relative drop fires
/// (`>= 10 %`) even when computed as 0.0999999999.
///
/// Coding keys (every key optional, defaults shown): `accuracy: 0.60`, `success_rate: 0.50`,
/// `degradation: 0.10`, `schedule_days: 30`, `min_signals: 50`.
public struct TriggerConfig: Codable, Sendable, Hashable {
    /// `accuracy` fires when the window accuracy is below this. Default 0.60.
    public var accuracy: Double
    /// `success_rate` fires when the fraction of successful signals is below this. Default 0.50.
    public var successRate: Double
    /// `degradation` fires when the combined score fell by at least this fraction of the
    /// production model's holdout combined score. Default 0.10 (10 % relative).
    public var degradation: Double
    /// `schedule` fires when the last full retrain is at least this many days old. Default 30.
    public var scheduleDays: Double
    /// `insufficient_data` fires below this many labeled signals in the window; accuracy,
    /// success_rate and degradation are then untrusted. Default 50.
    public var minSignals: Int

    public static let epsilon = 1e-9

    public init(
        accuracy: Double = 0.60, successRate: Double = 0.50, degradation: Double = 0.10,
        scheduleDays: Double = 30, minSignals: Int = 50
    ) {
        self.accuracy = accuracy
        self.successRate = successRate
        self.degradation = degradation
        self.scheduleDays = scheduleDays
        self.minSignals = minSignals
    }

    enum CodingKeys: String, CodingKey {
        case accuracy, successRate = "success_rate", degradation, scheduleDays = "schedule_days"
        case minSignals = "min_signals"
    }

    /// Missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TriggerConfig()
        self.init(
            accuracy: try c.decodeIfPresent(Double.self, forKey: .accuracy) ?? d.accuracy,
            successRate: try c.decodeIfPresent(Double.self, forKey: .successRate) ?? d.successRate,
            degradation: try c.decodeIfPresent(Double.self, forKey: .degradation) ?? d.degradation,
            scheduleDays: try c.decodeIfPresent(Double.self, forKey: .scheduleDays) ?? d.scheduleDays,
            minSignals: try c.decodeIfPresent(Int.self, forKey: .minSignals) ?? d.minSignals
        )
    }

    /// Range checks for start-up validation.
    public func validate() throws(DaemonError) {
        for (name, v) in [("accuracy", accuracy), ("success_rate", successRate), ("degradation", degradation)]
        where !(0...1).contains(v) {
            throw .invalidConfiguration("triggers.\(name): \(v) not in 0...1")
        }
        guard scheduleDays > 0 else { throw .invalidConfiguration("triggers.schedule_days: must be > 0") }
        guard minSignals >= 1 else { throw .invalidConfiguration("triggers.min_signals: must be >= 1") }
    }

    /// Evaluates every trigger over `inputs`. Pure.
    public func evaluate(_ inputs: TriggerInputs) -> TriggerReport {
        let metrics = WindowMetrics.compute(inputs.predictions)
        let n = inputs.predictions.count
        let enough = n >= minSignals
        let eps = Self.epsilon
        var results: [TriggerResult] = []

        // accuracy < threshold
        let acc = metrics?.accuracy
        results.append(TriggerResult(
            name: .accuracy, value: acc, threshold: accuracy, n: n,
            fired: enough && acc.map { $0 < accuracy - eps } == true, trusted: enough && acc != nil
        ))
        // success_rate < threshold
        let sr = metrics?.successRate
        results.append(TriggerResult(
            name: .successRate, value: sr, threshold: successRate, n: n,
            fired: enough && sr.map { $0 < successRate - eps } == true, trusted: enough && sr != nil
        ))
        // degradation: relative drop of the combined score >= threshold
        var drop: Double?
        if let score = metrics?.combinedScore, let holdout = inputs.holdoutCombinedScore, holdout > 0 {
            drop = (holdout - score) / holdout
        }
        results.append(TriggerResult(
            name: .degradation, value: drop, threshold: degradation, n: n,
            fired: enough && drop.map { $0 >= degradation - eps } == true, trusted: enough && drop != nil
        ))
        // schedule: never retrained, or >= scheduleDays
        let days = inputs.daysSinceFullRetrain
        results.append(TriggerResult(
            name: .schedule, value: days, threshold: scheduleDays, n: n,
            fired: days.map { $0 >= scheduleDays - eps } ?? true, trusted: true
        ))
        // insufficient_data: n < minSignals (SPEC §6 lists it as a trigger: it fires)
        results.append(TriggerResult(
            name: .insufficientData, value: Double(n), threshold: Double(minSignals), n: n,
            fired: !enough, trusted: true
        ))

        let fired = results.filter { $0.fired && $0.trusted }.map(\.name)
        let action: TriggerAction
        if fired.isEmpty {
            action = .none
        } else if inputs.labeledSinceLastTraining <= 0 {
            action = .skipped(reason: TriggerAction.nothingNew)
        } else {
            action = .retrain
        }
        return TriggerReport(triggers: results, metrics: metrics, firedTriggers: fired, action: action)
    }
}

/// What the weekly trigger check knows about the production model (SPEC §6).
public struct TriggerInputs: Hashable, Sendable, Codable {
    /// The production model's predictions on the signals labeled in the evaluation window.
    public var predictions: [WindowPrediction]
    /// The production model's combined score on its holdout; nil when there is no production
    /// model (degradation is then not computed and does not fire).
    public var holdoutCombinedScore: Double?
    /// Days since the last full retrain; nil = never (the schedule trigger then fires).
    /// Fractional days are allowed: 29.99 does not fire at 30.
    public var daysSinceFullRetrain: Double?
    /// Signals labeled since the last training run; 0 means there is nothing new to learn.
    public var labeledSinceLastTraining: Int

    public init(
        predictions: [WindowPrediction], holdoutCombinedScore: Double?,
        daysSinceFullRetrain: Double?, labeledSinceLastTraining: Int
    ) {
        self.predictions = predictions
        self.holdoutCombinedScore = holdoutCombinedScore
        self.daysSinceFullRetrain = daysSinceFullRetrain
        self.labeledSinceLastTraining = labeledSinceLastTraining
    }
}

/// The triggers' names as stored in `decisions` and logged (`TRIGGER=accuracy`).
public enum TriggerName: String, Codable, Sendable, CaseIterable, Hashable {
    case accuracy
    case successRate = "success_rate"
    case degradation
    case schedule
    case insufficientData = "insufficient_data"
}

/// One trigger's outcome: the measured value against its threshold over `n` labeled signals.
///
/// `trusted` is false for accuracy, success_rate and degradation when `n` is below
/// ``TriggerConfig/minSignals`` (or the value could not be computed); such a trigger is
/// reported but never fires. `value` is nil when it could not be computed (empty window, no
/// production model, never retrained).
public struct TriggerResult: Hashable, Sendable, Codable {
    public var name: TriggerName
    public var value: Double?
    public var threshold: Double
    public var n: Int
    public var fired: Bool
    public var trusted: Bool

    public init(name: TriggerName, value: Double?, threshold: Double, n: Int, fired: Bool, trusted: Bool) {
        self.name = name
        self.value = value
        self.threshold = threshold
        self.n = n
        self.fired = fired
        self.trusted = trusted
    }
}

/// What the trigger check decided.
public enum TriggerAction: Hashable, Sendable, Codable {
    /// No trusted trigger fired.
    case none
    /// At least one trusted trigger fired and new labeled signals exist.
    case retrain
    /// A trigger fired but the retrain is skipped; the reason says why.
    case skipped(reason: String)

    /// The reason when no signal has been labeled since the last training run.
    public static let nothingNew = "nothing new: no signal labeled since the last training run"

    /// `none`, `retrain` or `skipped`: the `DECISION` journal field.
    public var name: String {
        switch self {
        case .none: "none"
        case .retrain: "retrain"
        case .skipped: "skipped"
        }
    }
}

/// The result of one trigger check: every trigger, the window metrics and the action; the
/// content of one `decisions` row and one `decision` log record (SPEC §7).
public struct TriggerReport: Hashable, Sendable, Codable {
    public var triggers: [TriggerResult]
    /// Window metrics of the production model; nil for an empty window.
    public var metrics: WindowMetrics?
    /// Names of the triggers that fired and are trusted, in table order.
    public var firedTriggers: [TriggerName]
    public var action: TriggerAction

    public init(triggers: [TriggerResult], metrics: WindowMetrics?, firedTriggers: [TriggerName], action: TriggerAction) {
        self.triggers = triggers
        self.metrics = metrics
        self.firedTriggers = firedTriggers
        self.action = action
    }

    /// The result of trigger `name`.
    public subscript(name: TriggerName) -> TriggerResult? { triggers.first { $0.name == name } }
}

extension TriggerReport {
    /// Metadata for the one `decision` log record of this check (SPEC §7): `event=decision`,
    /// `decision=none|retrain|skipped`, `trigger` = the fired trusted triggers (an array: one
    /// `TRIGGER=` journal field each, so `journalctl TRIGGER=schedule` finds it), `reason` when
    /// skipped, `n`, and each trigger's value as `<name>_value` (`accuracy_value=0.5520`,
    /// 4 decimals, `none` when not computed). Callers add `job`, `model_version` and the result.
    public var logMetadata: [String: Logging.Logger.MetadataValue] {
        var m: [String: Logging.Logger.MetadataValue] = [
            "event": "decision",
            "decision": .string(action.name),
            "trigger": .array(firedTriggers.map { .string($0.rawValue) }),
            "n": .string(String(triggers.first?.n ?? 0)),
        ]
        if case .skipped(let reason) = action { m["reason"] = .string(reason) }
        for t in triggers {
            m[t.name.rawValue + "_value"] = .string(t.value.map { String(format: "%.4f", $0) } ?? "none")
        }
        return m
    }
}
