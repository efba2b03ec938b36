import Foundation
import ModelMetrics

/// The one place the retrain decision is made: the triggers, then the feature schema and the
/// monthly job, from typed inputs only (no store, no training), so every outcome is testable.
public struct RetrainPolicy: Sendable, Hashable {
    public var thresholds: TriggerThresholds

    public init(thresholds: TriggerThresholds = TriggerThresholds()) {
        self.thresholds = thresholds
    }

    /// Decides what one trigger check does. Pure.
    ///
    /// - A changed feature schema retrains whatever else holds: production cannot score the
    ///   current features.
    /// - The monthly `full` job retrains whatever the triggers, unless nothing new was labeled.
    /// - Otherwise a trusted trigger that fired retrains, unless nothing new was labeled.
    /// - Parameters:
    ///   - window: the production model's predictions on the signals labeled in the window.
    ///   - productionHoldoutScore: production's holdout combined score; nil without production.
    ///   - schemaChange: set when production was trained on another feature schema.
    ///   - full: the monthly full retrain.
    ///   - labeledSinceLastTraining: outcomes labeled since the last training run.
    ///   - daysSinceLastRetrain: nil when never trained.
    public func decide(
        window: [WindowPrediction], productionHoldoutScore: Double?, schemaChange: SchemaChange?,
        full: Bool, labeledSinceLastTraining: Int, daysSinceLastRetrain: Double?
    ) -> RetrainDecision {
        let report = thresholds.evaluate(TriggerInputs(
            predictions: window, holdoutCombinedScore: productionHoldoutScore, daysSinceFullRetrain: daysSinceLastRetrain
        ))
        let fired = report.firedTriggers
        let somethingNew = labeledSinceLastTraining > 0
        let action: RetrainAction
        let reason: RetrainReason
        if let schemaChange {
            (action, reason) = (.retrain, .schemaChanged(schemaChange, fired: fired))
        } else if full {
            (action, reason) = somethingNew ? (.retrain, .monthly(fired: fired)) : (.skipped, .monthlyNothingNew)
        } else if fired.isEmpty {
            (action, reason) = (.none, .noTriggerFired)
        } else {
            (action, reason) = somethingNew ? (.retrain, .fired(fired)) : (.skipped, .nothingNew(fired: fired))
        }
        return RetrainDecision(report: report, action: action, reason: reason)
    }
}

/// Production was trained on another feature schema than the current one.
public struct SchemaChange: Hashable, Sendable {
    /// Production's feature schema hash.
    public var from: String
    /// The current feature schema hash.
    public var to: String
    /// Production's version.
    public var productionVersion: Int

    public init(from: String, to: String, productionVersion: Int) {
        self.from = from
        self.to = to
        self.productionVersion = productionVersion
    }
}

/// What a trigger check does: the `DECISION` journal field and the `decisions.action` column.
public enum RetrainAction: String, Codable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No trusted trigger fired.
    case none
    /// Train a candidate (and promote it if it wins).
    case retrain
    /// A retrain was due but did not happen; the reason says why.
    case skipped

    public var description: String { rawValue }
}

/// Why training that was decided on could not run: the data cannot train a model yet.
public enum TrainingSkip: Hashable, Sendable, CustomStringConvertible {
    /// Too few labeled signals with features; the text says how many and what to do.
    case notEnoughData(String)
    /// The labeled signals cannot train a model (one outcome only, too few rows after the purge).
    case untrainable(String)

    public var description: String {
        switch self {
        case .notEnoughData(let text): text
        case .untrainable(let message): "the labeled signals cannot train a model yet: \(message)"
        }
    }
}

/// Why a check decided what it did; `description` is the `decisions.reason` text and the
/// journal's `REASON` field.
public indirect enum RetrainReason: Hashable, Sendable, CustomStringConvertible, Encodable {
    /// No trusted trigger fired.
    case noTriggerFired
    /// These trusted triggers fired and new signals were labeled.
    case fired([TriggerName])
    /// These triggers fired, but no signal was labeled since the last training run.
    case nothingNew(fired: [TriggerName])
    /// Production's feature schema differs from the current one (these triggers fired too).
    case schemaChanged(SchemaChange, fired: [TriggerName])
    /// The monthly full retrain (these triggers fired too).
    case monthly(fired: [TriggerName])
    /// The monthly full retrain, skipped: no signal labeled since the last training run.
    case monthlyNothingNew
    /// The first reason retrained, then training could not run for the second.
    case trainingSkipped(RetrainReason, TrainingSkip)

    /// Why a retrain is skipped when nothing was labeled since the last training run.
    public static let nothingNewText = "nothing new: no signal labeled since the last training run"

    public var description: String {
        func list(_ names: [TriggerName]) -> String { names.map(\.rawValue).joined(separator: ", ") }
        func alsoFired(_ names: [TriggerName]) -> String { names.isEmpty ? "" : "; fired: " + list(names) }
        switch self {
        case .noTriggerFired:
            return "no trusted trigger fired"
        case .fired(let names):
            return "fired: " + list(names)
        case .nothingNew(let names):
            return "fired: \(list(names)); skipped, \(Self.nothingNewText)"
        case .schemaChanged(let change, let names):
            return "the feature schema changed (\(change.from) → \(change.to)): production v\(change.productionVersion) cannot score the current features" + alsoFired(names)
        case .monthly(let names):
            return "monthly full retrain" + alsoFired(names)
        case .monthlyNothingNew:
            return "monthly full retrain skipped, \(Self.nothingNewText)"
        case .trainingSkipped(let decided, let cause):
            return "\(decided.description); \(cause.description)"
        }
    }

    /// Encoded as its text, so JSON output keeps `"reason": "..."`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The outcome of ``RetrainPolicy/decide(window:productionHoldoutScore:schemaChange:full:labeledSinceLastTraining:daysSinceLastRetrain:)``:
/// every trigger, the action and its reason.
public struct RetrainDecision: Hashable, Sendable {
    public var report: TriggerReport
    public var action: RetrainAction
    public var reason: RetrainReason

    public init(report: TriggerReport, action: RetrainAction, reason: RetrainReason) {
        self.report = report
        self.action = action
        self.reason = reason
    }

    /// Whether the check trains a candidate.
    public var retrains: Bool { action == .retrain }

    /// This decision once training could not run: skipped, the cause appended to the reason.
    public func skipped(_ cause: TrainingSkip) -> RetrainDecision {
        RetrainDecision(report: report, action: .skipped, reason: .trainingSkipped(reason, cause))
    }
}
