import Foundation
import Learning
import ModelMetrics
import Policy
import Store

/// A version's take policy with what it did on that version's holdout, stored as
/// `model_versions.take_policy` (JSON) and shown by `train`, `--once` and the report
/// (README.md, "For trading-system authors").
public struct VersionPolicy: Codable, Sendable, Equatable {
    public var policy: TakePolicy
    /// The policy applied to the holdout predictions (never used to choose the threshold):
    /// the honest measure of the rule on signals after the training part.
    public var holdout: Economics

    public init(policy: TakePolicy, holdout: Economics) {
        self.policy = policy
        self.holdout = holdout
    }

    /// The policy of a training run: chosen by `section` on the chosen algorithm's out-of-fold
    /// predictions of the training part, gated by `skillDemonstrated`, then measured on the holdout.
    public init(section: PolicySection, result: TrainingResult, dataset data: TrainingDataset, skillDemonstrated: Bool) {
        let oof = result.trainingPredictions
        let rows = oof?.rows ?? []
        let returns = data.returns.count == data.labels.count ? data.returns : [Double?](repeating: nil, count: data.labels.count)
        policy = section.choose(probabilities: oof?.probabilities ?? [], labels: rows.map { data.labels[$0] },
                                returns: rows.map { returns[$0] }, skillDemonstrated: skillDemonstrated)
        holdout = Economics(labels: result.holdoutRows.map { data.labels[$0] },
                            take: result.holdoutPredictions.map(policy.take),
                            returns: result.holdoutRows.map { returns[$0] })
    }

    /// The stored policy of `record`; a version registered before the take policy existed
    /// (no `take_policy`) takes every signal.
    public static func of(_ record: ModelVersionRecord, section: PolicySection = .init()) -> TakePolicy {
        if let text = record.takePolicy, let stored = try? JSONDecoder().decode(VersionPolicy.self, from: Data(text.utf8)) {
            return stored.policy
        }
        return .takeAll(objective: section.objective, minTakeFraction: section.minTakeFraction, sizing: section.size,
                        reason: "v\(record.version) was registered before the take policy existed: takes every signal")
    }

    /// `policy: take p ≥ 0.4123 (…); holdout: taken 31 % of 200: …`.
    public var summary: String {
        let rule = policy.takesEverySignal ? policy.reason : String(format: "take when p ≥ %.4f: ", policy.threshold) + policy.reason
        return "policy: \(rule)\nholdout economics: \(holdout.summary)"
    }
}
