import Foundation
import ModelMetrics
import Store
import TradingDomain

/// What `label` did (README.md, "Outcome labels").
public struct LabelReport: Codable, Sendable {
    public var signals = 0
    public var success = 0
    public var failure = 0
    public var pending = 0
    public var expired = 0
    /// Outcomes new or changed by this run (a later bar, a corrected bar).
    public var changed = 0
    /// Signals this run labeled again: those a changed bar or signal can reach (all on a full run).
    public var recomputed = 0
}

/// Labels signals from the bars that follow them (triple barrier), recomputing only what a
/// change since the last run reaches (README.md, "Outcome labels").
public struct Labeling: Sendable {
    public let config: Configuration
    public let store: SignalStore

    public init(config: Configuration, store: SignalStore) {
        self.config = config
        self.store = store
    }

    public var labelConfig: LabelConfig { config.labels.labelConfig }

    /// Bump when the labeling rule changes in code: stores labeled by an older rule relabel all.
    static let labelRuleVersion = 1

    /// What labels depend on besides the bars and signals; a change relabels every signal.
    var labelFingerprint: String {
        let json = (try? JSONEncoder.sortedKeys().encode(labelConfig)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return "rule \(Self.labelRuleVersion)|index \(config.indexSymbol)|\(json)"
    }

    /// Labels the signals from the stored bars. Labels are pure functions of the bars, so a run
    /// relabels only the signals a change reaches — new or changed signals, signals whose window
    /// holds a new or corrected bar, unsettled signals of a symbol or index with new bars — and
    /// writes only what changed. `full` relabels every signal and marks every feature row for
    /// the next feature computation (a new configuration relabels every signal too);
    /// `totals: false` leaves the report's store-wide counts at 0 (callers that only need the
    /// labels up to date skip counting every outcome).
    public func label(full: Bool = false, totals: Bool = true) throws -> LabelReport {
        if full { try store.markAllDirty() }
        let fingerprint = labelFingerprint
        let (dirty, signals) = try store.signalsToRelabel(horizonDays: config.labels.horizonDays, indexSymbol: config.indexSymbol, fingerprint: fingerprint)
        var report = LabelReport()
        if !dirty.isEmpty {
            let outcomes = try outcomes(of: signals)
            report.changed = try store.upsertOutcomes(outcomes, consuming: dirty, fingerprint: fingerprint).written
            report.recomputed = signals.count
        }
        guard totals else { return report }
        for (status, label, count) in try store.outcomeCounts() {
            switch status {
            case .labeled: if label == 1 { report.success += count } else { report.failure += count }
            case .pending: report.pending += count
            case .expired: report.expired += count
            }
        }
        report.signals = try store.signalCount()
        return report
    }

    /// The outcomes of `signals`, in their order, labeled symbol by symbol: one symbol's bars
    /// are read and freed before the next (a million signals over thousands of symbols never
    /// hold every bar at once), the index's last bar date read first (expiry).
    func outcomes(of signals: [Signal]) throws -> [Outcome] {
        guard !signals.isEmpty else { return [] }
        let indexLast = try store.lastBarDay(config.indexSymbol)
        var bySymbol: [String: [Int]] = [:]
        for (i, s) in signals.enumerated() { bySymbol[s.symbol, default: []].append(i) }
        var out = [Outcome](repeating: Outcome(signalId: "", status: .pending), count: signals.count)
        for symbol in bySymbol.keys.sorted() {
            // A label reads only bars on or after its entry date: the symbol's bars from its
            // earliest entry among these signals label each of them exactly as its whole series.
            let earliest = bySymbol[symbol]!.lazy.map { signals[$0].entryDate }.min()
            let bars = try store.barSeries(of: symbol, from: earliest)
            for i in bySymbol[symbol]! {
                out[i] = TripleBarrier.label(signals[i], bars: bars, indexLastDay: indexLast, config: labelConfig)
            }
        }
        return out
    }

    /// Per-strategy counts of labeled, pending and expired signals (a signal without an
    /// outcome counts as pending).
    public func strategySummaries() throws -> [StrategySummary] {
        try store.strategyCounts().map { c in
            StrategySummary(
                strategy: c.strategy, signals: c.signals, success: c.success, failure: c.failure,
                pending: c.signals - c.success - c.failure - c.expired, expired: c.expired
            )
        }.sorted { $0.strategy < $1.strategy }
    }
}

/// Per-strategy success rates of labeled signals.
public struct StrategySummary: Codable, Sendable {
    public var strategy: String
    public var signals: Int
    public var success: Int
    public var failure: Int
    public var pending: Int
    public var expired: Int
    public var successRate: Double? { success + failure > 0 ? Double(success) / Double(success + failure) : nil }
}
