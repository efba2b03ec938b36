import Foundation
import ModelMetrics
import Policy
import Store

/// The live policy measured in the daily evaluation (README.md, "For trading-system authors"):
/// on the window's matured signals that production never trained on, the success rate of the
/// signals its take policy takes against those it skips, each with its Wilson interval, and the
/// rest of the economics. Stored in `evaluations.details` (key `policy`), in the decision's
/// `triggers` JSON (key `policy`) and in the journal fields `POLICY_*`.
public struct LivePolicyEvaluation: Codable, Sendable, Equatable {
    public var modelVersion: Int
    public var threshold: Double
    public var takesEverySignal: Bool
    public var economics: Economics
    /// `taken beat skipped beyond sampling error`, `… do not differ beyond sampling error`, or
    /// `skipped beat taken …`: beyond sampling error when the two 95 % Wilson intervals do not
    /// overlap (a conservative reading).
    public var verdict: String

    /// The policy of `record` on the `unseen` window signals that have a probability (stored, or
    /// `madeNow` by signal id), in entry order; nil when none has.
    init?(record: ModelVersionRecord, unseen: [WindowOutcome], madeNow: [String: Double]) {
        let policy = VersionPolicy.of(record)
        var labels: [Int] = [], take: [Bool] = [], returns: [Double?] = []
        for s in unseen {
            guard let p = s.probability ?? madeNow[s.signalId] else { continue }
            labels.append(s.label)
            take.append(policy.take(p))
            returns.append(s.returnPct)
        }
        guard !labels.isEmpty else { return nil }
        modelVersion = record.version
        threshold = policy.threshold
        takesEverySignal = policy.takesEverySignal
        economics = Economics(labels: labels, take: take, returns: returns)
        verdict = Self.verdict(economics)
    }

    static func verdict(_ e: Economics) -> String {
        guard e.taken > 0, e.taken < e.n else {
            return e.taken == 0 ? "no signal taken" : "every signal taken: nothing skipped to compare with"
        }
        if e.successTaken.lower > e.successSkipped.upper { return "taken beat skipped beyond sampling error" }
        if e.successTaken.upper < e.successSkipped.lower { return "skipped beat taken beyond sampling error" }
        return "taken and skipped do not differ beyond sampling error"
    }

    /// `v3 takes p ≥ 0.4123: taken 31 % of 80: success …`.
    public var summary: String {
        let rule = takesEverySignal ? "takes every signal" : String(format: "takes p ≥ %.4f", threshold)
        return "policy v\(modelVersion) \(rule): \(economics.summary); \(verdict)"
    }

    /// The journal fields of a decision (README.md, "Logging").
    var journalFields: [String: String] {
        let e = economics
        return [
            "policy_threshold": String(format: "%.4f", threshold),
            "policy_taken": "\(e.taken)/\(e.n)",
            "policy_taken_success": e.successTaken.description,
            "policy_skipped_success": e.successSkipped.description,
            "policy_all_success": e.successAll.description,
            "policy_verdict": verdict,
        ]
    }
}

/// `decisions.triggers`: the check's trigger report with the live policy beside it (key
/// `policy`, absent without one), one JSON object, so readers of the report alone are unchanged.
struct DecisionTriggers: Encodable {
    var report: TriggerReport
    var policy: LivePolicyEvaluation?
    /// What the fired triggers caused (`CycleDecision.caused`).
    var caused: String?
    /// The strategies' own success rate over the last 365 days of exits.
    var strategiesSuccessRate: Interval?

    enum CodingKeys: String, CodingKey { case policy, caused, strategiesSuccessRate = "strategies_success_rate" }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encodeIfPresent(caused, forKey: .caused)
        try c.encodeIfPresent(strategiesSuccessRate, forKey: .strategiesSuccessRate)
    }
}
