import Foundation
import Store
import TradingDomain

/// The score the trading system would have acted on for one signal during a replay: its
/// earliest stored prediction, made no later than its entry date (`LivePrediction.rule`).
///
/// Why this rule: a signal is scored again by every newly promoted version while it is pending,
/// and the store keeps every score; only the first one existed when the trade was entered, so
/// measuring a later one (made with labels of neighbouring signals already known) would flatter
/// the daemon. A signal imported after its entry date is never live: nothing could act on it.
public struct LivePrediction: Sendable, Equatable {
    public var signalId: String
    public var symbol: String
    public var strategy: String
    public var signalType: String
    public var entryDate: Day
    /// The day the prediction was made (`scored_at` in the schedule's time zone).
    public var scoredOn: Day
    public var modelVersion: Int
    public var probability: Double
    public var blendedProbability: Double?
    /// `labeled`, `pending`, `expired`, or nil without an outcome yet.
    public var outcomeStatus: String?
    /// 1 success, 0 failure; nil unless labeled.
    public var outcome: Int?
    public var returnPct: Double?
    /// The exit date of a labeled signal (when its outcome became known).
    public var exitDate: Day? = nil
    /// The stored take decision (nil for a row scored before the take policy existed: taken).
    public var take: Bool? = nil

    /// Whether the outcome is known (labeled), so the prediction can be measured.
    public var isLabeled: Bool { outcome != nil }

    /// The rule, as the summary states it.
    public static let rule = """
        a signal counts when the day it is known from (the later of its creation day and its entry date) \
        lies in the period; its live prediction is its earliest stored prediction (smallest scored_at, \
        ties by the lower model version), and it is live only if made on or before the signal's entry \
        date (scored_at's date in the schedule's time zone); later scores by newer versions are ignored
        """

    /// The live predictions among `rows` (stored predictions in any order: the store's
    /// `earliestPredictions()` already keeps each signal's earliest, and any other row of a
    /// signal is dropped here the same way) for signals known in `from...through`, sorted by
    /// entry date, then signal id. `calendar` dates scored_at.
    ///
    /// scored_at values are compared as text: the store writes them in one UTC ISO format, whose
    /// text order is time order.
    static func select(_ rows: [ScoredSignalRow], from: Day, through: Day, calendar: ReplayCalendar) -> [LivePrediction] {
        var earliest: [String: ScoredSignalRow] = [:]
        for row in rows {
            let known = ReplaySource.knownDay(createdAt: row.createdAt, entryDate: row.entryDate)
            guard from <= known, known <= through else { continue }
            if let current = earliest[row.signalId],
               (current.scoredAt, current.modelVersion) <= (row.scoredAt, row.modelVersion) { continue }
            earliest[row.signalId] = row
        }
        var out: [LivePrediction] = []
        for row in earliest.values {
            guard let scoredOn = calendar.day(of: row.scoredAt), scoredOn <= row.entryDate else { continue }
            out.append(LivePrediction(
                signalId: row.signalId, symbol: row.symbol, strategy: row.strategy, signalType: row.signalType,
                entryDate: row.entryDate, scoredOn: scoredOn, modelVersion: row.modelVersion,
                probability: row.probability, blendedProbability: row.blendedProbability,
                outcomeStatus: row.outcomeStatus, outcome: row.outcome, returnPct: row.returnPct,
                exitDate: row.exitDate, take: row.take
            ))
        }
        return out.sorted { ($0.entryDate, $0.signalId) < ($1.entryDate, $1.signalId) }
    }
}
