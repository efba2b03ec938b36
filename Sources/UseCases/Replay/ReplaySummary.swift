import Foundation
import ModelMetrics

/// What a replay measured (`summary.json`; `summary.txt` is its rendering, `text`): the
/// daemon's live predictions on the signals whose outcome is known, overall and per calendar
/// year of entry, the retrains, promotions and rollbacks of the period, and the baselines
/// scored on the very same signals with the paired DeLong test against the daemon.
///
/// Everything but the `seconds` fields is a function of the scratch store and the
/// configuration: two reports of the same store are identical apart from those.
public struct ReplaySummary: Codable, Sendable, Equatable {
    /// The simulated period, both ends included (ISO dates).
    public var from: String
    public var through: String
    /// Which prediction of a signal counts (`LivePrediction.rule`).
    public var liveRule: String
    /// The time zone time stamps are dated in (`schedule.timezone`).
    public var timeZone: String
    /// Signals with a live prediction, and how many of them are labeled, pending or expired
    /// (or without an outcome row yet).
    public var live: Int
    public var labeled: Int
    public var pending: Int
    public var expired: Int
    public var unlabeled: Int
    /// How the intervals are computed, in words.
    public var method: String
    /// The daemon's live `probability` on the labeled live signals.
    public var daemon: ReplayScores
    /// The live `blended_probability` (batch and online model) on the labeled live signals that
    /// have one; nil when none has.
    public var blended: ReplayScores?
    /// The same per calendar year of entry date, ascending.
    public var years: [Year]
    public var counts: Counts
    public var baselines: [Baseline]
    /// What acting on the daemon's live `take` decisions would have done, against taking every
    /// signal (README.md, "For trading-system authors").
    public var economics: Economics? = nil
    /// Wall-clock seconds of the whole report and of its baselines (not deterministic).
    public var seconds: Double
    public var baselineSeconds: Double
    /// The production aggregate's live evidence at the end of the period: each candidate refitted
    /// at every retrain and scoring every signal before its entry (nil without an aggregate).
    public var evidence: EvidenceReport? = nil

    /// The daemon's measures on the labeled live signals that entered in `year`.
    public struct Year: Codable, Sendable, Equatable {
        public var year: Int
        public var scores: ReplayScores
        /// The daemon's live take decisions on the year's signals.
        public var economics: Economics? = nil
    }

    /// The period's checks and registry changes.
    public struct Counts: Codable, Sendable, Equatable {
        /// Decisions dated in the period, and by job.
        public var decisions: Int
        public var decisionsByJob: [JobCount]
        /// Decisions with action `retrain` (training ran; the candidate may have been kept out).
        public var retrains: Int
        /// Promotion history rows whose `promoted_at` is in the period (rollbacks included).
        public var promotions: Int
        /// Those whose reason is a rollback.
        public var rollbacks: Int
        /// For each trigger, the retrain decisions in which it fired (trusted); a retrain in
        /// which several fired counts for each.
        public var retrainsByTrigger: [TriggerCount]
        /// Retrains decided because production's feature schema differed from the current one.
        public var schemaChangeRetrains: Int
        /// Retrains of the monthly full job (other than for a schema change).
        public var monthlyRetrains: Int
    }

    public struct JobCount: Codable, Sendable, Equatable {
        public var job: String
        public var count: Int
    }

    public struct TriggerCount: Codable, Sendable, Equatable {
        public var trigger: String
        public var retrains: Int
    }

    /// A baseline scored on the labeled live signals, and the paired test of the daemon's AUC
    /// against it on the signals it scored.
    public struct Baseline: Codable, Sendable, Equatable {
        /// `a` (the base rate), `b` (the first model) or `c` (an algorithm refitted monthly).
        public var kind: String
        /// `base rate`, `first model v1`, `gb monthly`, ...
        public var name: String
        /// What it is, in one sentence.
        public var description: String
        /// The labeled live signals it scored (all of them unless `notes` says otherwise).
        public var covered: Int
        public var scores: ReplayScores
        /// DeLong's paired test of AUC(daemon) − AUC(baseline) on the covered signals; a is the
        /// daemon.
        public var comparison: PairedAUCTest
        /// "beats ...", "does not beat ... beyond sampling error" or "is beaten by ...".
        public var verdict: String
        /// Seconds spent fitting (or loading) and scoring it (not deterministic).
        public var seconds: Double
        /// Months skipped, signals without a feature row, failures.
        public var notes: [String]
        /// What taking its signals by its own rule would have done (`policy` says which rule).
        public var economics: Economics? = nil
        public var policy: String? = nil
    }

    /// The sentence saying whether the daemon beats `name`: it does when the 95 % interval of
    /// the paired difference lies above 0 (one-sided p < 0.025), is beaten when it lies below.
    static func verdict(_ test: PairedAUCTest, against name: String) -> String {
        let detail = "(difference \(signed(test.difference)) [\(signed(test.interval.lower)), \(signed(test.interval.upper))], \(pValue(test.pGreater)))"
        if test.interval.lower > 0 { return "beats \(name) \(detail)" }
        if test.interval.upper < 0 { return "is beaten by \(name) \(detail)" }
        return "does not beat \(name) beyond sampling error \(detail)"
    }

    /// `+0.021`, `-0.012`, `+0.000` (never `-0.000`).
    static func signed(_ x: Double, decimals: Int = 3) -> String {
        let x = abs(x) < 0.5 * pow(10, -Double(decimals)) ? 0 : x
        return (x >= 0 ? "+" : "") + String(format: "%.\(decimals)f", x)
    }

    /// `p = 0.008`, `p = 0.31`, `p < 0.001`.
    static func pValue(_ p: Double) -> String {
        if p < 0.001 { return "p < 0.001" }
        if p < 0.01 { return String(format: "p = %.3f", p) }
        return String(format: "p = %.2f", p)
    }
}
