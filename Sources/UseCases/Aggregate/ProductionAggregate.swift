import Foundation
import Learning
import ModelMetrics
import Policy
import Store
import TradingDomain

/// The production aggregate as it stands on a day (README.md, "The production aggregate"):
/// Hedge weights earned by every candidate's live log loss on the outcomes known before the day,
/// the calibration fitted on the aggregate's own earlier mixtures, the base-rate candidate's
/// constant and the take rule chosen on the earlier mixtures. A pure function of the evidence,
/// so it survives any crash and a replay computes exactly what the daemon did.
public struct AggregateState: Sendable {
    /// The day it applies to: nothing with an exit on or after it was used.
    public var day: Day
    public var hedge: HedgeAggregate
    public var calibration: MonotoneCalibration
    /// Hedge between the mixture and its calibrated value (η 1, share 0.01), by their live log
    /// loss: a calibration that does not earn its keep (a relation that reverses from year to
    /// year) loses its weight instead of hurting production.
    public var calibrationHedge: HedgeAggregate
    /// The base-rate candidate's prediction (nil before any outcome in its window).
    public var baseRate: Double?
    /// The take rule on the mixture (before calibration), chosen on the earlier mixtures.
    public var take: TakePolicy
    /// The earlier mixtures' live AUC with its 95 % DeLong interval (nil with one class).
    public var liveAUC: Interval?
    /// The outcomes known before `day` whose mixture was stored, in the order the aggregate
    /// learns them: the earlier mixtures the calibration, the take rule and `liveAUC` are of.
    public var mixtures: [EvidenceRow]

    /// Production's probability of a mixture `raw`: the calibration Hedge's mixture of `raw` and
    /// its calibrated value, both increasing in `raw`, so the ranking is kept.
    public func probability(raw: Double) -> Double {
        calibrationHedge.combine([raw, calibration.apply(raw)]) ?? raw
    }

    /// The probability and the take decision of a mixture `raw`.
    public func score(raw: Double) -> (probability: Double, decision: PredictionDecision) {
        // The rule is chosen on the mixture; the map to a probability is increasing, so
        // "raw ≥ t" is "p ≥ probability(t)", and the stored threshold is on p's own scale.
        let threshold = take.takesEverySignal ? take.threshold : probability(raw: take.threshold)
        return (probability(raw: raw), PredictionDecision(take: take.take(raw), threshold: threshold, size: take.size(raw)))
    }

    /// The settings of the calibration Hedge.
    public static let calibrationSettings = HedgeSettings(eta: 1, share: 0.01)
}

/// Computes ``AggregateState`` from the live evidence (`EvidenceLog`).
public struct ProductionAggregate: Sendable {
    public let config: Configuration
    public let evidence: EvidenceLog

    /// The constant candidate: the success rate of the recent exits.
    public static let baseRate = "base_rate"
    /// The online model (test-then-train on each outcome in label order) as a candidate: it
    /// counts in production only through the weight its live log loss earns.
    public static let online = "online"

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.evidence = EvidenceLog(store: store)
    }

    /// The candidates of a set whose members are `members`: they, the online model, the base rate.
    public static func candidates(members: [String]) -> [String] { members + [online, baseRate] }

    /// The state for scoring on `day`: only outcomes whose exit date is before `day`.
    public func state(candidates: [String], on day: Day) throws -> AggregateState {
        try state(candidates: candidates, rows: evidence.outcomes(exitBefore: day), on: day)
    }

    /// The state for `day` from `rows`, the evidence's outcomes with an exit before `day`
    /// (`EvidenceLog.outcomes(exitBefore: day)`), for a caller that has read them already.
    public func state(candidates: [String], rows: [EvidenceRow], on day: Day) throws -> AggregateState {
        let training = config.training
        let hedge = HedgeAggregate.run(names: candidates, settings: training.hedge, outcomes: rows.map { row in
            EvidenceOutcome(probabilities: candidates.map { row.probabilities[$0] }, label: row.outcome)
        })
        let mixed = rows.filter { $0.probabilities[EvidenceLog.aggregate] != nil }
        let levels = [EvidenceLog.aggregate, EvidenceLog.calibrated]
        let calibrationHedge = HedgeAggregate.run(names: levels, settings: AggregateState.calibrationSettings, outcomes: mixed.map { row in
            EvidenceOutcome(probabilities: levels.map { row.probabilities[$0] }, label: row.outcome)
        })
        // The calibration and the take threshold are fitted on the recent mixtures only: the
        // mixture's level follows the base rate, and a threshold chosen on five years took nothing
        // once the rate fell (a replay of the 72 stocks, 2026: 0 of 461 taken).
        let recent = mixed.suffix(training.calibrationWindow)
        let calibration = MonotoneCalibration.fit(scores: recent.map { $0.probabilities[EvidenceLog.aggregate]! }, labels: recent.map(\.outcome))
        let baseRate = try evidence.successRate(exitFrom: day.adding(days: -training.baseRateDays), before: day)
        let labels = mixed.map(\.outcome), raw = mixed.map { $0.probabilities[EvidenceLog.aggregate]! }
        let auc: Interval? = Set(labels).count == 2 ? DeLong.interval(labels: labels, scores: raw) : nil
        // The same skill gate as a single version's: a rule only when the interval lies above 0.5.
        let take = config.policy.choose(probabilities: recent.map { $0.probabilities[EvidenceLog.aggregate]! }, labels: recent.map(\.outcome),
                                        returns: recent.map(\.returnPct), skillDemonstrated: (auc?.lower ?? 0) > 0.5)
        return AggregateState(day: day, hedge: hedge, calibration: calibration, calibrationHedge: calibrationHedge, baseRate: baseRate,
                              take: take, liveAUC: auc, mixtures: mixed)
    }

    /// Scores `x` with the candidate set `set` of version `version` on `day`: every candidate's
    /// live probability and the mixture are stored as evidence (the first score of a signal is
    /// kept), and the calibrated probabilities with their take decisions returned.
    public func score(
        set: EnsembleClassifier, x: FeatureMatrix, signalIds: [String], version: Int, day: Day, now: Date, online: [Double]? = nil
    ) throws -> (probabilities: [Double], decisions: [PredictionDecision], state: AggregateState) {
        let members = try set.memberProbabilities(x)
        let names = Self.candidates(members: members.map(\.name))
        let state = try state(candidates: names, on: day)
        var scores: [CandidateScore] = []
        scores.reserveCapacity(signalIds.count * (names.count + 2))
        var probabilities = [Double](), decisions = [PredictionDecision]()
        for (i, id) in signalIds.enumerated() {
            var row: [Double?] = members.map { $0.probabilities[i] }
            row.append(online?[i])
            row.append(state.baseRate)
            for (name, p) in zip(names, row) { if let p { scores.append(CandidateScore(signalId: id, candidate: name, probability: p)) } }
            let raw = state.hedge.combine(row) ?? 0.5
            scores.append(CandidateScore(signalId: id, candidate: EvidenceLog.aggregate, probability: raw))
            scores.append(CandidateScore(signalId: id, candidate: EvidenceLog.calibrated, probability: state.calibration.apply(raw)))
            let scored = state.score(raw: raw)
            probabilities.append(scored.probability)
            decisions.append(scored.decision)
        }
        // Evidence first, then the predictions (the caller's): after a crash between the two the
        // signal is scored again and the evidence keeps its first, honest scores.
        try evidence.record(scores, version: version, at: now)
        CrashPoint.reach("score.after-evidence")
        return (probabilities, decisions, state)
    }
}
