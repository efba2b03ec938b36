import Foundation
import Store
import TradingDomain

/// What `label` did (SPEC §3).
public struct LabelReport: Codable, Sendable {
    public var signals = 0
    public var success = 0
    public var failure = 0
    public var pending = 0
    public var expired = 0
    /// Outcomes new or changed by this run (a later bar, a corrected bar).
    public var changed = 0
}

/// What `features` did (SPEC §4).
public struct FeatureReport: Codable, Sendable {
    public var rows = 0
    public var changed = 0
    public var schemaVersion = 0
    public var schemaHash = ""
    public var columns = 0
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

extension App {
    public var labelConfig: LabelConfig {
        LabelConfig(
            horizonDays: config.labelHorizonDays, successThreshold: config.labelSuccessThreshold,
            defaultTargetPct: config.labelDefaultTargetPct, defaultStopPct: config.labelDefaultStopPct,
            expiryGraceDays: config.labelExpiryGraceDays
        )
    }

    public var featureConfig: FeatureConfig {
        FeatureConfig(
            indexSymbol: config.indexSymbol,
            resultsSeason: ResultsSeasonCalendar(seasons: config.earningsSeason.map {
                .init(startMonth: $0.fromMonth, startDay: $0.fromDay, endMonth: $0.toMonth, endDay: $0.toDay)
            })
        )
    }

    /// Labels every signal from the stored bars. Labels are pure functions of the bars, so every
    /// run recomputes all of them and writes only what changed: a pending signal whose bars
    /// arrived, or a signal whose window held a corrected bar.
    public func label() throws -> LabelReport {
        let bars = try store.barSeries()
        let signals = try store.signals()
        let outcomes = TripleBarrier.label(signals, barsBySymbol: bars, indexSymbol: config.indexSymbol, config: labelConfig)
        let count = try store.upsertOutcomes(outcomes)
        var report = LabelReport(signals: signals.count, changed: count.written)
        for o in outcomes {
            switch o.status {
            case .labeled: if o.label == 1 { report.success += 1 } else { report.failure += 1 }
            case .pending: report.pending += 1
            case .expired: report.expired += 1
            }
        }
        return report
    }

    /// A feature engine over everything in the store (optionally restricted to a model's external columns).
    public func featureEngine(externalNames: [String]? = nil) throws -> FeatureEngine {
        FeatureEngine(
            barsBySymbol: try store.barSeries(), symbols: try store.symbolInfos(), events: try store.events(),
            externals: try store.externalValues(), strategyCodes: try store.strategyCodes(),
            externalNames: externalNames, config: featureConfig
        )
    }

    /// Computes the point-in-time features of every signal and stores those that changed.
    public func computeFeatures() throws -> FeatureReport {
        let engine = try featureEngine()
        let signals = try store.signals()
        let rows = engine.rows(for: signals)
        let stored = zip(signals, rows).map { (signalId: $0.id, featureDate: engine.featureDate(of: $0), values: $1) }
        let count = try store.upsertFeatures(schemaHash: engine.schema.hash, version: engine.schema.version, names: engine.schema.columns, rows: stored)
        return FeatureReport(rows: rows.count, changed: count.written, schemaVersion: engine.schema.version, schemaHash: engine.schema.hash, columns: engine.schema.columns.count)
    }

    /// Replays built-in strategies over the stored bars (SPEC §10); ids are deterministic, so a
    /// re-run adds nothing.
    public func backfill(_ strategies: [BuiltInStrategy]) throws -> WriteCount {
        let bars = try store.barSeries()
        let signals = BuiltInStrategy.backfill(strategies, barsBySymbol: bars, config: labelConfig)
        return try store.upsertSignals(signals, source: "backfill")
    }

    public func strategySummaries() throws -> [StrategySummary] {
        let outcomes = try store.outcomes()
        var out: [String: StrategySummary] = [:]
        for s in try store.signals() {
            var row = out[s.strategy] ?? StrategySummary(strategy: s.strategy, signals: 0, success: 0, failure: 0, pending: 0, expired: 0)
            row.signals += 1
            switch outcomes[s.id] {
            case let o? where o.status == .labeled: if o.label == 1 { row.success += 1 } else { row.failure += 1 }
            case let o? where o.status == .expired: row.expired += 1
            default: row.pending += 1
            }
            out[s.strategy] = row
        }
        return out.values.sorted { $0.strategy < $1.strategy }
    }
}
